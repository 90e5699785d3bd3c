#include "adapters/mllp/server.h"

#include <map>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio.hpp>
#include <asio/ssl.hpp>

#include "adapters/mllp/connection.h"
#include "adapters/mllp/io_gate.h"
#include "adapters/mllp/refusal_log.h"
#include "common/fmt_absl.h"
#include "common/thread_name.h"

namespace navette::adapters::mllp {
namespace {

// The address a peer is counted under for max_connections_per_peer: an IPv4
// client of a dual-stack listener ("[::]:2575") arrives as ::ffff:a.b.c.d and
// is the same peer as a.b.c.d.
asio::ip::address PeerAddress(const asio::ip::tcp::endpoint& remote) {
  const asio::ip::address address = remote.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address;
}

// "10 s", or "250 ms" when not a whole number of seconds.
std::string DurationText(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return fmt::format("{} s", duration.count() / 1000);
  return fmt::format("{} ms", duration.count());
}

}  // namespace

// Everything asio stays in here so that users of server.h do not compile it.
// connections_, per_peer_, refusals_ and the acceptor are only touched on the
// io thread (after Start); port_ is written before the thread starts.
class MllpServer::Impl {
 public:
  Impl(MllpServerOptions options, bus::Publisher* publisher, PublisherFactory factory)
      : options_(std::move(options)),
        publisher_(publisher),
        publisher_factory_(std::move(factory)),
        acceptor_(io_),
        accept_retry_timer_(io_),
        gate_(std::make_shared<IoGate>(io_)),
        refusals_(options_.refusal_log_interval),
        refusal_timer_(io_) {}

  absl::Status Start();
  void Stop();
  uint16_t port() const { return port_; }

 private:
  // A failed accept (typically out of file descriptors) is retried after this
  // pause rather than at once, which would spin.
  static constexpr std::chrono::milliseconds kAcceptRetry{100};

  absl::StatusOr<asio::ip::tcp::endpoint> ListenEndpoint();
  void Accept();
  void OnAccepted(asio::ip::tcp::socket socket);
  // Closes a connection over a limit at once, counts it and logs it at a
  // bounded rate. `what` names the limit (and the peer for a per-peer one).
  void Refuse(asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& remote,
              std::string_view reason, const std::string& what);
  void ArmRefusalTimer();
  void OnConnectionClosed(Connection* closed, const asio::ip::address& address);
  void Run();

  const MllpServerOptions options_;
  // Over options_.tls when set (asio's context owns a reference of its own).
  std::optional<asio::ssl::context> tls_;
  bus::Publisher* publisher_;  // the caller's, or owned_publisher_
  PublisherFactory publisher_factory_;
  asio::io_context io_;
  // Declared after io_, so destroyed before it; reset once the io thread has
  // stopped.
  std::unique_ptr<bus::Publisher> owned_publisher_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_timer_;
  std::shared_ptr<IoGate> gate_;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;
  // Open connections by remote address; an address with none has no entry.
  std::map<asio::ip::address, size_t> per_peer_;
  RefusalLog refusals_;
  asio::steady_timer refusal_timer_;
  bool refusal_timer_armed_ = false;
  uint16_t port_ = 0;
  bool started_ = false;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
};

absl::StatusOr<asio::ip::tcp::endpoint> MllpServer::Impl::ListenEndpoint() {
  std::error_code error;
  asio::ip::address address = asio::ip::make_address(options_.listen_host, error);
  if (!error) return asio::ip::tcp::endpoint(address, options_.listen_port);
  asio::ip::tcp::resolver resolver(io_);
  auto results = resolver.resolve(options_.listen_host, std::to_string(options_.listen_port),
                                  asio::ip::tcp::resolver::passive, error);
  if (error || results.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("mllp source {}: cannot resolve listen host {:?}: {}", options_.source_name,
                    options_.listen_host, error ? error.message() : "no address"));
  }
  return results.begin()->endpoint();
}

absl::Status MllpServer::Impl::Start() {
  if (started_) {
    return absl::FailedPreconditionError(
        fmt::format("mllp source {}: a server starts only once", options_.source_name));
  }
  // Zero would refuse every message or connection: a configuration mistake
  // (defaults not applied), better reported than served.
  if (options_.max_message_bytes == 0 || options_.max_connections == 0 ||
      options_.max_connections_per_peer == 0) {
    return absl::InvalidArgumentError(
        fmt::format("mllp source {}: max_message_bytes, max_connections and "
                    "max_connections_per_peer must be above 0",
                    options_.source_name));
  }
  if (options_.tls != nullptr) {
    SSL_CTX_up_ref(options_.tls.get());
    tls_.emplace(options_.tls.get());
  }
  auto endpoint = ListenEndpoint();
  if (!endpoint.ok()) return endpoint.status();
  std::error_code error;
  acceptor_.open(endpoint->protocol(), error);
  if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(*endpoint, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    std::error_code ignored;
    acceptor_.close(ignored);
    // The engine names the source, and where it is configured, around this.
    return absl::UnavailableError(
        fmt::format("cannot listen on {}: {}", PeerName(*endpoint), error.message()));
  }
  port_ = acceptor_.local_endpoint(error).port();
  spdlog::info("mllp source {}: listening on {}{}", options_.source_name,
               PeerName(asio::ip::tcp::endpoint(endpoint->address(), port_)), tls_ ? " (TLS)" : "");
  if (publisher_factory_) {
    auto publisher = publisher_factory_(io_);
    if (!publisher.ok()) {
      std::error_code ignored;
      acceptor_.close(ignored);
      return absl::UnavailableError(
          fmt::format("mllp source {}: {}", options_.source_name, publisher.status().message()));
    }
    owned_publisher_ = std::move(*publisher);
    publisher_ = owned_publisher_.get();
  }
  Accept();
  work_.emplace(io_.get_executor());
  started_ = true;
  thread_ = std::thread([this] {
    SetThreadName("mllp-" + options_.source_name);
    Run();
  });
  return absl::OkStatus();
}

void MllpServer::Impl::Run() {
  // Handlers report errors through error codes; an exception here is a bug in
  // a library or in navette, and the other connections must keep being served.
  while (true) {
    try {
      io_.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("mllp source {}: unexpected exception in the io thread: {}",
                    options_.source_name, e.what());
    }
  }
}

void MllpServer::Impl::Accept() {
  acceptor_.async_accept([this](const std::error_code& error, asio::ip::tcp::socket socket) {
    if (error == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (error) {
      spdlog::warn("mllp source {}: accept failed: {}", options_.source_name, error.message());
      accept_retry_timer_.expires_after(kAcceptRetry);
      accept_retry_timer_.async_wait([this](const std::error_code& timer_error) {
        if (!timer_error) Accept();
      });
      return;
    }
    OnAccepted(std::move(socket));
    Accept();
  });
}

void MllpServer::Impl::OnAccepted(asio::ip::tcp::socket socket) {
  std::error_code error;
  asio::ip::tcp::endpoint remote = socket.remote_endpoint(error);
  if (error) return;  // already gone
  if (connections_.size() >= options_.max_connections) {
    Refuse(socket, remote, "connection_limit",
           fmt::format("over the limit of {} connections", options_.max_connections));
    return;
  }
  const asio::ip::address address = PeerAddress(remote);
  if (auto open = per_peer_.find(address);
      open != per_peer_.end() && open->second >= options_.max_connections_per_peer) {
    Refuse(socket, remote, "peer_connection_limit",
           fmt::format("from {} over the per-peer limit of {}", address.to_string(),
                       options_.max_connections_per_peer));
    return;
  }
  std::string peer = PeerName(remote);
  // Keepalive notices peers that vanished without a FIN (a switched-off
  // modality); no-delay sends each ACK at once instead of waiting for more.
  socket.set_option(asio::socket_base::keep_alive(true), error);
  socket.set_option(asio::ip::tcp::no_delay(true), error);
  spdlog::info("mllp source {}: peer {}: connected", options_.source_name, peer);
  MllpStream stream = tls_ ? MllpStream(std::move(socket), *tls_) : MllpStream(std::move(socket));
  auto connection = std::make_shared<Connection>(
      std::move(stream), std::move(peer), options_, *publisher_, gate_,
      [this, address](Connection* closed) { OnConnectionClosed(closed, address); });
  connections_.emplace(connection.get(), connection);
  ++per_peer_[address];
  connection->Start();
}

void MllpServer::Impl::OnConnectionClosed(Connection* closed, const asio::ip::address& address) {
  connections_.erase(closed);
  if (auto open = per_peer_.find(address); open != per_peer_.end() && --open->second == 0) {
    per_peer_.erase(open);
  }
}

void MllpServer::Impl::Refuse(asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& remote,
                              std::string_view reason, const std::string& what) {
  std::error_code ignored;
  socket.close(ignored);
  if (options_.on_rejected) options_.on_rejected(reason);
  if (refusals_.Refused(what, std::chrono::steady_clock::now())) {
    spdlog::warn(
        "mllp source {}: refusing connection {} (peer {}); further refusals like it are counted "
        "and logged every {}",
        options_.source_name, what, PeerName(remote), DurationText(options_.refusal_log_interval));
  }
  ArmRefusalTimer();
}

void MllpServer::Impl::ArmRefusalTimer() {
  if (refusal_timer_armed_) return;
  std::optional<RefusalLog::Clock::time_point> next = refusals_.NextFlush();
  if (!next) return;
  refusal_timer_armed_ = true;
  refusal_timer_.expires_at(*next);
  refusal_timer_.async_wait([this](const std::error_code& error) {
    refusal_timer_armed_ = false;
    if (error) return;  // stopped
    for (const RefusalLog::Summary& summary : refusals_.Flush(std::chrono::steady_clock::now())) {
      spdlog::warn("mllp source {}: refused {} more connections {} in the last {}",
                   options_.source_name, summary.count, summary.what,
                   DurationText(options_.refusal_log_interval));
    }
    ArmRefusalTimer();
  });
}

void MllpServer::Impl::Stop() {
  if (!thread_.joinable()) return;
  gate_->Close();
  asio::post(io_, [this] {
    std::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_timer_.cancel();
    refusal_timer_.cancel();
    std::vector<std::shared_ptr<Connection>> open;
    for (auto& [key, connection] : connections_) open.push_back(connection);
    for (auto& connection : open) connection->Close();
    connections_.clear();
    per_peer_.clear();
    // Fails what is still in flight (the gate drops those callbacks) and
    // cancels the publisher's waits, so that run() can return.
    owned_publisher_.reset();
  });
  // With the acceptor, timers and sockets closed, run() returns once the
  // cancelled handlers have run.
  work_.reset();
  thread_.join();
  spdlog::info("mllp source {}: stopped", options_.source_name);
}

MllpServer::MllpServer(MllpServerOptions options, bus::Publisher& publisher)
    : impl_(std::make_unique<Impl>(std::move(options), &publisher, nullptr)) {}

MllpServer::MllpServer(MllpServerOptions options, PublisherFactory publisher_factory)
    : impl_(std::make_unique<Impl>(std::move(options), nullptr, std::move(publisher_factory))) {}

MllpServer::~MllpServer() { Stop(); }

absl::Status MllpServer::Start() { return impl_->Start(); }

uint16_t MllpServer::port() const { return impl_->port(); }

void MllpServer::Stop() { impl_->Stop(); }

}  // namespace navette::adapters::mllp
