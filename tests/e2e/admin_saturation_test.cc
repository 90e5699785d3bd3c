// Acceptance (#11, defect 3): clients without a token cannot starve the
// admin API. With 200 concurrent anonymous clients and 16 connections
// dripping a header byte every 2 s, /healthz answers within 1 s and a
// request with a token within 2 s; a peer over its share is refused while
// another address is served; a dripping request is cut at its deadline; a
// body over the cap is refused before it is read. Raw sockets, so that the
// test controls every byte and its timing.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"

namespace navette::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A TCP connection to the engine's admin port from `source` (any 127.0.0.0/8
// address is local on Linux), closed when the object goes.
class RawConnection {
 public:
  static std::unique_ptr<RawConnection> Open(uint16_t port, const char* source = "127.0.0.1") {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return nullptr;
    auto connection = std::unique_ptr<RawConnection>(new RawConnection(fd));
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      return nullptr;
    }
    return connection;
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool Send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Reads until the engine closes the connection or `deadline`; nullopt if
  // the deadline came first (the connection is still open).
  std::optional<std::string> ReadToClose(Clock::time_point deadline) {
    std::string received;
    char buffer[4096];
    for (;;) {
      if (!WaitReadable(deadline)) return std::nullopt;
      const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) return received;  // closed, or reset after the answer
      received.append(buffer, static_cast<size_t>(got));
    }
  }

  // Whether the engine has closed its side or sent something, without
  // waiting.
  bool HeardFromEngine() {
    pollfd entry{fd_, POLLIN, 0};
    return ::poll(&entry, 1, 0) > 0;
  }

  bool WaitReadable(Clock::time_point deadline) {
    const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd entry{fd_, POLLIN, 0};
    return ::poll(&entry, 1, static_cast<int>(left)) > 0;
  }

  int fd() const { return fd_; }

 private:
  explicit RawConnection(int fd) : fd_(fd) {}
  int fd_;
};

// "HTTP/1.1 429 ..." -> 429; 0 if there is no status line.
int StatusOf(const std::string& response) {
  if (response.size() < 12 || !response.starts_with("HTTP/1.")) return 0;
  return std::atoi(response.substr(9, 3).c_str());
}

// One request, asking the engine to close after answering (as the new
// listener always does), so that an answer is timed to the close.
std::string Get(const std::string& path, const std::string& token = "") {
  std::string request =
      fmt::format("GET {} HTTP/1.1\r\nHost: navette\r\nConnection: close\r\n", path);
  if (!token.empty()) request += fmt::format("Authorization: Bearer {}\r\n", token);
  return request + "\r\n";
}

struct Answer {
  int status = 0;  // 0: no answer before the timeout, or no connection
  Clock::duration took{};
  std::string response;
};

// One request on a fresh connection, timed from the connect to the close.
Answer Exchange(uint16_t port, const std::string& request, const char* source = "127.0.0.1",
                Clock::duration timeout = seconds(30)) {
  Answer answer;
  const Clock::time_point start = Clock::now();
  auto connection = RawConnection::Open(port, source);
  if (connection == nullptr || !connection->Send(request)) return answer;
  std::optional<std::string> response = connection->ReadToClose(start + timeout);
  answer.took = Clock::now() - start;
  if (response) {
    answer.status = StatusOf(*response);
    answer.response = std::move(*response);
  }
  return answer;
}

long long Millis(Clock::duration duration) {
  return std::chrono::duration_cast<milliseconds>(duration).count();
}

// Repeats `request` on fresh connections until it is answered `status`:
// the engine counts a connection a moment after the client sees it open.
// The last answer, whatever its status, for the failure message.
Answer ExchangeUntil(int status, uint16_t port, const std::string& request,
                     const char* source = "127.0.0.1") {
  Answer last;
  WaitFor(
      [&] {
        last = Exchange(port, request, source);
        return last.status == status;
      },
      seconds(20));
  return last;
}

class AdminSaturationTest : public EngineTest {
 protected:
  AdminSaturationTest() : EngineTest("navette-admin-saturation") {}

  // The engine with `admin_limits`, more keys of engine.admin (", key: value").
  void StartEngine(const std::string& admin_limits) {
    StartEngineWith(FileEngineConfig(admin_port_, mllp_port_, "  - { name: all, to: [outbox] }\n",
                                     "", admin_limits));
    token_ = engine_->admin_token();
    ASSERT_FALSE(token_.empty());
  }

  std::string token_;
};

// Connections that send one byte of a request head every `pace` and never
// finish it, from a thread of their own, all from `source`.
class Drippers {
 public:
  Drippers(uint16_t port, int count, Clock::duration pace, const char* source) {
    for (int i = 0; i < count; ++i) {
      auto connection = RawConnection::Open(port, source);
      if (connection == nullptr) continue;
      connection->Send("G");
      connections_.push_back(std::move(connection));
    }
    thread_ = std::thread([this, pace] {
      const std::string rest = "ET /v1/messages HTTP/1.1\r\nHost: navette\r\nX-Slow: ";
      size_t next = 0;
      while (!stop_) {
        const Clock::time_point wake = Clock::now() + pace;
        // The pace, not synchronisation: this is the slow client's behaviour.
        while (!stop_ && Clock::now() < wake) std::this_thread::sleep_for(milliseconds(20));
        const std::string byte(1, next < rest.size() ? rest[next++] : 'x');
        for (auto& connection : connections_) connection->Send(byte);
      }
    });
  }
  ~Drippers() {
    stop_ = true;
    thread_.join();
  }
  size_t opened() const { return connections_.size(); }
  // Connections the engine has answered or closed so far.
  size_t heard_from_engine() const {
    size_t heard = 0;
    for (auto& connection : connections_) heard += connection->HeardFromEngine() ? 1 : 0;
    return heard;
  }

 private:
  std::vector<std::unique_ptr<RawConnection>> connections_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// `count` anonymous clients, each sending a request, reading its answer and
// starting again, until destroyed.
class Flood {
 public:
  Flood(uint16_t port, int count) : first_answer_(count) {
    for (int i = 0; i < count; ++i) {
      first_answer_[i] = 0;
      threads_.emplace_back([this, port, i] {
        const std::string request = Get("/v1/messages");
        while (!stop_) {
          ++sent_;
          Answer answer = Exchange(port, request, "127.0.0.1", seconds(30));
          if (answer.status != 0) {
            ++answers_;
            int expected = 0;
            first_answer_[i].compare_exchange_strong(expected, answer.status);
          }
        }
      });
    }
  }
  ~Flood() { Stop(); }
  void Stop() {
    stop_ = true;
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  long sent() const { return sent_; }
  long answers() const { return answers_; }
  // Clients whose first request has had an answer.
  int answered_clients() const {
    int answered = 0;
    for (const auto& status : first_answer_) answered += status != 0 ? 1 : 0;
    return answered;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<long> sent_{0};
  std::atomic<long> answers_{0};
  std::vector<std::atomic<int>> first_answer_;
  std::vector<std::thread> threads_;
};

TEST_F(AdminSaturationTest, ProbesAndATokenAreAnsweredWhileTheApiIsFlooded) {
  // A request_timeout longer than the test, so that the drips stay held
  // throughout: what is measured is the engine under their weight, not
  // after it has cut them.
  StartEngine(", request_timeout: 60s");

  // The drips come from an address of their own, which they fill to its
  // share (16 by default) and no further: from the flood's address, a
  // flooding connection the engine counted before a drip would put that
  // drip over the share, and an over-share request is cut after 2 s.
  Drippers drippers(admin_port_, 16, seconds(2), "127.0.0.3");
  ASSERT_EQ(drippers.opened(), 16u);
  Flood flood(admin_port_, 200);
  // Every client has started; then measure while they keep at it.
  EXPECT_TRUE(WaitFor([&] { return flood.sent() >= 200; }, seconds(10)));

  for (int round = 0; round < 3; ++round) {
    Answer health = Exchange(admin_port_, Get("/healthz"), "127.0.0.1", seconds(10));
    EXPECT_EQ(health.status, 200) << health.response;
    EXPECT_LT(Millis(health.took), 1000) << "/healthz took " << Millis(health.took) << " ms";
    Answer ready = Exchange(admin_port_, Get("/readyz"), "127.0.0.1", seconds(10));
    EXPECT_EQ(ready.status, 200) << ready.response;
    EXPECT_LT(Millis(ready.took), 1000) << "/readyz took " << Millis(ready.took) << " ms";
    Answer listed = Exchange(admin_port_, Get("/v1/messages", token_), "127.0.0.1", seconds(10));
    EXPECT_EQ(listed.status, 200) << listed.response;
    EXPECT_LT(Millis(listed.took), 2000)
        << "GET /v1/messages took " << Millis(listed.took) << " ms";
  }
  EXPECT_EQ(drippers.heard_from_engine(), 0u) << "the drips were not held all along";
  // No anonymous request is left unanswered either (they are refused or
  // answered 401, and quickly).
  EXPECT_TRUE(WaitFor([&] { return flood.answered_clients() == 200; }, seconds(30)))
      << flood.answered_clients() << " of 200 anonymous clients had an answer";
  flood.Stop();
  EXPECT_GE(flood.answers(), 200);
}

TEST_F(AdminSaturationTest, APeerOverItsShareIsRefusedWhileAnotherIsServed) {
  StartEngine(", max_connections_per_peer: 4, request_timeout: 60s");
  // 127.0.0.1 holds its share with connections that send nothing.
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(RawConnection::Open(admin_port_));
    ASSERT_NE(held.back(), nullptr);
  }
  // Once the engine has counted them, a fifth anonymous request from the
  // same address is refused.
  Answer refused = ExchangeUntil(429, admin_port_, Get("/v1/messages"));
  EXPECT_EQ(refused.status, 429) << refused.response;
  EXPECT_NE(refused.response.find("max_connections_per_peer"), std::string::npos)
      << refused.response;

  // Another address is served as usual: its own share is untouched.
  EXPECT_EQ(Exchange(admin_port_, Get("/v1/messages"), "127.0.0.2").status, 401);
  Answer other = Exchange(admin_port_, Get("/v1/messages", token_), "127.0.0.2");
  EXPECT_EQ(other.status, 200) << other.response;

  // Over its share, 127.0.0.1 still gets its probes and its token's
  // requests answered: the kubelet and the CLI share that address.
  Answer health = Exchange(admin_port_, Get("/healthz"));
  EXPECT_EQ(health.status, 200) << health.response;
  EXPECT_EQ(Exchange(admin_port_, Get("/readyz")).status, 200);
  Answer with_token = Exchange(admin_port_, Get("/v1/messages", token_));
  EXPECT_EQ(with_token.status, 200) << with_token.response;
  EXPECT_EQ(Exchange(admin_port_, Get("/v1/messages", "not-a-token")).status, 401);

  // Closing the held connections gives the share back.
  held.clear();
  Answer again = ExchangeUntil(401, admin_port_, Get("/v1/messages"));
  EXPECT_EQ(again.status, 401) << again.response;
}

TEST_F(AdminSaturationTest, OverTheTotalAConnectionIsRefusedUnreadAndTheLogSaysSo) {
  StartEngine(", max_connections: 4, max_connections_per_peer: 4, request_timeout: 60s");
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(RawConnection::Open(admin_port_));
    held.push_back(RawConnection::Open(admin_port_, "127.0.0.2"));
  }
  for (const auto& connection : held) ASSERT_NE(connection, nullptr);
  Answer refused = ExchangeUntil(503, admin_port_, Get("/v1/messages", token_), "127.0.0.3");
  EXPECT_EQ(refused.status, 503) << refused.response;
  EXPECT_NE(refused.response.find("max_connections"), std::string::npos) << refused.response;
  EXPECT_NE(refused.response.find("Retry-After: 1"), std::string::npos) << refused.response;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Exchange(admin_port_, Get("/healthz"), "127.0.0.3").status, 503);
  }
  // Logged, but as a line with a count, not one line per connection.
  const std::string kLine = "refused unread over engine.admin.max_connections";
  EXPECT_TRUE(WaitFor([&] { return engine_->Log().find(kLine) != std::string::npos; }, seconds(10)))
      << engine_->Log();
  const std::string log = engine_->Log();
  size_t lines = 0;
  for (size_t at = log.find(kLine); at != std::string::npos; at = log.find(kLine, at + 1)) {
    ++lines;
  }
  EXPECT_LT(lines, 5u) << log;

  held.clear();
  Answer served = ExchangeUntil(200, admin_port_, Get("/v1/messages", token_), "127.0.0.3");
  EXPECT_EQ(served.status, 200) << served.response;
}

TEST_F(AdminSaturationTest, ADrippingRequestIsCutAtTheDeadline) {
  StartEngine(", request_timeout: 3s");
  auto connection = RawConnection::Open(admin_port_);
  ASSERT_NE(connection, nullptr);
  const Clock::time_point start = Clock::now();
  // One byte a second: each read gets a byte long before httplib's 5 s
  // per-read timeout, so only a deadline for the whole request ends it.
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: navette\r\nX-Slow: ";
  std::optional<std::string> response;
  for (size_t i = 0; Clock::now() - start < seconds(20); ++i) {
    const std::string byte(1, i < head.size() ? head[i] : 'x');
    if (!connection->Send(byte)) break;  // already closed by the engine
    if (connection->WaitReadable(Clock::now() + seconds(1))) {
      response = connection->ReadToClose(Clock::now() + seconds(10));
      break;
    }
  }
  const auto took = Clock::now() - start;
  ASSERT_TRUE(response.has_value()) << "still open after " << Millis(took) << " ms";
  EXPECT_EQ(StatusOf(*response), 408) << *response;
  EXPECT_NE(response->find("request_timeout"), std::string::npos) << *response;
  EXPECT_GE(Millis(took), 2900);
  EXPECT_LT(Millis(took), 8000);
}

// Writes a request head declaring a `declared`-byte body, then the body, as
// fast as the engine takes it, until the engine answers or stops reading.
// Returns the answer and how many body bytes got out.
std::pair<std::string, size_t> SendHugeBody(RawConnection& connection, const std::string& head,
                                            size_t declared) {
  std::pair<std::string, size_t> result;
  if (!connection.Send(head)) return result;
  ::fcntl(connection.fd(), F_SETFL, ::fcntl(connection.fd(), F_GETFL) | O_NONBLOCK);
  const std::string chunk(64 * 1024, 'b');
  const Clock::time_point deadline = Clock::now() + seconds(30);
  while (result.second < declared && Clock::now() < deadline) {
    pollfd entry{connection.fd(), POLLIN | POLLOUT, 0};
    if (::poll(&entry, 1, 100) <= 0) continue;
    if ((entry.revents & POLLIN) != 0) break;  // an answer, or the close
    const ssize_t sent = ::send(connection.fd(), chunk.data(),
                                std::min(chunk.size(), declared - result.second), MSG_NOSIGNAL);
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) break;  // reset by the engine
    if (sent > 0) result.second += static_cast<size_t>(sent);
  }
  ::fcntl(connection.fd(), F_SETFL, ::fcntl(connection.fd(), F_GETFL) & ~O_NONBLOCK);
  result.first = connection.ReadToClose(Clock::now() + seconds(10)).value_or("");
  return result;
}

TEST_F(AdminSaturationTest, ABodyOverTheCapIsRefusedBeforeItIsRead) {
  StartEngine(", max_body_bytes: 65536");
  constexpr size_t k50MiB = 50 * 1024 * 1024;
  // A GET with a token: httplib would answer it and then read the body as
  // the next request. A POST: httplib alone would read all of it to skip it.
  for (const char* request_line : {"GET /v1/messages", "POST /v1/replays"}) {
    SCOPED_TRACE(request_line);
    auto connection = RawConnection::Open(admin_port_);
    ASSERT_NE(connection, nullptr);
    auto [response, sent] =
        SendHugeBody(*connection,
                     fmt::format("{} HTTP/1.1\r\nHost: navette\r\nAuthorization: Bearer {}\r\n"
                                 "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                                 request_line, token_, k50MiB),
                     k50MiB);
    EXPECT_EQ(StatusOf(response), 413) << response;
    EXPECT_NE(response.find("max_body_bytes"), std::string::npos) << response;
    // The socket buffers take a few MiB at most; the rest was never read.
    EXPECT_LT(sent, size_t{16} << 20) << "the engine took " << sent << " bytes of the body";
  }
  // A chunked body has no length to check first: refused.
  Answer chunked = Exchange(
      admin_port_, fmt::format("POST /v1/replays HTTP/1.1\r\nHost: navette\r\nAuthorization: "
                               "Bearer {}\r\nTransfer-Encoding: chunked\r\n\r\n",
                               token_));
  EXPECT_EQ(chunked.status, 411) << chunked.response;
  // A body within the cap still goes through (400: not a valid replay).
  Answer small = Exchange(
      admin_port_, fmt::format("POST /v1/replays HTTP/1.1\r\nHost: navette\r\nAuthorization: "
                               "Bearer {}\r\nContent-Type: application/json\r\n"
                               "Content-Length: 2\r\n\r\n{{}}",
                               token_));
  EXPECT_EQ(small.status, 400) << small.response;
  EXPECT_NE(small.response.find("state"), std::string::npos) << small.response;
}

}  // namespace
}  // namespace navette::testing
