#include "engine/deadline_stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace navette::engine {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Two connected stream sockets: the server end the stream reads, the client
// end the test writes; both closed at the end.
class SocketPair {
 public:
  SocketPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0); }
  ~SocketPair() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int server() const { return fds_[0]; }
  int client() const { return fds_[1]; }

 private:
  int fds_[2] = {-1, -1};
};

TEST(DeadlineStreamTest, ADrippingClientDoesNotMoveTheDeadline) {
  SocketPair pair;
  // One byte every 50 ms for up to 5 s: each read finds a byte well within
  // any per-read timeout, so only a deadline for the whole request ends it.
  std::atomic<bool> stop{false};
  std::thread dripper([&] {
    const Clock::time_point until = Clock::now() + std::chrono::seconds(5);
    while (!stop && Clock::now() < until) {
      if (::send(pair.client(), "G", 1, MSG_NOSIGNAL) != 1) break;
      std::this_thread::sleep_for(milliseconds(50));
    }
  });
  const Clock::time_point start = Clock::now();
  DeadlineStream stream(pair.server(), start + milliseconds(400), 1 << 20, milliseconds(1000));
  char byte;
  size_t bytes = 0;
  while (stream.read(&byte, 1) == 1) ++bytes;
  const auto elapsed = Clock::now() - start;
  stop = true;
  dripper.join();

  EXPECT_TRUE(stream.read_deadline_passed());
  EXPECT_FALSE(stream.read_budget_spent());
  EXPECT_GT(bytes, 0u);  // it did read the drip until then
  EXPECT_GE(elapsed, milliseconds(400));
  EXPECT_LT(elapsed, milliseconds(3000)) << "the drip kept the read going";
  // Later reads fail at once: the deadline stays passed.
  const Clock::time_point again = Clock::now();
  EXPECT_EQ(stream.read(&byte, 1), -1);
  EXPECT_LT(Clock::now() - again, milliseconds(100));
}

TEST(DeadlineStreamTest, ReadsNoMoreThanItsBudget) {
  SocketPair pair;
  const std::string sent(100, 'x');
  ASSERT_EQ(::send(pair.client(), sent.data(), sent.size(), 0), 100);
  DeadlineStream stream(pair.server(), Clock::now() + std::chrono::seconds(10), 10,
                        milliseconds(1000));
  char buffer[64];
  size_t total = 0;
  ssize_t got;
  while ((got = stream.read(buffer, sizeof buffer)) > 0) total += static_cast<size_t>(got);
  EXPECT_EQ(got, -1);
  EXPECT_EQ(total, 10u);
  EXPECT_TRUE(stream.read_budget_spent());
  EXPECT_FALSE(stream.read_deadline_passed());
}

TEST(DeadlineStreamTest, AWholeRequestIsReadAndTheEndIsSeen) {
  SocketPair pair;
  const std::string request = "GET /healthz HTTP/1.1\r\n\r\n";
  ASSERT_EQ(::send(pair.client(), request.data(), request.size(), 0),
            static_cast<ssize_t>(request.size()));
  ::shutdown(pair.client(), SHUT_WR);
  DeadlineStream stream(pair.server(), Clock::now() + std::chrono::seconds(10), 1 << 20,
                        milliseconds(1000));
  std::string read;
  char buffer[8];
  ssize_t got;
  while ((got = stream.read(buffer, sizeof buffer)) > 0) read.append(buffer, got);
  EXPECT_EQ(got, 0);  // the end of the stream, not a failure
  EXPECT_EQ(read, request);
  EXPECT_FALSE(stream.read_deadline_passed());
  EXPECT_FALSE(stream.wrote());
}

TEST(DeadlineStreamTest, AClientThatDoesNotReadIsDroppedAtTheWriteDeadline) {
  SocketPair pair;
  DeadlineStream stream(pair.server(), Clock::now() + std::chrono::seconds(10), 1 << 20,
                        milliseconds(300));
  const std::string chunk(64 * 1024, 'r');
  const Clock::time_point start = Clock::now();
  ssize_t sent;
  size_t total = 0;
  // The client reads nothing: the socket buffer fills, then writing waits
  // until the deadline and fails.
  while ((sent = stream.write(chunk.data(), chunk.size())) > 0) {
    total += static_cast<size_t>(sent);
    ASSERT_LT(total, size_t{1} << 30) << "the socket never filled";
  }
  const auto elapsed = Clock::now() - start;
  EXPECT_EQ(sent, -1);
  EXPECT_TRUE(stream.wrote());
  EXPECT_GE(elapsed, milliseconds(300));
  EXPECT_LT(elapsed, milliseconds(3000));
}

}  // namespace
}  // namespace navette::engine
