// `navette check --connect` for an MLLP destination: a TCP connection to
// mllp.address within mllp.connect_timeout, closed at once; nothing is sent,
// so the peer sees a connection open and close and no message.
#pragma once

#include "kinds/registry.h"
#include "proto/config.pb.h"

namespace navette::adapters::mllp {

// "connected to 10.0.0.5:2576", or "cannot connect to 10.0.0.5:2576:
// Connection refused" (the reason as the system gives it).
kinds::ProbeResult ProbeMllp(const navette::config::MllpDestination& config);

}  // namespace navette::adapters::mllp
