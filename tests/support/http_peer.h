// A real HTTP receiver on loopback for end-to-end delivery tests: records
// every POST to /in with the MSH-10 of its body and the status it answered.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "tests/support/hl7_samples.h"

namespace navette::testing {

class HttpPeer {
 public:
  // One request as the peer saw it.
  struct Received {
    std::string control_id;  // MSH-10, read from the body
    int status = 0;          // what the peer answered
    std::chrono::steady_clock::time_point at;
  };

  // `answer(control_id)` decides each status; it runs on the peer's request
  // threads and may block (to hold a delivery in flight).
  explicit HttpPeer(std::function<int(const std::string&)> answer) : answer_(std::move(answer)) {
    // More threads than any test keeps in flight, so held requests never
    // starve the others.
    server_.new_task_queue = [] { return new httplib::ThreadPool(16); };
    // Answers in one segment, not held by Nagle for 40 ms each.
    server_.set_tcp_nodelay(true);
    server_.Post("/in", [this](const httplib::Request& request, httplib::Response& response) {
      const std::string control_id = ControlIdOf(request.body);
      const int status = answer_(control_id);
      {
        std::lock_guard lock(mu_);
        received_.push_back({control_id, status, std::chrono::steady_clock::now()});
      }
      response.status = status;
      response.set_content(status == 200 ? "ok" : "not now", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~HttpPeer() {
    server_.stop();
    thread_.join();
  }
  HttpPeer(const HttpPeer&) = delete;
  HttpPeer& operator=(const HttpPeer&) = delete;

  int port() const { return port_; }
  std::vector<Received> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  // Control ids answered 200.
  std::set<std::string> delivered() const {
    std::set<std::string> ids;
    for (const Received& r : received()) {
      if (r.status == 200) ids.insert(r.control_id);
    }
    return ids;
  }

 private:
  std::function<int(const std::string&)> answer_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Received> received_;
};

}  // namespace navette::testing
