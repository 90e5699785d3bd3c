// The MLLP listener over TLS, with real certificates (TestPki) and the real
// client: who is served, who is refused at the handshake, and what the log
// says of each (the peer and the reason, never the message).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <filesystem>

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "adapters/mllp/server.h"
#include "adapters/mllp/server_test_support.h"
#include "adapters/tls/tls_context.h"
#include "tests/support/test_pki.h"

namespace navette::adapters::mllp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A message with a patient's name, which must never reach the log.
constexpr char kMessage[] =
    "MSH|^~\\&|SGL|CHU|DPI|CHU|20240306111154||ORU^R01^ORU_R01|TLS-1|P|2.5\r"
    "PID|1||4242^^^CHU^PI||CONFIDENTIEL^Patiente\r";

class MllpTlsServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new testing::ListenerTestPki("mllp-tls");
    ASSERT_TRUE(pki_->ok()) << pki_->error();
  }
  static void TearDownTestSuite() { delete pki_; }
  static std::string Pki(const std::string& name) { return pki_->Path(name); }

  void TearDown() override { server_.reset(); }

  // A listener requiring a client certificate from "ca" with subject
  // CN=navette-client.
  void StartServer(std::chrono::milliseconds handshake_timeout = kArrival) {
    config::TlsServer settings;
    settings.set_cert_file(Pki("server.pem"));
    settings.set_key_file(Pki("server.key"));
    settings.set_client_ca_file(Pki("ca.pem"));
    settings.add_allowed_clients("CN=navette-client");
    auto context = tls::MakeServerContext(settings, "tls");
    ASSERT_TRUE(context.ok()) << context.status();
    MllpServerOptions options;
    options.source_name = "sgl";
    options.listen_port = 0;
    options.tls = std::shared_ptr<SSL_CTX>(context->release(), SSL_CTX_free);
    options.tls_handshake_timeout = handshake_timeout;
    options.on_rejected = [this](std::string_view reason) {
      {
        std::lock_guard lock(mutex_);
        rejections_.emplace_back(reason);
      }
      rejected_.notify_all();
    };
    server_ = std::make_unique<MllpServer>(options, publisher_);
    ASSERT_TRUE(server_->Start().ok());
  }

  // The client of `leaf` ("" for none), trusting "ca".
  static tls::SslCtxPtr Client(const std::string& leaf) {
    config::Tls settings;
    settings.set_ca_file(Pki("ca.pem"));
    if (!leaf.empty()) {
      settings.set_cert_file(Pki(leaf + ".pem"));
      settings.set_key_file(Pki(leaf + ".key"));
    }
    auto context = tls::MakeClientContext(settings, "tls");
    EXPECT_TRUE(context.ok()) << context.status();
    return context.ok() ? std::move(*context) : nullptr;
  }

  // Connects with `leaf`'s certificate and sends kMessage: the ACK, or why
  // there is none.
  absl::StatusOr<std::string> Send(const std::string& leaf) {
    tls::SslCtxPtr context = Client(leaf);
    auto client = MllpClient::Connect("127.0.0.1", server_->port(), kArrival, context.get());
    if (!client.ok()) return client.status();
    return (*client)->Exchange(kMessage, kArrival);
  }

  // The refusals counted, once there is one (the count follows the log
  // line on the server's thread).
  std::vector<std::string> rejections() {
    std::unique_lock lock(mutex_);
    rejected_.wait_for(lock, kArrival, [this] { return !rejections_.empty(); });
    return rejections_;
  }

  // Refused at the handshake: nothing published, counted, and logged with
  // the peer's address and `reason`, without the message.
  void ExpectRefused(const absl::StatusOr<std::string>& answer, std::string_view reason) {
    EXPECT_FALSE(answer.ok()) << *answer;
    ASSERT_TRUE(log_->WaitFor("TLS handshake refused"));
    EXPECT_TRUE(log_->WaitFor(reason));
    EXPECT_THAT(log_->lines(), Contains(HasSubstr("mllp source sgl: peer 127.0.0.1:")));
    EXPECT_THAT(rejections(), ::testing::ElementsAre("tls_handshake"));
    EXPECT_TRUE(publisher_.envelopes().empty());
    for (const std::string& line : log_->lines()) {
      EXPECT_THAT(line, Not(HasSubstr("CONFIDENTIEL")));
      EXPECT_THAT(line, Not(HasSubstr("TLS-1")));
    }
  }

  ScopedLogCapture log_;
  FakePublisher publisher_;
  std::unique_ptr<MllpServer> server_;
  std::mutex mutex_;
  std::condition_variable rejected_;
  std::vector<std::string> rejections_;
  static testing::ListenerTestPki* pki_;
};

testing::ListenerTestPki* MllpTlsServerTest::pki_ = nullptr;

TEST_F(MllpTlsServerTest, AnAllowedClientIsServed) {
  StartServer();
  auto answer = Send("client");
  ASSERT_TRUE(answer.ok()) << answer.status();
  auto ack = hl7v2::ParseAck(*answer);
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->code, "AA");
  EXPECT_EQ(ack->control_id, "TLS-1");
  ASSERT_EQ(publisher_.envelopes().size(), 1u);
  EXPECT_EQ(publisher_.envelopes()[0].raw(), kMessage);
  EXPECT_TRUE(log_->WaitFor("peer 127.0.0.1:"));
  EXPECT_TRUE(log_->WaitFor(": TLS established (TLSv1."));
  EXPECT_TRUE(log_->WaitFor("certificate CN=navette-client)"));
  std::lock_guard lock(mutex_);
  EXPECT_TRUE(rejections_.empty());
}

TEST_F(MllpTlsServerTest, AClientWithoutACertificateIsRefused) {
  StartServer();
  ExpectRefused(Send(""), "peer did not return a certificate");
}

TEST_F(MllpTlsServerTest, AClientOfAnotherCaIsRefused) {
  StartServer();
  ExpectRefused(Send("stranger"),
                "client certificate CN=navette-client refused: unable to get local issuer");
}

TEST_F(MllpTlsServerTest, AClientNotInTheAllowListIsRefused) {
  StartServer();
  ExpectRefused(Send("sgl"), "client certificate CN=sgl,O=CHU is not in allowed_clients");
}

TEST_F(MllpTlsServerTest, PlainMllpIsRefused) {
  StartServer();
  auto client = MllpClient::Connect("127.0.0.1", server_->port(), kArrival);
  ASSERT_TRUE(client.ok()) << client.status();
  ExpectRefused((*client)->Exchange(kMessage, kArrival), "the peer does not speak TLS");
}

TEST_F(MllpTlsServerTest, AClientThatNeverHandshakesIsClosedAfterTheTimeout) {
  StartServer(std::chrono::milliseconds(200));
  auto client = MllpClient::Connect("127.0.0.1", server_->port(), kArrival);
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_TRUE((*client)->PeerClosed(kArrival));
  EXPECT_TRUE(log_->WaitFor("TLS handshake refused: not completed within 200 ms"));
  EXPECT_THAT(rejections(), ::testing::ElementsAre("tls_handshake"));
}

TEST_F(MllpTlsServerTest, ASenderThatEndsItsSideStillGetsItsAck) {
  StartServer();
  tls::SslCtxPtr context = Client("client");
  auto client = MllpClient::Connect("127.0.0.1", server_->port(), kArrival, context.get());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->SendRaw(std::string("\x0b") + kMessage + "\x1c\r").ok());
  ASSERT_TRUE((*client)->ShutdownSend().ok());
  auto answer = (*client)->ReadFrame(kArrival);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(hl7v2::ParseAck(*answer)->code, "AA");
  EXPECT_TRUE((*client)->PeerClosed(kArrival));
}

}  // namespace
}  // namespace navette::adapters::mllp
