#include "bench/http_receiver.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

namespace navette::bench {

int RunReceive(const ReceiveOptions& options) {
  using Clock = std::chrono::steady_clock;
  httplib::Server server;
  const int threads = options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Without it, Nagle holds the response body until the engine's delayed
  // ACK of the headers: 40 ms a message, and the figure would be the
  // receiver's.
  server.set_tcp_nodelay(true);
  std::atomic<int> received{0};
  std::mutex mu;
  std::condition_variable all_received;
  Clock::time_point first{}, last{};
  Clock::time_point next_report{};
  server.Post("/in", [&](const httplib::Request&, httplib::Response& response) {
    response.status = 200;
    response.set_content("ok", "text/plain");
    const int count = ++received;
    std::lock_guard lock(mu);
    const Clock::time_point now = Clock::now();
    if (first == Clock::time_point{}) {
      first = now;
      next_report = now + std::chrono::seconds(10);
    }
    if (now >= next_report) {
      const double seconds = std::chrono::duration<double>(now - first).count();
      std::cerr << fmt::format("receive: {} messages in {:.0f} s ({:.0f} msg/s)\n", count, seconds,
                               count / seconds);
      next_report = now + std::chrono::seconds(10);
    }
    if (count == options.messages) {
      last = now;
      all_received.notify_all();
    }
  });
  if (!server.bind_to_port("127.0.0.1", options.port)) {
    std::cerr << fmt::format("receive: cannot listen on 127.0.0.1:{}\n", options.port);
    return 1;
  }
  std::thread listener([&server] { server.listen_after_bind(); });
  std::unique_lock lock(mu);
  all_received.wait(lock, [&] { return last != Clock::time_point{}; });
  lock.unlock();
  server.stop();  // not from a request thread: it waits for them
  listener.join();
  lock.lock();
  const double seconds = std::chrono::duration<double>(last - first).count();
  std::cout << fmt::format("receive  messages={:<7} in {:.1f} s  {:>9.0f} msg/s\n",
                           options.messages, seconds, options.messages / seconds);
  return 0;
}

}  // namespace navette::bench
