// Serves a cpp-httplib server on a thread of its own, for the simulator's
// servers and the tests' proxy: binds with SO_REUSEADDR only (httplib's
// default also sets SO_REUSEPORT, with which a second server would share a
// taken port instead of being told), and returns once the server runs
// (httplib's stop() does nothing before its loop has started: a Stop()
// right after Start() would leave the thread in accept() and the join
// waiting forever).
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace navette::testing::dmp_sim {

class ServingThread {
 public:
  ServingThread() = default;
  ServingThread(const ServingThread&) = delete;
  ServingThread& operator=(const ServingThread&) = delete;
  ~ServingThread() = default;  // Stop() first: it needs the server

  // Binds `server` (its handlers set) to host:port (port 0: any free port)
  // and serves it; the port bound, or FailedPrecondition naming `what` and
  // the address.
  absl::StatusOr<int> Start(httplib::Server& server, const std::string& host, int port,
                            std::string_view what);
  // Stops serving and joins; idempotent.
  void Stop(httplib::Server& server);

 private:
  std::thread thread_;
  std::atomic<bool> listen_returned_{false};  // set by thread_ as it ends
};

}  // namespace navette::testing::dmp_sim
