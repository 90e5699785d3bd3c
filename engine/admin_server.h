// The admin HTTP API, bound to loopback by default:
//
//   GET /healthz                 200 while the process runs
//   GET /readyz                  200 once every source listens, else 503
//   GET /v1/messages             ?state=&source=&route=&limit=&before=
//   GET /v1/messages/{id}        envelope, text and history of one message
//
// Responses are JSON renderings of proto/admin.proto. Errors are
// {"error": "..."} with 400 (bad parameter), 404 (no such message) or 500.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "store/store.h"

namespace httplib {
class Server;
}

namespace navette::engine {

class AdminServer {
 public:
  explicit AdminServer(store::Store& store);
  ~AdminServer();

  absl::Status Start(const std::string& host, uint16_t port);
  void Stop();
  void SetReady(bool ready) { ready_ = ready; }
  uint16_t port() const { return port_; }

 private:
  void RegisterRoutes();

  store::Store& store_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> ready_{false};
  uint16_t port_ = 0;
};

}  // namespace navette::engine
