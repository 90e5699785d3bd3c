// A wake-up signal between long-lived threads: the producer calls Notify()
// after committing work; the consumer waits until notified or a deadline.
// Notifications are not lost: a Notify() that happens while the consumer is
// busy makes its next Wait() return at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace navette::engine {

class Wakeup {
 public:
  void Notify() {
    {
      std::lock_guard lock(mu_);
      pending_ = true;
    }
    cv_.notify_all();
  }
  // Returns true if notified, false on timeout.
  template <typename Rep, typename Period>
  bool WaitFor(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock lock(mu_);
    bool notified = cv_.wait_for(lock, timeout, [this] { return pending_; });
    pending_ = false;
    return notified;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
};

}  // namespace navette::engine
