// An adapter in another process: the engine binds its ingress on loopback
// tcp, plain (allow_plain_loopback; CURVE is tcp_bus_curve_test's), and a
// DealerPublisher in this test process publishes through it. The message is
// confirmed only once committed, gets an id, and is routed and delivered like
// one from an in-process source.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "adapters/bus/dealer_publisher.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

TEST(TcpBusTest, PublisherInAnotherProcessIsConfirmedAndRouted) {
  const uint16_t admin_port = FreePort();
  const uint16_t mllp_port = FreePort();
  const uint16_t bus_port = FreePort();
  const auto dir =
      std::filesystem::temp_directory_path() / ("navette-tcp-bus-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string config = FileEngineConfig(admin_port, mllp_port);
  config.replace(
      config.find("engine:\n"), 8,
      fmt::format(
          "engine:\n  ingress: {{ bind: [\"tcp://127.0.0.1:{}\"], allow_plain_loopback: true }}\n",
          bus_port));
  EngineProcess engine(dir, config);
  ASSERT_TRUE(engine.Start().ok()) << engine.Log();

  zmq::context_t context;
  adapters::bus::DealerPublisher publisher(context, fmt::format("tcp://127.0.0.1:{}", bus_port));
  ASSERT_TRUE(publisher.Start().ok());
  navette::Envelope envelope;
  envelope.set_source("lab");
  envelope.set_received_at_us(1);
  envelope.set_raw(MakeOru("TCP-1"));
  envelope.set_content_type("application/hl7-v2");
  envelope.mutable_hl7()->set_control_id("TCP-1");
  envelope.mutable_hl7()->set_message_type("ORU^R01^ORU_R01");
  envelope.mutable_hl7()->set_encoding_characters("|^~\\&");
  std::promise<absl::StatusOr<adapters::bus::PublishResult>> confirmed;
  publisher.Publish(envelope, [&](absl::StatusOr<adapters::bus::PublishResult> result) {
    confirmed.set_value(std::move(result));
  });
  auto future = confirmed.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  auto result = future.get();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_NE(result->message_id, 0u);
  EXPECT_FALSE(result->duplicate);
  publisher.Stop();

  const std::string id = fmt::format("{:016x}", result->message_id);
  EXPECT_TRUE(
      WaitFor([&] { return std::filesystem::exists(engine.data_dir() / "outbox" / (id + ".hl7")); },
              std::chrono::seconds(20)));
  auto shown = HttpGet(admin_port, "/v1/messages/" + id, engine.admin_token());
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->first, 200);
  EXPECT_NE(shown->second.find("\"control_id\":\"TCP-1\""), std::string::npos) << shown->second;
  EXPECT_TRUE(engine.Stop().ok());
  std::filesystem::remove_all(dir);
}

TEST(TcpBusTest, PublishWithoutEngineFailsInsteadOfHanging) {
  zmq::context_t context;
  adapters::bus::DealerPublisher publisher(context, fmt::format("tcp://127.0.0.1:{}", FreePort()),
                                           std::chrono::milliseconds(300));
  ASSERT_TRUE(publisher.Start().ok());
  std::promise<absl::StatusOr<adapters::bus::PublishResult>> confirmed;
  publisher.Publish(navette::Envelope(), [&](absl::StatusOr<adapters::bus::PublishResult> result) {
    confirmed.set_value(std::move(result));
  });
  auto future = confirmed.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto result = future.get();
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(result.status())) << result.status();
}

}  // namespace
}  // namespace navette::testing
