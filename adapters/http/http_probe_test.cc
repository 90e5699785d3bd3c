// ProbeHttp against real listeners on loopback: a plain TCP listener that
// records what it receives (nothing, since the probe sends nothing), an
// HTTPS server (cpp-httplib) with certificates the test makes, and a port
// nobody listens on.
#include "adapters/http/http_probe.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fmt/format.h>

#include "tests/support/loopback_listener.h"
#include "tests/support/test_pki.h"

namespace navette::adapters::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

navette::config::HttpDestination Config(const std::string& url) {
  navette::config::HttpDestination config;
  config.set_url(url);
  config.mutable_connect_timeout()->set_seconds(10);
  return config;
}

TEST(HttpProbeTest, ConnectsOverPlainHttpAndSendsNothing) {
  navette::testing::LoopbackListener listener;
  ASSERT_TRUE(listener.ok());
  const uint16_t port = listener.port();
  kinds::ProbeResult result = ProbeHttp(Config(fmt::format("http://127.0.0.1:{}/in", port)));
  EXPECT_TRUE(result.ok) << result.detail;
  EXPECT_EQ(result.detail, fmt::format("connected to 127.0.0.1:{}", port));
  // The probe has closed its connection: the listener sees it end, empty.
  EXPECT_EQ(listener.BytesUntilClosed(10s), 0);
}

TEST(HttpProbeTest, SaysWhenNothingListens) {
  navette::testing::LoopbackListener bound(navette::testing::LoopbackListener::Mode::kBoundOnly);
  ASSERT_TRUE(bound.ok());
  const uint16_t port = bound.port();
  kinds::ProbeResult result = ProbeHttp(Config(fmt::format("https://127.0.0.1:{}/in", port)));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.detail, fmt::format("cannot connect to 127.0.0.1:{}: Connection refused", port));
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
