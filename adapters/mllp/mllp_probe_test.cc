// ProbeMllp against a real listener on loopback and a port nobody listens on.
#include "adapters/mllp/mllp_probe.h"

#include <chrono>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/loopback_listener.h"

namespace navette::adapters::mllp {
namespace {

navette::config::MllpDestination Config(uint16_t port) {
  navette::config::MllpDestination config;
  config.set_address(fmt::format("127.0.0.1:{}", port));
  config.mutable_connect_timeout()->set_seconds(10);
  return config;
}

TEST(MllpProbeTest, ConnectsAndSendsNothing) {
  navette::testing::LoopbackListener listener;
  ASSERT_TRUE(listener.ok());
  kinds::ProbeResult result = ProbeMllp(Config(listener.port()));
  EXPECT_TRUE(result.ok) << result.detail;
  EXPECT_EQ(result.detail, fmt::format("connected to 127.0.0.1:{}", listener.port()));
  // The connection reached the listener, and ends with no byte sent.
  EXPECT_EQ(listener.BytesUntilClosed(std::chrono::seconds(10)), 0);
}

TEST(MllpProbeTest, SaysWhenNothingListens) {
  navette::testing::LoopbackListener bound(navette::testing::LoopbackListener::Mode::kBoundOnly);
  ASSERT_TRUE(bound.ok());
  kinds::ProbeResult result = ProbeMllp(Config(bound.port()));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.detail,
            fmt::format("cannot connect to 127.0.0.1:{}: Connection refused", bound.port()));
}

TEST(MllpProbeTest, AnAddressWithoutAPortIsSaidToBeOne) {
  navette::config::MllpDestination config;
  config.set_address("127.0.0.1");
  kinds::ProbeResult result = ProbeMllp(config);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.detail, "mllp.address '127.0.0.1': the port is missing");
}

}  // namespace
}  // namespace navette::adapters::mllp
