#include "tests/dmp-sim/serving_thread.h"

#include <httplib.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"

namespace navette::testing::dmp_sim {

absl::StatusOr<int> ServingThread::Start(httplib::Server& server, const std::string& host, int port,
                                         std::string_view what) {
  server.set_socket_options([](socket_t socket) {
    int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const int bound = port == 0 ? server.bind_to_any_port(host.c_str())
                              : (server.bind_to_port(host.c_str(), port) ? port : -1);
  if (bound <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(std::string(what), " cannot listen on ", host, ":", port, " (in use?)"));
  }
  listen_returned_ = false;
  thread_ = std::thread([this, &server] {
    server.listen_after_bind();
    listen_returned_ = true;
  });
  while (!server.is_running() && !listen_returned_) std::this_thread::yield();
  return bound;
}

void ServingThread::Stop(httplib::Server& server) {
  server.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace navette::testing::dmp_sim
