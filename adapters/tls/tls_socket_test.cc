// The TLS contexts and TlsSocket over a socket pair: a server and a client
// handshaking on two threads, with the certificates TestPki makes.
#include "adapters/tls/tls_socket.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <thread>

#include "adapters/tls/tls_context.h"
#include "tests/support/test_pki.h"

namespace navette::adapters::tls {
namespace {

using Clock = TlsSocket::Clock;
using std::chrono::seconds;

class TlsSocketTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new testing::ListenerTestPki("tls-socket");
    ASSERT_TRUE(pki_->ok()) << pki_->error();
  }
  static void TearDownTestSuite() { delete pki_; }
  static std::string Pki(const std::string& name) { return pki_->Path(name); }

  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds_), 0);
  }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }

  static config::TlsServer MutualServer() {
    config::TlsServer settings;
    settings.set_cert_file(Pki("server.pem"));
    settings.set_key_file(Pki("server.key"));
    settings.set_client_ca_file(Pki("ca.pem"));
    return settings;
  }
  static config::Tls Client(const std::string& leaf) {
    config::Tls settings;
    settings.set_ca_file(Pki("ca.pem"));
    if (!leaf.empty()) {
      settings.set_cert_file(Pki(leaf + ".pem"));
      settings.set_key_file(Pki(leaf + ".key"));
    }
    return settings;
  }

  struct Outcome {
    absl::StatusOr<std::unique_ptr<TlsSocket>> server;
    absl::StatusOr<std::unique_ptr<TlsSocket>> client;
  };
  // Both handshakes at once, the server's on a thread of its own.
  Outcome Handshake(const config::TlsServer& server_settings, const config::Tls& client_settings,
                    const std::string& host = "127.0.0.1") {
    auto server_context = MakeServerContext(server_settings, "tls");
    auto client_context = MakeClientContext(client_settings, "tls");
    EXPECT_TRUE(server_context.ok()) << server_context.status();
    EXPECT_TRUE(client_context.ok()) << client_context.status();
    if (!server_context.ok() || !client_context.ok()) {
      return {absl::InternalError("no context"), absl::InternalError("no context")};
    }
    auto server = std::async(std::launch::async, [&] {
      return TlsSocket::Accept(server_context->get(), fds_[0], Clock::now() + seconds(10));
    });
    auto client =
        TlsSocket::Connect(client_context->get(), fds_[1], host, Clock::now() + seconds(10));
    // A refused client may wait for a server that has given up: close ours.
    if (!client.ok()) ::shutdown(fds_[1], SHUT_RDWR);
    auto accepted = server.get();
    return {std::move(accepted), std::move(client)};
  }

  // Under TLS 1.3 the client's handshake is over before the server has
  // checked its certificate: the client learns of the refusal, an alert, at
  // its first read.
  static void ExpectRefusedClient(const absl::StatusOr<std::unique_ptr<TlsSocket>>& client) {
    if (!client.ok()) return;
    char buffer[16];
    auto read = (*client)->Read(buffer, sizeof buffer, Clock::now() + seconds(10));
    ASSERT_FALSE(read.ok()) << "read " << *read << " bytes";
    EXPECT_NE(read.status().message().find("alert"), std::string::npos) << read.status();
  }

  int fds_[2] = {-1, -1};
  static testing::ListenerTestPki* pki_;
};

testing::ListenerTestPki* TlsSocketTest::pki_ = nullptr;

TEST_F(TlsSocketTest, MutualTlsCarriesBytesBothWaysAndCloseNotifyEndsTheStream) {
  config::TlsServer server_settings = MutualServer();
  server_settings.add_allowed_clients("CN=navette-client");
  Outcome outcome = Handshake(server_settings, Client("client"));
  ASSERT_TRUE(outcome.server.ok()) << outcome.server.status();
  ASSERT_TRUE(outcome.client.ok()) << outcome.client.status();
  EXPECT_EQ(SessionSummary((*outcome.server)->ssl()).substr(0, 4), "TLSv");
  EXPECT_NE(SessionSummary((*outcome.server)->ssl()).find("certificate CN=navette-client"),
            std::string::npos);

  const std::string big(300000, 'x');  // several records, more than a socket buffer
  auto reader = std::async(std::launch::async, [&] {
    std::string got;
    char buffer[16384];
    while (true) {
      auto read = (*outcome.server)->Read(buffer, sizeof buffer, Clock::now() + seconds(10));
      if (!read.ok() || *read == 0) return got;
      got.append(buffer, *read);
    }
  });
  ASSERT_TRUE((*outcome.client)->Write(big, Clock::now() + seconds(10)).ok());
  (*outcome.client)->ShutdownSend();
  EXPECT_EQ(reader.get(), big);

  // The client half-closed, and still reads the server's answer.
  ASSERT_TRUE((*outcome.server)->Write("ACK", Clock::now() + seconds(10)).ok());
  char buffer[16];
  auto read = (*outcome.client)->Read(buffer, sizeof buffer, Clock::now() + seconds(10));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(std::string(buffer, *read), "ACK");
}

TEST_F(TlsSocketTest, AClientWithoutACertificateIsRefusedAtTheHandshake) {
  Outcome outcome = Handshake(MutualServer(), Client(""));
  ASSERT_FALSE(outcome.server.ok());
  EXPECT_NE(outcome.server.status().message().find("peer did not return a certificate"),
            std::string::npos)
      << outcome.server.status();
}

TEST_F(TlsSocketTest, AClientCertificateFromAnotherCaIsRefusedWithItsSubject) {
  Outcome outcome = Handshake(MutualServer(), Client("stranger"));
  ASSERT_FALSE(outcome.server.ok());
  EXPECT_EQ(outcome.server.status().message(),
            "TLS handshake failed: client certificate CN=navette-client refused: unable to get "
            "local issuer certificate");
  ExpectRefusedClient(outcome.client);
}

TEST_F(TlsSocketTest, ASubjectNotInTheAllowListIsRefused) {
  config::TlsServer server_settings = MutualServer();
  server_settings.add_allowed_clients("CN=sgl,O=CHU");
  Outcome refused = Handshake(server_settings, Client("client"));
  ASSERT_FALSE(refused.server.ok());
  EXPECT_EQ(refused.server.status().message(),
            "TLS handshake failed: client certificate CN=navette-client is not in allowed_clients");
  ExpectRefusedClient(refused.client);
}

TEST_F(TlsSocketTest, AnAllowedSubjectIsServed) {
  config::TlsServer server_settings = MutualServer();
  server_settings.add_allowed_clients("CN=sgl,O=CHU");
  Outcome outcome = Handshake(server_settings, Client("sgl"));
  EXPECT_TRUE(outcome.server.ok()) << outcome.server.status();
  EXPECT_TRUE(outcome.client.ok()) << outcome.client.status();
}

TEST_F(TlsSocketTest, TheClientRefusesAServerItCannotVerify) {
  config::TlsServer server_settings = MutualServer();
  server_settings.clear_client_ca_file();
  config::Tls other_ca = Client("");
  other_ca.set_ca_file(Pki("other_ca.pem"));
  Outcome untrusted = Handshake(server_settings, other_ca);
  ASSERT_FALSE(untrusted.client.ok());
  EXPECT_EQ(untrusted.client.status().message(),
            "TLS handshake failed: peer's certificate refused: unable to get local issuer "
            "certificate");
}

TEST_F(TlsSocketTest, TheClientRefusesACertificateForAnotherHost) {
  config::TlsServer server_settings = MutualServer();
  server_settings.clear_client_ca_file();
  Outcome wrong_host = Handshake(server_settings, Client(""), "sgl.chu.invalid");
  ASSERT_FALSE(wrong_host.client.ok());
  EXPECT_EQ(wrong_host.client.status().message(),
            "TLS handshake failed: peer's certificate refused: hostname mismatch");
}

TEST_F(TlsSocketTest, PlainTextIsRefusedWithAHint) {
  auto context = MakeServerContext(MutualServer(), "tls");
  ASSERT_TRUE(context.ok()) << context.status();
  const std::string mllp = "\x0bMSH|^~\\&|LAB\r\x1c\r";
  ASSERT_EQ(::write(fds_[1], mllp.data(), mllp.size()), static_cast<ssize_t>(mllp.size()));
  auto accepted = TlsSocket::Accept(context->get(), fds_[0], Clock::now() + seconds(10));
  ASSERT_FALSE(accepted.ok());
  EXPECT_NE(accepted.status().message().find("(the peer does not speak TLS"), std::string::npos)
      << accepted.status();
}

TEST_F(TlsSocketTest, ASilentClientRunsOutOfTime) {
  auto context = MakeServerContext(MutualServer(), "tls");
  ASSERT_TRUE(context.ok()) << context.status();
  auto accepted =
      TlsSocket::Accept(context->get(), fds_[0], Clock::now() + std::chrono::milliseconds(50));
  ASSERT_FALSE(accepted.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(accepted.status())) << accepted.status();
}

TEST_F(TlsSocketTest, SettingErrorsNameTheSetting) {
  config::TlsServer settings = MutualServer();
  settings.set_min_version("1.1");
  EXPECT_EQ(MakeServerContext(settings, "engine.admin.tls").status().message(),
            "engine.admin.tls.min_version: '1.1' is neither 1.2 nor 1.3");
  settings = MutualServer();
  settings.set_ciphers("NOT-A-CIPHER");
  EXPECT_EQ(MakeServerContext(settings, "tls").status().message(),
            "tls.ciphers: OpenSSL knows none of the ciphers in 'NOT-A-CIPHER'");
  settings = MutualServer();
  settings.clear_key_file();
  EXPECT_EQ(MakeServerContext(settings, "tls").status().message(),
            "tls.key_file: a listener's certificate and its key are both required");
  settings = MutualServer();
  settings.set_key_file(Pki("client.key"));
  EXPECT_NE(MakeServerContext(settings, "tls").status().message().find("tls.key_file: "),
            std::string::npos);
  settings = MutualServer();
  settings.set_client_ca_file(Pki("missing.pem"));
  EXPECT_NE(
      MakeServerContext(settings, "tls").status().message().find("tls.client_ca_file: cannot read"),
      std::string::npos);
  settings = MutualServer();
  settings.clear_client_ca_file();
  settings.add_allowed_clients("CN=x");
  EXPECT_NE(MakeServerContext(settings, "tls")
                .status()
                .message()
                .find("tls.allowed_clients: needs client_ca_file"),
            std::string::npos);
  config::Tls client = Client("client");
  client.clear_key_file();
  EXPECT_EQ(MakeClientContext(client, "tls").status().message(),
            "tls.key_file: a client certificate needs both cert_file and key_file");
}

}  // namespace
}  // namespace navette::adapters::tls
