#include "engine/bus_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/fmt_absl.h"
#include "common/thread_name.h"
#include "engine/metrics.h"

namespace navette::engine {
namespace {

// "ip:port" of the connected socket `fd`, read when libzmq reports it
// accepted; empty when it is already gone.
std::string PeerOfFd(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    if (::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text)) == nullptr) return "";
    return fmt::format("{}:{}", text, ntohs(v4->sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    if (::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text)) == nullptr) return "";
    return fmt::format("[{}]:{}", text, ntohs(v6->sin6_port));
  }
  return "";
}

std::string IntervalText(std::chrono::milliseconds interval) {
  if (interval.count() % 1000 == 0) return fmt::format("{}s", interval.count() / 1000);
  return fmt::format("{}ms", interval.count());
}

// The monitor's events that tell of a connection and of its handshake.
constexpr int kWatchedEvents = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_CLOSED |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;

}  // namespace

BusGuard::BusGuard(zmq::context_t& context, BusGuardOptions options)
    : context_(context),
      options_(std::move(options)),
      authorized_(options_.authorized_keys.begin(), options_.authorized_keys.end()),
      watch_(PeerOfFd),
      log_(options_.refusal_log_interval) {}

BusGuard::~BusGuard() { Stop(); }

absl::Status BusGuard::Start(zmq::socket_t& watched) {
  try {
    zap_ = zmq::socket_t(context_, zmq::socket_type::rep);
    zap_.set(zmq::sockopt::linger, 0);
    // Only one ZAP handler may exist in a context: a second engine in the
    // same process (tests) would fail here, loudly.
    zap_.bind(kZapEndpoint);
    if (zmq_socket_monitor(watched.handle(), kIngressMonitorEndpoint, kWatchedEvents) != 0) {
      return absl::InternalError(fmt::format("bus guard: cannot monitor the ingress socket: {}",
                                             zmq_strerror(zmq_errno())));
    }
    monitor_ = zmq::socket_t(context_, zmq::socket_type::pair);
    monitor_.set(zmq::sockopt::linger, 0);
    monitor_.connect(kIngressMonitorEndpoint);
  } catch (const zmq::error_t& error) {
    return absl::UnavailableError(fmt::format("bus guard: {}", error.what()));
  }
  thread_ = std::thread([this] {
    SetThreadName("bus-guard");
    Run();
  });
  return absl::OkStatus();
}

void BusGuard::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (monitor_.handle() != nullptr) monitor_.close();
  if (zap_.handle() != nullptr) zap_.close();
}

void BusGuard::Run() {
  while (!stopping_) {
    zmq::pollitem_t items[] = {{zap_.handle(), 0, ZMQ_POLLIN, 0},
                               {monitor_.handle(), 0, ZMQ_POLLIN, 0}};
    // The timeout bounds how long Stop() waits, and how late a summary of
    // counted refusals is logged.
    auto timeout = std::chrono::milliseconds(100);
    try {
      zmq::poll(items, 2, timeout);
    } catch (const zmq::error_t& error) {
      if (error.num() == ETERM) return;
      spdlog::error("bus guard: poll failed: {}", error.what());
      continue;
    }
    if (items[0].revents & ZMQ_POLLIN) AnswerZap();
    if (items[1].revents & ZMQ_POLLIN) ReadMonitor();
    FlushLog();
  }
}

void BusGuard::AnswerZap() {
  std::vector<std::string> frames;
  try {
    zmq::message_t frame;
    do {
      if (!zap_.recv(frame, zmq::recv_flags::none)) return;
      frames.emplace_back(frame.to_string());
    } while (frame.more());
  } catch (const zmq::error_t& error) {
    spdlog::error("bus guard: cannot read a ZAP request: {}", error.what());
    return;
  }
  auto request = ParseZapRequest(frames);
  ZapVerdict verdict;
  ZapRequest unreadable;
  if (request.ok()) {
    verdict = JudgeZap(*request, authorized_);
  } else {
    // Still answered, or libzmq's handshake would wait for ever; with the
    // request id when there is one.
    if (frames.size() > 1) unreadable.request_id = frames[1];
    verdict.status_code = "500";
    verdict.status_text = "unreadable request";
    spdlog::error("bus guard: {}", request.status().message());
  }
  const ZapRequest& answered = request.ok() ? *request : unreadable;
  const std::vector<std::string> reply = ZapReplyFrames(answered, verdict);
  try {
    for (size_t i = 0; i < reply.size(); ++i) {
      zap_.send(zmq::buffer(reply[i]),
                i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  } catch (const zmq::error_t& error) {
    spdlog::error("bus guard: cannot answer a ZAP request: {}", error.what());
  }
  if (!request.ok()) return;
  if (verdict.allowed) {
    spdlog::debug("bus: adapter {} authorized from {}", verdict.user_id, request->address);
    return;
  }
  Refused(verdict.reason,
          fmt::format("refused a connection from {}: {}", request->address, verdict.explanation));
}

void BusGuard::ReadMonitor() {
  while (true) {
    zmq::message_t first, second;
    try {
      if (!monitor_.recv(first, zmq::recv_flags::dontwait)) return;
      if (!first.more() || !monitor_.recv(second, zmq::recv_flags::none)) continue;
    } catch (const zmq::error_t& error) {
      spdlog::error("bus guard: cannot read the ingress monitor: {}", error.what());
      return;
    }
    std::optional<MonitorEvent> event =
        ParseMonitorEvent(first.to_string_view(), second.to_string_view());
    if (!event) continue;
    for (const HandshakeRefusal& refusal : watch_.Take(*event)) {
      Refused(refusal.reason, fmt::format("refused a connection from {} on {}: {}", refusal.peer,
                                          refusal.endpoint, refusal.explanation));
    }
  }
}

void BusGuard::Refused(std::string_view reason, const std::string& line) {
  if (options_.metrics != nullptr) options_.metrics->BusHandshakeRefused(reason);
  if (log_.Refused(std::string(reason), std::chrono::steady_clock::now())) {
    spdlog::warn("bus: {}; further refusals for this reason ({}) are counted and logged every {}",
                 line, reason, IntervalText(options_.refusal_log_interval));
  }
}

void BusGuard::FlushLog() {
  for (const auto& summary : log_.Flush(std::chrono::steady_clock::now())) {
    spdlog::warn("bus: refused {} more connections ({}) in the last {}", summary.count,
                 summary.what, IntervalText(options_.refusal_log_interval));
  }
}

}  // namespace navette::engine
