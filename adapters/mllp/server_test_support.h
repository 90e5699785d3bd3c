// What the MLLP server's tests share: a publisher double and a log sink to
// wait on.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "adapters/bus/publisher.h"

namespace navette::adapters::mllp {

// Long enough for a loaded CI machine; only reached when a test fails.
inline constexpr auto kArrival = std::chrono::seconds(10);
// How long a test waits to assert that something does NOT happen.
inline constexpr auto kAbsence = std::chrono::milliseconds(300);

// Publisher double: records envelopes and completes their publishes at once,
// from its own thread, with an error, or when the test releases them.
class FakePublisher : public bus::Publisher {
 public:
  enum class Mode { kSucceed, kSucceedFromThread, kFail, kHold };

  FakePublisher() : completer_([this] { CompleteQueued(); }) {}
  ~FakePublisher() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    completer_.join();
  }

  void set_mode(Mode mode) {
    std::lock_guard lock(mutex_);
    mode_ = mode;
  }

  void Publish(navette::Envelope envelope, bus::PublishCallback done) override {
    std::unique_lock lock(mutex_);
    envelopes_.push_back(std::move(envelope));
    bus::PublishResult result{envelopes_.size(), false};
    switch (mode_) {
      case Mode::kSucceed:
        lock.unlock();
        done(result);
        break;
      case Mode::kFail:
        lock.unlock();
        done(absl::UnavailableError("store: disk full"));
        break;
      case Mode::kSucceedFromThread:
        queued_.push_back({std::move(done), result});
        break;
      case Mode::kHold:
        held_.push_back({std::move(done), result});
        break;
    }
    changed_.notify_all();
  }

  // Completes every held publish successfully, from another thread.
  void ReleaseHeld() {
    std::vector<Completion> held;
    {
      std::lock_guard lock(mutex_);
      held.swap(held_);
    }
    std::thread([&held] {
      for (auto& completion : held) completion.done(completion.result);
    }).join();
  }

  bool WaitForEnvelopes(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kArrival, [&] { return envelopes_.size() >= count; });
  }

  bool WaitForHeld(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kArrival, [&] { return held_.size() >= count; });
  }

  size_t held_count() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }

  std::vector<navette::Envelope> envelopes() {
    std::lock_guard lock(mutex_);
    return envelopes_;
  }

 private:
  struct Completion {
    bus::PublishCallback done;
    bus::PublishResult result;
  };

  void CompleteQueued() {
    std::unique_lock lock(mutex_);
    while (true) {
      changed_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
      if (queued_.empty()) return;
      Completion completion = std::move(queued_.front());
      queued_.pop_front();
      lock.unlock();
      completion.done(completion.result);
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  Mode mode_ = Mode::kSucceed;
  bool stopping_ = false;
  std::vector<navette::Envelope> envelopes_;
  std::vector<Completion> held_;
  std::deque<Completion> queued_;
  std::thread completer_;
};

// Collects log lines so that tests can wait for the server to report an event
// (there is no other observable sign that, say, a truncated frame was dropped).
class LogCapture : public spdlog::sinks::base_sink<std::mutex> {
 public:
  bool WaitFor(std::string_view needle) {
    std::unique_lock lock(lines_mutex_);
    return changed_.wait_for(lock, kArrival, [&] { return FindLocked(needle); });
  }

  std::vector<std::string> lines() {
    std::lock_guard lock(lines_mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    {
      std::lock_guard lock(lines_mutex_);
      lines_.emplace_back(message.payload.data(), message.payload.size());
    }
    changed_.notify_all();
  }
  void flush_() override {}

 private:
  bool FindLocked(std::string_view needle) const {
    for (const auto& line : lines_) {
      if (line.find(needle) != std::string::npos) return true;
    }
    return false;
  }

  std::mutex lines_mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

// Makes a LogCapture the default logger, at debug level, while it lives.
class ScopedLogCapture {
 public:
  ScopedLogCapture()
      : previous_(spdlog::default_logger()), capture_(std::make_shared<LogCapture>()) {
    auto logger = std::make_shared<spdlog::logger>("mllp-test", capture_);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~ScopedLogCapture() { spdlog::set_default_logger(previous_); }
  ScopedLogCapture(const ScopedLogCapture&) = delete;
  ScopedLogCapture& operator=(const ScopedLogCapture&) = delete;

  LogCapture& operator*() const { return *capture_; }
  LogCapture* operator->() const { return capture_.get(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<LogCapture> capture_;
};

}  // namespace navette::adapters::mllp
