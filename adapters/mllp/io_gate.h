// Lets threads other than the io thread (bus publisher callbacks) post work to
// an io_context while its server runs. Once closed, posts are dropped: a
// publish that completes after MllpServer::Stop() must not touch an
// io_context that is being, or has been, destroyed.
#pragma once

#include <functional>
#include <mutex>

#include <asio.hpp>

namespace navette::adapters::mllp {

class IoGate {
 public:
  explicit IoGate(asio::io_context& io) : io_(&io) {}

  // False when the gate is closed and `work` was dropped.
  bool Post(std::function<void()> work) {
    std::lock_guard lock(mutex_);
    if (io_ == nullptr) return false;
    asio::post(*io_, std::move(work));
    return true;
  }

  void Close() {
    std::lock_guard lock(mutex_);
    io_ = nullptr;
  }

 private:
  std::mutex mutex_;
  asio::io_context* io_;  // guarded by mutex_; null once closed
};

}  // namespace navette::adapters::mllp
