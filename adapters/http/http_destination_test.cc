#include "adapters/http/http_destination.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

// pkg-config's flags for cpp-httplib define it already; the header needs it
// for SSLServer.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <httplib.h>

#include "tests/support/test_pki.h"

namespace navette::adapters::http {
namespace {

using namespace std::chrono_literals;
using Outcome = DeliveryResult::Outcome;

// What the server saw of one request.
struct Received {
  std::string body;
  std::string content_type;
  std::string message_id;
  std::string sender;  // the configured X-Sender header
  int remote_port = -1;
  std::string client_cn;  // the client certificate's CN, over mutual TLS
};

std::string PeerCommonName(const httplib::Request& request) {
  if (request.ssl == nullptr) return {};
  X509* certificate = SSL_get1_peer_certificate(request.ssl);
  if (certificate == nullptr) return {};
  char name[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, name, sizeof(name));
  X509_free(certificate);
  return name;
}

// A cpp-httplib server (plain or TLS) on 127.0.0.1 and a free port, serving
// POST /in from its own thread. It records every request, then lets the
// test's handler answer; a server made with kNeverAnswer holds every request
// until it is destroyed.
//
// Declare it before the destination under test: the destination then closes
// its kept-alive connections first, and the server's threads, which wait on
// them, end at once.
class TestServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  struct NeverAnswer {};
  static constexpr NeverAnswer kNeverAnswer{};

  explicit TestServer(NeverAnswer)
      : TestServer([this](const httplib::Request&, httplib::Response&) { WaitForTeardown(); }) {}

  explicit TestServer(Handler handler,
                      std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>(),
                      std::string host = "127.0.0.1")
      : server_(std::move(server)), host_(std::move(host)) {
    server_->Post("/in", [this, handler = std::move(handler)](const httplib::Request& request,
                                                              httplib::Response& response) {
      {
        std::lock_guard lock(mu_);
        received_.push_back({request.body, request.get_header_value("Content-Type"),
                             request.get_header_value("X-Navette-Message-Id"),
                             request.get_header_value("X-Sender"), request.remote_port,
                             PeerCommonName(request)});
      }
      handler(request, response);
    });
    // Bound and listening from here: a connection made before the thread
    // below starts accepting waits in the backlog.
    port_ = server_->bind_to_any_port(host_);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
  }

  ~TestServer() {
    {
      std::lock_guard lock(mu_);
      tearing_down_ = true;
    }
    teardown_.notify_all();
    // stop() does nothing before the accept loop runs: wait for it.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    server_->stop();
    thread_.join();
  }

  int port() const { return port_; }
  // `host` names the server's address another way ("localhost").
  std::string Url(std::string_view scheme = "http", std::string_view host = "") const {
    return fmt::format("{}://{}:{}/in", scheme, host.empty() ? host_ : host, port_);
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  void WaitForTeardown() {
    std::unique_lock lock(mu_);
    teardown_.wait(lock, [this] { return tearing_down_; });
  }

  std::unique_ptr<httplib::Server> server_;
  std::string host_;
  int port_ = -1;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable teardown_;
  bool tearing_down_ = false;       // guarded by mu_
  std::vector<Received> received_;  // guarded by mu_
};

TestServer::Handler Answer(int status, std::string body = "") {
  return [status, body](const httplib::Request&, httplib::Response& response) {
    response.status = status;
    if (!body.empty()) response.set_content(body, "text/plain");
  };
}

navette::config::HttpDestination Config(const std::string& url) {
  navette::config::HttpDestination config;
  config.set_url(url);
  config.mutable_connect_timeout()->set_seconds(5);
  config.mutable_timeout()->set_seconds(10);
  return config;
}

std::unique_ptr<HttpDestination> Make(const navette::config::HttpDestination& config,
                                      uint32_t max_in_flight = 1) {
  auto destination = HttpDestination::Create(config, max_in_flight);
  EXPECT_TRUE(destination.ok()) << destination.status();
  return destination.ok() ? *std::move(destination) : nullptr;
}

navette::store::StoredMessage Message(std::string raw,
                                      std::string content_type = "application/hl7-v2") {
  navette::store::StoredMessage message;
  message.mutable_envelope()->set_raw(std::move(raw));
  message.mutable_envelope()->set_content_type(std::move(content_type));
  return message;
}

constexpr uint64_t kMessageId = 0x0123456789abcdefULL;

DeliveryResult Deliver(HttpDestination& destination, const navette::store::StoredMessage& message,
                       uint64_t id = kMessageId) {
  return destination.Deliver({id, "route", &message, 0});
}

const std::string kHl7(
    "MSH|^~\\&|LAB|CHU|DPI|CHU|20240102030405||ORU^R01|MSG0001|P|2.5\r"
    "PID|||123^^^CHU||DUPONT^Ren\xc3\xa9\r",
    84);

TEST(HttpDestinationTest, PostsTheExactBytesWithHeadersAndIsDeliveredOn200) {
  TestServer server(Answer(200, "ok"));
  navette::config::HttpDestination config = Config(server.Url());
  (*config.mutable_headers())["X-Sender"] = "navette-test";
  auto destination = Make(config);
  ASSERT_NE(destination, nullptr);

  const auto message = Message(kHl7);
  DeliveryResult result = Deliver(*destination, message);
  EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
  EXPECT_EQ(result.detail, "HTTP 200");

  std::vector<Received> received = server.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].body, kHl7);
  EXPECT_EQ(received[0].content_type, "x-application/hl7-v2+er7");
  EXPECT_EQ(received[0].message_id, "0123456789abcdef");
  EXPECT_EQ(received[0].sender, "navette-test");
}

TEST(HttpDestinationTest, ContentTypeIsTheConfiguredOneElseTheEnvelopes) {
  TestServer server(Answer(204));
  {
    auto destination = Make(Config(server.Url()));
    ASSERT_NE(destination, nullptr);
    EXPECT_EQ(Deliver(*destination, Message("{}", "application/fhir+json")).outcome,
              Outcome::kDelivered);
    EXPECT_EQ(Deliver(*destination, Message(kHl7, "")).outcome, Outcome::kDelivered);
  }
  navette::config::HttpDestination config = Config(server.Url());
  (*config.mutable_headers())["content-type"] = "text/plain; charset=UTF-8";
  auto configured = Make(config);
  ASSERT_NE(configured, nullptr);
  EXPECT_EQ(Deliver(*configured, Message(kHl7)).outcome, Outcome::kDelivered);

  std::vector<Received> received = server.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].content_type, "application/fhir+json");
  EXPECT_EQ(received[1].content_type, "x-application/hl7-v2+er7");
  EXPECT_EQ(received[2].content_type, "text/plain; charset=UTF-8");
}

TEST(HttpDestinationTest, ServiceUnavailableIsTransient) {
  TestServer server(Answer(503));
  auto destination = Make(Config(server.Url()));
  ASSERT_NE(destination, nullptr);
  DeliveryResult result = Deliver(*destination, Message(kHl7));
  EXPECT_EQ(result.outcome, Outcome::kTransient);
  EXPECT_EQ(result.detail, "HTTP 503");
  EXPECT_EQ(result.retry_after, 0ms);
}

TEST(HttpDestinationTest, TooManyRequestsCarriesRetryAfterSeconds) {
  TestServer server([](const httplib::Request&, httplib::Response& response) {
    response.status = 429;
    response.set_header("Retry-After", "7");
  });
  auto destination = Make(Config(server.Url()));
  ASSERT_NE(destination, nullptr);
  DeliveryResult result = Deliver(*destination, Message(kHl7));
  EXPECT_EQ(result.outcome, Outcome::kTransient);
  EXPECT_EQ(result.detail, "HTTP 429");
  EXPECT_EQ(result.retry_after, 7s);
}

TEST(HttpDestinationTest, RetryAfterMayBeAnHttpDate) {
  const std::time_t in_two_minutes = std::time(nullptr) + 120;
  std::tm utc{};
  gmtime_r(&in_two_minutes, &utc);
  char date[64];
  std::strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  TestServer server([&date](const httplib::Request&, httplib::Response& response) {
    response.status = 503;
    response.set_header("Retry-After", date);
  });
  auto destination = Make(Config(server.Url()));
  ASSERT_NE(destination, nullptr);
  DeliveryResult result = Deliver(*destination, Message(kHl7));
  EXPECT_EQ(result.outcome, Outcome::kTransient);
  EXPECT_GT(result.retry_after, 100s) << date;
  EXPECT_LE(result.retry_after, 120s) << date;
}

TEST(HttpDestinationTest, BadRequestIsPermanentWithTheStartOfTheBodyOnOneLine) {
  // ISO 8859-1 text, a line break, and more than 100 bytes.
  TestServer server(Answer(400, "Requ\xe9te invalide\r\n" + std::string(200, 'x')));
  auto destination = Make(Config(server.Url()));
  ASSERT_NE(destination, nullptr);
  DeliveryResult result = Deliver(*destination, Message(kHl7));
  EXPECT_EQ(result.outcome, Outcome::kPermanent);
  // The first 100 bytes: 18 of text, then 82 of 'x'.
  EXPECT_EQ(result.detail, "HTTP 400: Requ?te invalide " + std::string(82, 'x'));
}

TEST(HttpDestinationTest, NotFoundIsPermanent) {
  TestServer server(Answer(404));
  auto destination = Make(Config(server.Url()));
  ASSERT_NE(destination, nullptr);
  DeliveryResult result = Deliver(*destination, Message(kHl7));
  EXPECT_EQ(result.outcome, Outcome::kPermanent);
  EXPECT_EQ(result.detail, "HTTP 404");
}

TEST(HttpDestinationTest, StatusClasses) {
  // The server answers with the status the message asks for.
  TestServer server([](const httplib::Request& request, httplib::Response& response) {
    response.status = std::stoi(request.body);
  });
  auto destination = Make(Config(server.Url()));
  ASSERT_NE(destination, nullptr);
  const std::vector<std::pair<int, Outcome>> cases = {
      {200, Outcome::kDelivered}, {201, Outcome::kDelivered}, {204, Outcome::kDelivered},
      {301, Outcome::kPermanent}, {409, Outcome::kPermanent}, {422, Outcome::kPermanent},
      {408, Outcome::kTransient}, {500, Outcome::kTransient}, {502, Outcome::kTransient},
      {504, Outcome::kTransient}};
  for (const auto& [status, outcome] : cases) {
    DeliveryResult result = Deliver(*destination, Message(std::to_string(status)));
    EXPECT_EQ(result.outcome, outcome) << status << ": " << result.detail;
    EXPECT_EQ(result.detail, fmt::format("HTTP {}", status));
  }
}

TEST(HttpDestinationTest, ConnectionRefusedIsTransient) {
  // A port bound but not listening: a connection to it is refused, and no
  // other process can take the port while the test runs.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);

  auto destination = Make(Config(fmt::format("http://127.0.0.1:{}/in", ntohs(address.sin_port))));
  ASSERT_NE(destination, nullptr);
  DeliveryResult result = Deliver(*destination, Message(kHl7));
  EXPECT_EQ(result.outcome, Outcome::kTransient);
  EXPECT_EQ(result.detail, "connect: Connection refused");
  ::close(fd);
}

TEST(HttpDestinationTest, NoAnswerWithinTheTimeoutIsTransient) {
  TestServer server(TestServer::kNeverAnswer);
  navette::config::HttpDestination config = Config(server.Url());
  config.mutable_timeout()->set_seconds(0);
  config.mutable_timeout()->set_nanos(200'000'000);
  auto destination = Make(config);
  ASSERT_NE(destination, nullptr);
  DeliveryResult result = Deliver(*destination, Message(kHl7));
  EXPECT_EQ(result.outcome, Outcome::kTransient);
  EXPECT_TRUE(result.detail.starts_with("timeout: ")) << result.detail;
  EXPECT_EQ(server.received().size(), 1u);
}

TEST(HttpDestinationTest, MalformedUrlIsPermanent) {
  auto destination = Make(Config("http://"));
  ASSERT_NE(destination, nullptr);
  DeliveryResult result = Deliver(*destination, Message(kHl7));
  EXPECT_EQ(result.outcome, Outcome::kPermanent) << result.detail;
  EXPECT_TRUE(result.detail.starts_with("url: ")) << result.detail;
}

TEST(HttpDestinationTest, KeepsItsConnectionAcrossDeliveries) {
  TestServer server(Answer(200));
  auto destination = Make(Config(server.Url()));
  ASSERT_NE(destination, nullptr);
  ASSERT_EQ(Deliver(*destination, Message(kHl7), 1).outcome, Outcome::kDelivered);
  ASSERT_EQ(Deliver(*destination, Message(kHl7), 2).outcome, Outcome::kDelivered);
  std::vector<Received> received = server.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].remote_port, received[1].remote_port);
}

TEST(HttpDestinationTest, DeliversFromSeveralThreadsAtOnce) {
  TestServer server(Answer(200));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  auto destination = Make(Config(server.Url()), kThreads);
  ASSERT_NE(destination, nullptr);
  const auto message = Message(kHl7);
  std::vector<std::vector<DeliveryResult>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        results[t].push_back(Deliver(*destination, message, t * kPerThread + i + 1));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& per_thread : results) {
    for (const DeliveryResult& result : per_thread) {
      EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
    }
  }
  std::set<std::string> ids;
  for (const Received& received : server.received()) {
    EXPECT_EQ(received.body, kHl7);
    ids.insert(received.message_id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(HttpDestinationTest, CreateRejectsAConfigurationThatCouldNeverDeliver) {
  EXPECT_EQ(HttpDestination::Create(Config("ftp://127.0.0.1/in"), 1).status().code(),
            absl::StatusCode::kInvalidArgument);

  navette::config::HttpDestination no_timeout = Config("http://127.0.0.1/in");
  no_timeout.mutable_timeout()->set_seconds(0);
  EXPECT_EQ(HttpDestination::Create(no_timeout, 1).status().code(),
            absl::StatusCode::kInvalidArgument);

  navette::config::HttpDestination half_client_cert = Config("https://127.0.0.1/in");
  half_client_cert.mutable_tls()->set_cert_file("/etc/hostname");
  EXPECT_EQ(HttpDestination::Create(half_client_cert, 1).status().code(),
            absl::StatusCode::kInvalidArgument);

  navette::config::HttpDestination missing_ca = Config("https://127.0.0.1/in");
  missing_ca.mutable_tls()->set_ca_file("/nonexistent/ca.pem");
  EXPECT_EQ(HttpDestination::Create(missing_ca, 1).status().code(),
            absl::StatusCode::kFailedPrecondition);

  navette::config::HttpDestination smuggled = Config("http://127.0.0.1/in");
  (*smuggled.mutable_headers())["X-A"] = "1\r\nX-B: 2";
  EXPECT_EQ(HttpDestination::Create(smuggled, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Certificates made for the test run with the openssl command
// (tests/support/test_pki.h): a CA, a server certificate for 127.0.0.1 and
// localhost and a client certificate both signed by it, and another CA that
// signed neither.
class HttpsDestinationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     fmt::format("navette-http-test-{}", ::getpid()));
    std::filesystem::remove_all(*dir_);
    pki_ = new navette::testing::TestPki(*dir_);
  }

  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete pki_;
    pki_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override { ASSERT_TRUE(pki_->ok()) << pki_->error(); }

  static std::string Path(std::string_view name) { return (*dir_ / name).string(); }

  static std::unique_ptr<httplib::Server> TlsServer(bool require_client_certificate = false) {
    auto server = std::make_unique<httplib::SSLServer>(
        Path("server.pem").c_str(), Path("server.key").c_str(),
        require_client_certificate ? Path("ca.pem").c_str() : nullptr);
    EXPECT_TRUE(server->is_valid());
    return server;
  }

  static navette::config::HttpDestination TlsConfig(const TestServer& server,
                                                    std::string_view host = "") {
    navette::config::HttpDestination config = Config(server.Url("https", host));
    config.mutable_tls()->set_ca_file(Path("ca.pem"));
    return config;
  }

  static std::filesystem::path* dir_;
  static navette::testing::TestPki* pki_;
};

std::filesystem::path* HttpsDestinationTest::dir_ = nullptr;
navette::testing::TestPki* HttpsDestinationTest::pki_ = nullptr;

TEST_F(HttpsDestinationTest, DeliversToAServerSignedByTheConfiguredCa) {
  TestServer server(Answer(200), TlsServer());
  for (std::string_view host : {"127.0.0.1", "localhost"}) {
    auto destination = Make(TlsConfig(server, host));
    ASSERT_NE(destination, nullptr);
    // Twice: the second delivery reuses the TLS connection.
    for (uint64_t id : {1, 2}) {
      DeliveryResult result = Deliver(*destination, Message(kHl7), id);
      EXPECT_EQ(result.outcome, Outcome::kDelivered) << host << ": " << result.detail;
    }
  }
  std::vector<Received> received = server.received();
  ASSERT_EQ(received.size(), 4u);
  EXPECT_EQ(received[0].body, kHl7);
  EXPECT_EQ(received[0].remote_port, received[1].remote_port);
  EXPECT_EQ(received[2].remote_port, received[3].remote_port);
}

TEST_F(HttpsDestinationTest, AnUntrustedServerCertificateIsPermanent) {
  TestServer server(Answer(200), TlsServer());
  navette::config::HttpDestination system_store = Config(server.Url("https"));
  navette::config::HttpDestination other_ca = TlsConfig(server);
  other_ca.mutable_tls()->set_ca_file(Path("other_ca.pem"));
  for (const auto& config : {system_store, other_ca}) {
    auto destination = Make(config);
    ASSERT_NE(destination, nullptr);
    DeliveryResult result = Deliver(*destination, Message(kHl7));
    EXPECT_EQ(result.outcome, Outcome::kPermanent) << result.detail;
    EXPECT_TRUE(result.detail.starts_with("tls: ")) << result.detail;
  }
  EXPECT_TRUE(server.received().empty());
}

TEST_F(HttpsDestinationTest, AServerCertificateForAnotherNameIsPermanent) {
  // 127.0.0.2 is loopback too, but not a name the certificate holds.
  TestServer server(Answer(200), TlsServer(), "127.0.0.2");
  auto destination = Make(TlsConfig(server));
  ASSERT_NE(destination, nullptr);
  DeliveryResult result = Deliver(*destination, Message(kHl7));
  EXPECT_EQ(result.outcome, Outcome::kPermanent) << result.detail;
  EXPECT_TRUE(result.detail.starts_with("tls: ")) << result.detail;
  EXPECT_TRUE(server.received().empty());
}

TEST_F(HttpsDestinationTest, PresentsTheClientCertificateToAServerThatRequiresOne) {
  TestServer server(Answer(200), TlsServer(/*require_client_certificate=*/true));

  navette::config::HttpDestination with_certificate = TlsConfig(server);
  with_certificate.mutable_tls()->set_cert_file(Path("client.pem"));
  with_certificate.mutable_tls()->set_key_file(Path("client.key"));
  auto destination = Make(with_certificate);
  ASSERT_NE(destination, nullptr);
  DeliveryResult result = Deliver(*destination, Message(kHl7));
  EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
  std::vector<Received> received = server.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].client_cn, "navette-client");

  auto without_certificate = Make(TlsConfig(server));
  ASSERT_NE(without_certificate, nullptr);
  result = Deliver(*without_certificate, Message(kHl7));
  // Seen as a failed handshake or exchange, which libcurl cannot tell from
  // a network failure: transient (see http_destination.h).
  EXPECT_EQ(result.outcome, Outcome::kTransient) << result.detail;
  EXPECT_EQ(server.received().size(), 1u);
}

}  // namespace
}  // namespace navette::adapters::http
