#include "adapters/mllp/client.h"
#include "adapters/mllp/refused_port.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace navette::adapters::mllp {
namespace {

TEST(NormalizeSegmentTerminatorsTest, TurnsLineEndsIntoCarriageReturns) {
  EXPECT_EQ(NormalizeSegmentTerminators("MSH|a\nPID|1\n"), "MSH|a\rPID|1\r");
  EXPECT_EQ(NormalizeSegmentTerminators("MSH|a\r\nPID|1\r\n"), "MSH|a\rPID|1\r");
  EXPECT_EQ(NormalizeSegmentTerminators("MSH|a\rPID|1\r"), "MSH|a\rPID|1\r");
}

TEST(NormalizeSegmentTerminatorsTest, EndsWithOneCarriageReturn) {
  EXPECT_EQ(NormalizeSegmentTerminators("MSH|a\nPID|1"), "MSH|a\rPID|1\r");
  EXPECT_EQ(NormalizeSegmentTerminators("MSH|a\nPID|1\n\n\r\n"), "MSH|a\rPID|1\r");
  EXPECT_EQ(NormalizeSegmentTerminators("\n\n"), "");
  EXPECT_EQ(NormalizeSegmentTerminators(""), "");
}

// A bound but not listening socket: connecting to it is refused at once.
TEST(MllpClientTest, ReportsARefusedConnection) {
  testing::RefusedPort refused;
  ASSERT_NE(refused.port(), 0);
  const uint16_t port = refused.port();
  auto client = MllpClient::Connect("127.0.0.1", port, std::chrono::seconds(5));
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(std::string(client.status().message()).find("127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << client.status();
}

TEST(MllpClientTest, ReportsAnUnknownHost) {
  auto client = MllpClient::Connect("no-such-host.invalid", 2575, std::chrono::seconds(5));
  ASSERT_FALSE(client.ok());
  EXPECT_NE(std::string(client.status().message()).find("no-such-host.invalid"), std::string::npos);
}

}  // namespace
}  // namespace navette::adapters::mllp
