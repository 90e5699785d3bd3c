// Issue 16, acceptance 2: a remote adapter over tcp with the right CURVE
// keys publishes; with a wrong key, or none, it is refused and the engine
// logs it. The keys are made by `navette keys new`, the engine is the real
// binary, the adapter a DealerPublisher in this test process. While the
// engine has a CURVE endpoint, its MLLP source (in-process, on the inproc
// endpoint of the same ROUTER) still publishes.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "adapters/bus/curve_keys.h"
#include "adapters/bus/dealer_publisher.h"
#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

using namespace std::chrono_literals;
using adapters::bus::CurveClientKeys;
using adapters::bus::CurveKeyPair;

// A pair made by `navette keys new --out <prefix>`, read back from its files.
CurveKeyPair KeysNew(const std::filesystem::path& prefix) {
  CommandResult made = RunNavette({"keys", "new", "--out", prefix.string()});
  EXPECT_EQ(made.exit_code, 0) << made.err;
  auto pair = adapters::bus::ReadCurveSecretKeyFile(prefix.string() + ".key");
  EXPECT_TRUE(pair.ok()) << pair.status();
  // The first line printed is the public key.
  EXPECT_EQ(made.out.substr(0, made.out.find('\n')), pair.ok() ? pair->public_key : "");
  return pair.ok() ? *pair : CurveKeyPair{};
}

class TcpBusCurveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("navette-tcp-bus-curve");
    engine_keys_ = KeysNew(dir_ / "engine");
    adapter_keys_ = KeysNew(dir_ / "lab-adapter");
    admin_port_ = FreePort();
    mllp_port_ = FreePort();
    bus_endpoint_ = fmt::format("tcp://127.0.0.1:{}", FreePort());
    std::string config = FileEngineConfig(admin_port_, mllp_port_);
    config.replace(
        config.find("engine:\n"), 8,
        fmt::format("engine:\n"
                    "  ingress:\n"
                    "    bind: [\"{}\"]\n"
                    "    curve:\n"
                    "      secret_key_file: \"{}\"\n"
                    "      authorized_keys: [\"{}\"]\n",
                    bus_endpoint_, (dir_ / "engine.key").string(), adapter_keys_.public_key));
    engine_ = std::make_unique<EngineProcess>(dir_ / "engine", config);
    ASSERT_TRUE(engine_->Start().ok()) << engine_->Log();
  }
  void TearDown() override {
    if (engine_) {
      EXPECT_TRUE(engine_->Stop().ok()) << engine_->Log();
    }
    std::filesystem::remove_all(dir_);
  }

  // Publishes one ORU through the bus and waits for its outcome.
  absl::StatusOr<adapters::bus::PublishResult> Publish(
      const std::string& control_id, std::optional<CurveClientKeys> keys,
      std::chrono::milliseconds confirm_timeout = 20s) {
    zmq::context_t context;
    adapters::bus::DealerPublisher publisher(context, bus_endpoint_, confirm_timeout,
                                             std::move(keys));
    if (absl::Status started = publisher.Start(); !started.ok()) return started;
    navette::Envelope envelope;
    envelope.set_source("lab");
    envelope.set_received_at_us(1);
    envelope.set_raw(MakeOru(control_id));
    envelope.set_content_type("application/hl7-v2");
    envelope.mutable_hl7()->set_control_id(control_id);
    envelope.mutable_hl7()->set_message_type("ORU^R01^ORU_R01");
    envelope.mutable_hl7()->set_encoding_characters("|^~\\&");
    std::promise<absl::StatusOr<adapters::bus::PublishResult>> outcome;
    publisher.Publish(envelope, [&](absl::StatusOr<adapters::bus::PublishResult> result) {
      outcome.set_value(std::move(result));
    });
    auto future = outcome.get_future();
    if (future.wait_for(confirm_timeout + 10s) != std::future_status::ready) {
      return absl::InternalError("the publisher never called back");
    }
    return future.get();
  }

  bool Delivered(uint64_t message_id) {
    const std::string file = fmt::format("{:016x}.hl7", message_id);
    return WaitFor([&] { return std::filesystem::exists(engine_->data_dir() / "outbox" / file); },
                   20s);
  }

  bool LogShows(const std::string& text) {
    return WaitFor([&] { return engine_->Log().find(text) != std::string::npos; }, 10s);
  }

  // The value of navette_bus_handshakes_refused_total{reason} on /metrics.
  double RefusedCount(const std::string& reason) {
    auto metrics = HttpGet(admin_port_, "/metrics", engine_->admin_token());
    if (!metrics.ok()) return -1;
    const std::string series =
        fmt::format("navette_bus_handshakes_refused_total{{reason=\"{}\"}} ", reason);
    const size_t at = metrics->second.find(series);
    return at == std::string::npos ? -1 : std::stod(metrics->second.substr(at + series.size()));
  }

  std::filesystem::path dir_;
  CurveKeyPair engine_keys_;
  CurveKeyPair adapter_keys_;
  uint16_t admin_port_ = 0;
  uint16_t mllp_port_ = 0;
  std::string bus_endpoint_;
  std::unique_ptr<EngineProcess> engine_;
};

TEST_F(TcpBusCurveTest, TheRightKeysPublishAndTheMessageIsDelivered) {
  auto published = Publish("CURVE-1", CurveClientKeys{.server_public_key = engine_keys_.public_key,
                                                      .public_key = adapter_keys_.public_key,
                                                      .secret_key = adapter_keys_.secret_key});
  ASSERT_TRUE(published.ok()) << published.status() << "\n" << engine_->Log();
  EXPECT_NE(published->message_id, 0u);
  EXPECT_FALSE(published->duplicate);
  EXPECT_TRUE(Delivered(published->message_id));
  EXPECT_EQ(engine_->Log().find("bus: refused"), std::string::npos) << engine_->Log();

  // The in-process MLLP source publishes on the same ROUTER's inproc
  // endpoint, bound before the CURVE options were set.
  auto client = adapters::mllp::MllpClient::Connect("127.0.0.1", mllp_port_, 5s);
  ASSERT_TRUE(client.ok()) << client.status();
  auto ack = (*client)->Exchange(MakeOru("MLLP-1"), 20s);
  ASSERT_TRUE(ack.ok()) << ack.status();
  auto parsed = adapters::hl7v2::ParseAck(*ack);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->code, "AA");
}

TEST_F(TcpBusCurveTest, AWrongClientKeyIsRefusedAndLogged) {
  const CurveKeyPair stranger = KeysNew(dir_ / "stranger");
  auto published = Publish("CURVE-2",
                           CurveClientKeys{.server_public_key = engine_keys_.public_key,
                                           .public_key = stranger.public_key,
                                           .secret_key = stranger.secret_key},
                           500ms);
  EXPECT_TRUE(absl::IsDeadlineExceeded(published.status())) << published.status();
  EXPECT_TRUE(
      LogShows(fmt::format("bus: refused a connection from 127.0.0.1: its CURVE public "
                           "key {} is not in engine.ingress.curve.authorized_keys",
                           stranger.public_key)))
      << engine_->Log();
  EXPECT_GE(RefusedCount("unauthorized_key"), 1);
  // The secret keys are in their files only, never in the log.
  EXPECT_EQ(engine_->Log().find(stranger.secret_key), std::string::npos);
  EXPECT_EQ(engine_->Log().find(engine_keys_.secret_key), std::string::npos);
}

TEST_F(TcpBusCurveTest, AClientWithoutKeysIsRefusedAndLogged) {
  auto published = Publish("CURVE-3", std::nullopt, 500ms);
  EXPECT_TRUE(absl::IsDeadlineExceeded(published.status())) << published.status();
  // libzmq reports the mismatch itself, or, when the client has already
  // hung up on the engine's greeting (a loaded machine's timing), a
  // handshake cut short: either way the connection is refused and logged.
  const std::string mismatch = fmt::format(
      "on {}: its security mechanism is not the endpoint's (a client without CURVE "
      "keys on a CURVE endpoint, or the reverse)",
      bus_endpoint_);
  const std::string cut_short =
      fmt::format("on {}: the connection ended before its handshake completed", bus_endpoint_);
  EXPECT_TRUE(WaitFor(
      [&] {
        const std::string log = engine_->Log();
        return log.find(mismatch) != std::string::npos || log.find(cut_short) != std::string::npos;
      },
      std::chrono::seconds(10)))
      << engine_->Log();
  EXPECT_GE(RefusedCount("mechanism_mismatch") + RefusedCount("incomplete"), 1);
}

TEST_F(TcpBusCurveTest, AWrongServerKeyIsRefusedAndLogged) {
  const CurveKeyPair impostor = KeysNew(dir_ / "impostor");
  auto published = Publish("CURVE-4",
                           CurveClientKeys{.server_public_key = impostor.public_key,
                                           .public_key = adapter_keys_.public_key,
                                           .secret_key = adapter_keys_.secret_key},
                           500ms);
  EXPECT_TRUE(absl::IsDeadlineExceeded(published.status())) << published.status();
  EXPECT_TRUE(
      LogShows("its CURVE handshake does not decrypt (the adapter likely holds a wrong "
               "server public key)"))
      << engine_->Log();
  EXPECT_GE(RefusedCount("cryptographic"), 1);
}

}  // namespace
}  // namespace navette::testing
