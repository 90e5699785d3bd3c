// ProbeHttp against real listeners on loopback: a plain TCP listener that
// records what it receives (nothing, since the probe sends nothing), an
// HTTPS server (cpp-httplib) with certificates the test makes, and a port
// nobody listens on.
#include "adapters/http/http_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fmt/format.h>

#include "tests/support/test_pki.h"

namespace navette::adapters::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

// A socket bound to 127.0.0.1 on a port of the system's choosing.
int BoundSocket(uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return -1;
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  port = ntohs(address.sin_port);
  return fd;
}

// Accepts one connection and reads it to its end: the bytes the peer sent
// before closing, or -1 when nothing happened within the deadline.
long BytesUntilClosed(int listener, std::chrono::milliseconds deadline) {
  pollfd ready{listener, POLLIN, 0};
  if (::poll(&ready, 1, static_cast<int>(deadline.count())) != 1) return -1;
  int fd = ::accept(listener, nullptr, nullptr);
  if (fd < 0) return -1;
  long total = 0;
  char buffer[4096];
  while (true) {
    pollfd readable{fd, POLLIN, 0};
    if (::poll(&readable, 1, static_cast<int>(deadline.count())) != 1) {
      total = -1;
      break;
    }
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    total += n;
  }
  ::close(fd);
  return total;
}

navette::config::HttpDestination Config(const std::string& url) {
  navette::config::HttpDestination config;
  config.set_url(url);
  config.mutable_connect_timeout()->set_seconds(10);
  return config;
}

TEST(HttpProbeTest, ConnectsOverPlainHttpAndSendsNothing) {
  uint16_t port = 0;
  int listener = BoundSocket(port);
  ASSERT_GE(listener, 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  kinds::ProbeResult result = ProbeHttp(Config(fmt::format("http://127.0.0.1:{}/in", port)));
  EXPECT_TRUE(result.ok) << result.detail;
  EXPECT_EQ(result.detail, fmt::format("connected to 127.0.0.1:{}", port));
  // The probe has closed its connection: the listener sees it end, empty.
  EXPECT_EQ(BytesUntilClosed(listener, 10s), 0);
  ::close(listener);
}

TEST(HttpProbeTest, SaysWhenNothingListens) {
  uint16_t port = 0;
  int bound = BoundSocket(port);  // bound, never listening: connections are refused
  ASSERT_GE(bound, 0);
  kinds::ProbeResult result = ProbeHttp(Config(fmt::format("https://127.0.0.1:{}/in", port)));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.detail, fmt::format("cannot connect to 127.0.0.1:{}: Connection refused", port));
  ::close(bound);
}

class HttpsProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     fmt::format("navette-http-probe-test-{}", ::getpid()));
    std::filesystem::remove_all(*dir_);
    pki_ = new navette::testing::TestPki(*dir_);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete pki_;
    delete dir_;
  }

  void SetUp() override {
    ASSERT_TRUE(pki_->ok()) << pki_->error();
    server_ = std::make_unique<httplib::SSLServer>(pki_->Path("server.pem").c_str(),
                                                   pki_->Path("server.key").c_str(),
                                                   pki_->Path("ca.pem").c_str());
    ASSERT_TRUE(server_->is_valid());
    server_->Get("/in", [this](const httplib::Request&, httplib::Response&) { ++requests_; });
    port_ = static_cast<uint16_t>(server_->bind_to_any_port("127.0.0.1"));
    thread_ = std::thread([this] { server_->listen_after_bind(); });
  }
  void TearDown() override {
    if (!server_) return;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    server_->stop();
    thread_.join();
  }

  navette::config::HttpDestination TlsConfig(const std::string& ca) const {
    navette::config::HttpDestination config = Config(fmt::format("https://127.0.0.1:{}/in", port_));
    config.mutable_tls()->set_ca_file(pki_->Path(ca));
    config.mutable_tls()->set_cert_file(pki_->Path("client.pem"));
    config.mutable_tls()->set_key_file(pki_->Path("client.key"));
    return config;
  }

  static std::filesystem::path* dir_;
  static navette::testing::TestPki* pki_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
  std::atomic<int> requests_{0};
};

std::filesystem::path* HttpsProbeTest::dir_ = nullptr;
navette::testing::TestPki* HttpsProbeTest::pki_ = nullptr;

TEST_F(HttpsProbeTest, HandshakesWithAServerSignedByTheConfiguredCa) {
  kinds::ProbeResult result = ProbeHttp(TlsConfig("ca.pem"));
  EXPECT_TRUE(result.ok) << result.detail;
  EXPECT_EQ(result.detail, fmt::format("TLS handshake with 127.0.0.1:{} ok", port_));
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(HttpsProbeTest, AServerTheCaDidNotSignFailsTheHandshake) {
  kinds::ProbeResult result = ProbeHttp(TlsConfig("other_ca.pem"));
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.detail,
              StartsWith(fmt::format("TLS handshake with 127.0.0.1:{} failed: ", port_)));
  EXPECT_THAT(result.detail, HasSubstr("certificate"));
}

}  // namespace
}  // namespace navette::adapters::http
