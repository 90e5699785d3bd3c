// Ingress with plain and CURVE endpoints on one ROUTER, with real sockets on
// loopback: libzmq takes the CURVE options at bind, so the in-process and
// plain endpoints stay plain while the CURVE one admits only an authorized
// key; every other client is refused at its handshake, and counted by
// reason.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <future>

#include <fmt/format.h>

#include "adapters/bus/curve_keys.h"
#include "adapters/bus/dealer_publisher.h"
#include "engine/ingress.h"
#include "engine/metrics.h"
#include "kinds/registry.h"
#include "proto/config.pb.h"
#include "store/store.h"
#include "tests/support/engine_process.h"

namespace navette::engine {
namespace {

using namespace std::chrono_literals;
using adapters::bus::CurveClientKeys;
using adapters::bus::CurveKeyPair;
using adapters::bus::DealerPublisher;

navette::Envelope Message(const std::string& control_id) {
  navette::Envelope envelope;
  envelope.set_source("lab");
  envelope.set_received_at_us(1);
  envelope.set_raw("MSH|^~\\&|A|B|C|D|20240101||ORU^R01|" + control_id + "|P|2.5\r");
  envelope.set_content_type("application/hl7-v2");
  envelope.set_charset("UNICODE UTF-8");
  envelope.mutable_hl7()->set_control_id(control_id);
  envelope.mutable_hl7()->set_message_type("ORU^R01");
  envelope.mutable_hl7()->set_encoding_characters("|^~\\&");
  return envelope;
}

CurveKeyPair NewPair() {
  auto pair = adapters::bus::NewCurveKeyPair();
  EXPECT_TRUE(pair.ok()) << pair.status();
  return pair.ok() ? *pair : CurveKeyPair{};
}

class IngressCurveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("navette-ingress-curve-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto opened = store::Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    metrics_ = std::make_unique<Metrics>(navette::config::Config(), kinds_);
    plain_endpoint_ = fmt::format("tcp://127.0.0.1:{}", testing::FreePort());
    curve_endpoint_ = fmt::format("tcp://127.0.0.1:{}", testing::FreePort());
    IngressOptions options;
    options.extra_binds = {plain_endpoint_};
    options.curve = IngressOptions::Curve{.binds = {curve_endpoint_},
                                          .secret_key = engine_.secret_key,
                                          .authorized_keys = {adapter_.public_key}};
    options.metrics = metrics_.get();
    ingress_ = std::make_unique<Ingress>(context_, *store_, ids_, options, [] {});
    ASSERT_TRUE(ingress_->Start().ok());
  }
  void TearDown() override {
    ingress_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Publishes one message and waits for its outcome; `before_publishing`
  // runs once the publisher has connected.
  absl::StatusOr<adapters::bus::PublishResult> PublishThrough(
      const std::string& endpoint, std::optional<CurveClientKeys> keys,
      std::chrono::milliseconds confirm_timeout = 10s,
      const std::function<void()>& before_publishing = [] {}) {
    DealerPublisher publisher(context_, endpoint, confirm_timeout, std::move(keys));
    if (absl::Status started = publisher.Start(); !started.ok()) return started;
    before_publishing();
    std::promise<absl::StatusOr<adapters::bus::PublishResult>> outcome;
    publisher.Publish(Message(fmt::format("C-{}", ++published_)),
                      [&](absl::StatusOr<adapters::bus::PublishResult> result) {
                        outcome.set_value(std::move(result));
                      });
    auto future = outcome.get_future();
    if (future.wait_for(confirm_timeout + 10s) != std::future_status::ready) {
      return absl::InternalError("the publisher never called back");
    }
    return future.get();
  }

  // Waits for navette_bus_handshakes_refused_total{reason} to move.
  // Whether a refusal for one of `reasons` is counted, within 10 s.
  bool RefusedAtLeastOnce(std::initializer_list<std::string> reasons) {
    return testing::WaitFor(
        [&] {
          const std::string text = metrics_->Render();
          for (const std::string& reason : reasons) {
            const std::string series =
                fmt::format("navette_bus_handshakes_refused_total{{reason=\"{}\"}} ", reason);
            const size_t at = text.find(series);
            if (at != text.npos && std::stod(text.substr(at + series.size())) > 0) return true;
          }
          return false;
        },
        10s);
  }

  std::filesystem::path dir_;
  zmq::context_t context_;
  kinds::KindRegistry kinds_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<store::Store> store_;
  store::MessageIdGenerator ids_;
  std::unique_ptr<Ingress> ingress_;
  const CurveKeyPair engine_ = NewPair();
  const CurveKeyPair adapter_ = NewPair();
  std::string plain_endpoint_;
  std::string curve_endpoint_;
  int published_ = 0;
};

TEST_F(IngressCurveTest, InprocAndPlainEndpointsStayPlainBesideTheCurveOne) {
  auto inproc = PublishThrough(kIngressInprocEndpoint, std::nullopt);
  ASSERT_TRUE(inproc.ok()) << inproc.status();
  EXPECT_NE(inproc->message_id, 0u);
  auto plain = PublishThrough(plain_endpoint_, std::nullopt);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_NE(plain->message_id, 0u);
}

TEST_F(IngressCurveTest, AnAuthorizedKeyPublishesOnTheCurveEndpoint) {
  auto published =
      PublishThrough(curve_endpoint_, CurveClientKeys{.server_public_key = engine_.public_key,
                                                      .public_key = adapter_.public_key,
                                                      .secret_key = adapter_.secret_key});
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_NE(published->message_id, 0u);
  EXPECT_TRUE(store_->GetMessage(published->message_id).ok());
}

TEST_F(IngressCurveTest, AnUnknownKeyIsRefusedByZap) {
  const CurveKeyPair stranger = NewPair();
  auto published = PublishThrough(curve_endpoint_,
                                  CurveClientKeys{.server_public_key = engine_.public_key,
                                                  .public_key = stranger.public_key,
                                                  .secret_key = stranger.secret_key},
                                  500ms);
  EXPECT_TRUE(absl::IsDeadlineExceeded(published.status())) << published.status();
  EXPECT_TRUE(RefusedAtLeastOnce({"unauthorized_key"})) << metrics_->Render();
}

TEST_F(IngressCurveTest, APlainClientOnTheCurveEndpointIsRefused) {
  auto published = PublishThrough(curve_endpoint_, std::nullopt, 500ms);
  EXPECT_TRUE(absl::IsDeadlineExceeded(published.status())) << published.status();
  // libzmq reports the mismatch itself, or a handshake cut short when the
  // client has already hung up (timing): refused either way.
  EXPECT_TRUE(RefusedAtLeastOnce({"mechanism_mismatch", "incomplete"})) << metrics_->Render();
}

TEST_F(IngressCurveTest, AWrongServerKeyIsRefused) {
  const CurveKeyPair impostor = NewPair();
  auto published = PublishThrough(curve_endpoint_,
                                  CurveClientKeys{.server_public_key = impostor.public_key,
                                                  .public_key = adapter_.public_key,
                                                  .secret_key = adapter_.secret_key},
                                  500ms);
  EXPECT_TRUE(absl::IsDeadlineExceeded(published.status())) << published.status();
  EXPECT_TRUE(RefusedAtLeastOnce({"cryptographic"})) << metrics_->Render();
}

TEST_F(IngressCurveTest, ACurveClientOnThePlainEndpointIsRefused) {
  auto published = PublishThrough(plain_endpoint_,
                                  CurveClientKeys{.server_public_key = engine_.public_key,
                                                  .public_key = adapter_.public_key,
                                                  .secret_key = adapter_.secret_key},
                                  500ms);
  EXPECT_TRUE(absl::IsDeadlineExceeded(published.status())) << published.status();
  EXPECT_TRUE(RefusedAtLeastOnce({"mechanism_mismatch", "incomplete"})) << metrics_->Render();
}

// Once the engine has refused the handshake, libzmq drops the connection's
// pipe and the DEALER takes no message: the publish must still fail at its
// deadline, and the publisher stop, rather than block its thread for ever
// (CI caught this as a hang when the refusal came before the publish).
TEST_F(IngressCurveTest, APublishAfterTheRefusalFailsAtItsDeadlineWithoutBlocking) {
  auto published = PublishThrough(
      plain_endpoint_,
      CurveClientKeys{.server_public_key = engine_.public_key,
                      .public_key = adapter_.public_key,
                      .secret_key = adapter_.secret_key},
      500ms, [&] {
        ASSERT_TRUE(RefusedAtLeastOnce({"mechanism_mismatch", "incomplete"})) << metrics_->Render();
      });
  EXPECT_TRUE(absl::IsDeadlineExceeded(published.status())) << published.status();
}

}  // namespace
}  // namespace navette::engine
