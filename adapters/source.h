// The interface every inbound adapter implements (mllp, and later file,
// http, imap receipts). A source takes messages from producers and
// publishes each on the bus (adapters/bus/publisher.h); it answers its
// producer only from the publish's outcome, so that nothing is acknowledged
// before the engine has committed it.
#pragma once

#include "absl/status/status.h"

namespace navette::adapters {

class Source {
 public:
  virtual ~Source() = default;
  // Binds, listens, starts its threads. The error names what failed (the
  // address in use, the directory missing); the engine adds the source's
  // name and its place in the configuration file.
  virtual absl::Status Start() = 0;
  // Stops taking messages and joins its threads; publishes in flight may
  // complete into nothing (the producer sends again). Idempotent.
  virtual void Stop() = 0;
  // Whether it is taking messages now (for /readyz).
  virtual bool Ready() const = 0;
};

}  // namespace navette::adapters
