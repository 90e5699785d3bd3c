#include "engine/admin_listener.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "adapters/tls/tls_socket.h"
#include "common/thread_name.h"
#include "engine/admin_responses.h"
#include "engine/deadline_stream.h"
#include "engine/socket_address.h"

namespace navette::engine {
namespace {

using Clock = std::chrono::steady_clock;

// Set on the accepting thread while it hands over a connection it has no
// thread for: process_and_close_socket then refuses it unread. A flag rather
// than an argument because httplib's queue passes an opaque callable.
thread_local bool refuse_unread = false;
// Set on a connection's thread while httplib processes its request, for
// the pre-routing check to know whether the peer is over its share.
thread_local bool serving_over_share = false;
// The stream of the request this thread serves, for RenewWriteDeadline.
thread_local DeadlineStream* serving_stream = nullptr;

// A thread per connection, at most `max_connections` connections at once.
// httplib's ThreadPool queues every connection behind a fixed set of
// workers, which is how 16 dripping clients delayed /healthz by 19 s; here a
// slow client costs its own thread, never another client's turn.
//
// `open` counts connections, not threads: a connection's thread gives its
// place back just before it closes the socket (AdminListener::
// process_and_close_socket), so a client that reconnects the moment it sees
// the close finds the place free even if the old thread has not yet been
// scheduled to exit. Threads still exiting are bounded apart, at twice the
// limit. The threads are detached, and counted: the accepting thread never
// waits on a lock the exiting threads take, and shutdown() returns only once
// every thread has stopped touching the queue.
class ConnectionThreads final : public httplib::TaskQueue {
 public:
  ConnectionThreads(size_t max_connections, std::atomic<size_t>& open,
                    std::function<void()> on_start)
      : max_connections_(max_connections), open_(open) {
    on_start();
  }
  ~ConnectionThreads() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    if (open_ < max_connections_ && threads_ < 2 * max_connections_) {
      ++open_;
      ++threads_;
      try {
        std::thread([this, fn] {
          SetThreadName("admin-conn");
          fn();
          // Under the lock, so that shutdown() cannot see the count reach
          // zero and return before this thread is done with the queue.
          std::lock_guard lock(mu_);
          if (--threads_ == 0) idle_.notify_all();
        }).detach();
        return;
      } catch (const std::system_error&) {
        --open_;  // no thread to be had: refuse as over the limit
        std::lock_guard lock(mu_);
        --threads_;
      }
    }
    refuse_unread = true;
    fn();
    refuse_unread = false;
  }

  void shutdown() override {
    std::unique_lock lock(mu_);
    idle_.wait(lock, [this] { return threads_ == 0; });
  }

 private:
  const size_t max_connections_;
  std::atomic<size_t>& open_;       // the listener's; decremented by the connection
  std::atomic<size_t> threads_{0};  // started and not finished; zero only under mu_
  std::mutex mu_;
  std::condition_variable idle_;
};

bool IsProbe(const std::string& path) { return path == "/healthz" || path == "/readyz"; }

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

// A whole response written without httplib, for a connection it never saw
// (over max_connections) or had nothing to say to (deadline, budget).
std::string RawErrorResponse(int status, const std::string& message) {
  admin::ErrorResponse error;
  error.set_error(message);
  const std::string body = ToJson(error);
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n"
      "Connection: close\r\n{}\r\n{}",
      status, ReasonPhrase(status), body.size(), status == 503 ? "Retry-After: 1\r\n" : "", body);
}

// Ends a connection after its response without losing it. A client still
// sending (a body refused unread, the rest of a request cut at its deadline)
// would get a reset on close, which can discard the response before the
// client reads it; so then stop sending, and drop what still arrives for a
// moment. When nothing is left unread (the usual case) it returns at once.
// The caller closes the socket.
void DrainBeforeClose(int fd) {
  constexpr auto kLinger = std::chrono::milliseconds(500);
  constexpr size_t kLingerBytes = 256 * 1024;
  char peek;
  if (::recv(fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) return;  // nothing unread
  ::shutdown(fd, SHUT_WR);
  const Clock::time_point until = Clock::now() + kLinger;
  size_t dropped = 0;
  char buffer[16 * 1024];
  while (dropped < kLingerBytes) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) break;
    pollfd entry{fd, POLLIN, 0};
    if (::poll(&entry, 1, static_cast<int>(left)) <= 0) break;
    const ssize_t got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got <= 0) break;
    dropped += static_cast<size_t>(got);
  }
}

// Content-Length as a number; nullopt if it is not one (digits only).
std::optional<uint64_t> ParseLength(const std::string& text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

AdminListener::AdminListener(AdminLimits limits)
    : limits_(limits), peer_slots_(limits.max_connections_per_peer) {
  set_payload_max_length(limits_.max_body_bytes);
  Server::set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        return CheckRequest(request, response);
      });
  new_task_queue = [this] {
    // httplib calls this once its loop runs (is_running() is true): from
    // here on, stop() reaches it.
    return new ConnectionThreads(limits_.max_connections, open_connections_, [this] {
      std::lock_guard lock(mu_);
      accepting_ = true;
      accepting_cv_.notify_all();
    });
  };
}

AdminListener::~AdminListener() { Stop(); }

void AdminListener::RenewWriteDeadline() {
  if (serving_stream != nullptr) serving_stream->RenewWriteDeadline();
}

absl::Status AdminListener::Start(const std::string& host, uint16_t port) {
  if (!bind_to_port(host, port)) {
    return absl::UnavailableError(fmt::format(
        "admin API: cannot listen on {}:{} (in use, or not an address here)", host, port));
  }
  // On Linux, listen() again on a listening socket sets its backlog.
  if (::listen(svr_sock_, kListenBacklog) != 0) {
    return absl::InternalError(
        fmt::format("admin API: cannot set the listen backlog on {}:{}", host, port));
  }
  accept_thread_ = std::thread([this] {
    SetThreadName("admin-api");
    listen_after_bind();
    std::lock_guard lock(mu_);
    accepting_ = true;  // even if the loop never ran: Start must not wait for ever
    accepting_cv_.notify_all();
  });
  std::unique_lock lock(mu_);
  accepting_cv_.wait(lock, [this] { return accepting_; });
  return absl::OkStatus();
}

void AdminListener::Stop() {
  if (!accept_thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    // Wakes every connection's poll; its thread then answers nothing more.
    for (int fd : live_) ::shutdown(fd, SHUT_RDWR);
  }
  stop();
  accept_thread_.join();  // httplib's loop joins the connection threads
}

bool AdminListener::Register(int fd) {
  std::lock_guard lock(mu_);
  if (stopping_) return false;
  live_.insert(fd);
  return true;
}

void AdminListener::Unregister(int fd) {
  std::lock_guard lock(mu_);
  live_.erase(fd);
}

bool AdminListener::process_and_close_socket(socket_t sock) {
  const std::string peer = [&] {
    auto address = AddressOf(sock, SocketEnd::kPeer);
    return address ? address->ip : std::string("unknown");
  }();
  if (refuse_unread && limits_.tls != nullptr) {
    // No TLS handshake on the accepting thread, and a 503 in clear means
    // nothing to an HTTPS client: it sees the connection closed.
    ::close(sock);
    refusals_.Count(AdminRefusals::kOverMaxConnections, peer);
    return false;
  }
  if (refuse_unread) {
    // On the accepting thread: no waiting. A fresh socket's send buffer is
    // empty, so the short answer fits.
    const std::string answer =
        RawErrorResponse(503, fmt::format("the admin API has {} connections open, its limit "
                                          "(engine.admin.max_connections); try again",
                                          limits_.max_connections));
    [[maybe_unused]] ssize_t sent =
        ::send(sock, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    // Drops, unparsed, what the client already sent: closing with unread
    // bytes would reset the connection, and the reset can overtake the 503.
    char unread[8 * 1024];
    [[maybe_unused]] ssize_t dropped = ::recv(sock, unread, sizeof unread, MSG_DONTWAIT);
    ::close(sock);
    refusals_.Count(AdminRefusals::kOverMaxConnections, peer);
    return false;
  }
  if (Register(sock)) {
    {
      PeerSlots::Slot slot = peer_slots_.Acquire(peer);
      Serve(sock, peer, slot.over_share());
    }
    Unregister(sock);
    DrainBeforeClose(sock);
  }
  // Before the close, which is what the client waits for: see
  // ConnectionThreads.
  --open_connections_;
  ::close(sock);
  return true;
}

void AdminListener::Serve(int fd, const std::string& peer, bool over_share) {
  // Answers leave at once rather than wait on Nagle for the client's ACK
  // (httplib writes the head and the body apart).
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  const std::chrono::milliseconds timeout =
      over_share ? std::min(limits_.request_timeout, kOverShareRequestTimeout)
                 : limits_.request_timeout;
  const Clock::time_point request_deadline = Clock::now() + timeout;
  std::unique_ptr<adapters::tls::TlsSocket> tls;
  if (limits_.tls != nullptr) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    auto accepted = adapters::tls::TlsSocket::Accept(
        limits_.tls.get(), fd,
        std::min(request_deadline, Clock::now() + limits_.tls_handshake_timeout));
    if (!accepted.ok()) {
      // Plain HTTP lands here too ("the peer does not speak TLS").
      refusals_.Count(AdminRefusals::kTlsHandshake, peer, std::string(accepted.status().message()));
      return;
    }
    tls = std::move(*accepted);
  }
  DeadlineStream stream(fd, request_deadline, kMaxRequestHeadBytes + limits_.max_body_bytes,
                        limits_.request_timeout, tls.get());
  bool connection_closed = true;
  serving_over_share = over_share;
  serving_stream = &stream;
  process_request(stream, /*close_connection=*/true, connection_closed, nullptr);
  serving_stream = nullptr;
  serving_over_share = false;
  if (!stream.wrote()) {
    // httplib said nothing: the client closed, or was cut off. Say why.
    std::string answer;
    if (stream.read_deadline_passed()) {
      refusals_.Count(AdminRefusals::kRequestTimeout, peer);
      answer = RawErrorResponse(
          408, fmt::format("the request was not sent within {} ms (engine.admin.request_timeout)",
                           timeout.count()));
    } else if (stream.read_budget_spent()) {
      refusals_.Count(AdminRefusals::kTooLarge, peer);
      answer = RawErrorResponse(413, "the request is too large");
    }
    if (!answer.empty()) stream.write(answer.data(), answer.size());
  }
  if (tls != nullptr) tls->ShutdownSend();
}

httplib::Server::HandlerResponse AdminListener::CheckRequest(const httplib::Request& request,
                                                             httplib::Response& response) {
  // Bodies are bounded for every method before any of one is read: httplib
  // reads a too-large body whole to skip it, never reads a GET's, and does
  // not bound a chunked one.
  if (request.has_header("Transfer-Encoding")) {
    SendError(response, 411,
              "send the body with a Content-Length (no Transfer-Encoding on the admin API)");
    return HandlerResponse::Handled;
  }
  if (request.has_header("Content-Length")) {
    std::optional<uint64_t> length = ParseLength(request.get_header_value("Content-Length"));
    if (!length || request.get_header_value_count("Content-Length") > 1) {
      SendError(response, 400, "Content-Length must be one number");
      return HandlerResponse::Handled;
    }
    if (*length > limits_.max_body_bytes) {
      refusals_.Count(AdminRefusals::kTooLarge, request.remote_addr);
      SendError(response, 413,
                fmt::format("a request body of {} bytes is over the admin API's limit of {} "
                            "(engine.admin.max_body_bytes)",
                            *length, limits_.max_body_bytes));
      return HandlerResponse::Handled;
    }
  }
  if (serving_over_share && !IsProbe(request.path) && !request.has_header("Authorization")) {
    refusals_.Count(AdminRefusals::kOverPeerShare, request.remote_addr);
    response.set_header("Retry-After", "1");
    SendError(response, 429,
              fmt::format("too many connections from {} (engine.admin.max_connections_per_peer "
                          "is {}); /healthz, /readyz and requests with a token are still "
                          "answered",
                          request.remote_addr, limits_.max_connections_per_peer));
    return HandlerResponse::Handled;
  }
  return access_check_ ? access_check_(request, response) : HandlerResponse::Unhandled;
}

}  // namespace navette::engine
