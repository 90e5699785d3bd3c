// The MLLP source's connection limits against the real binary, with its
// default configuration: one sender holding idle connections from one
// address gets its share of the source (max_connections_per_peer, 32) and no
// more, so that it cannot lock the other senders out; its connections over
// the share are closed at once and counted in /metrics.
//
// Two peers on one machine: Linux routes all of 127.0.0.0/8 to `lo`, so the
// greedy sender binds its sockets to 127.0.0.2 and the other connects from
// 127.0.0.1 (tests/support/loopback_peer.h).
#include <gtest/gtest.h>

#include <vector>

#include <fmt/format.h>

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"
#include "tests/support/loopback_peer.h"
#include "tests/support/metrics_text.h"

namespace navette::testing {
namespace {

using adapters::mllp::MllpClient;
using namespace std::chrono_literals;

// The defaults of sources[].mllp (docs/configuration.md).
constexpr int kMaxConnections = 256;
constexpr int kMaxConnectionsPerPeer = 32;

class MllpLimitsTest : public EngineTest {
 protected:
  MllpLimitsTest() : EngineTest("navette-mllp-limits") {}
};

TEST_F(MllpLimitsTest, APeerHoldingEveryConnectionItCanLeavesRoomForTheOthers) {
  StartEngineWith(FileEngineConfig(admin_port_, mllp_port_));

  // The greedy peer tries to take every slot of the source, and sends nothing.
  std::vector<LoopbackPeer> greedy;
  for (int i = 0; i < kMaxConnections; ++i) {
    auto peer = LoopbackPeer::Connect("127.0.0.2", mllp_port_);
    ASSERT_TRUE(peer.ok()) << peer.status();
    greedy.push_back(std::move(*peer));
  }

  // Another sender still gets its message acknowledged: its connection was
  // made after all of those, and would be refused if they held every slot.
  auto client = MllpClient::Connect("127.0.0.1", mllp_port_, 5s);
  ASSERT_TRUE(client.ok()) << client.status();
  auto ack = (*client)->Exchange(MakeOru("OTHER-1"), 10s);
  ASSERT_TRUE(ack.ok()) << ack.status() << "\n" << engine_->Log();
  auto parsed = adapters::hl7v2::ParseAck(*ack);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->code, "AA");

  // The engine accepted the greedy peer's connections in the order they
  // connected: the first 32 are held, every later one was closed at once.
  for (int i = kMaxConnectionsPerPeer; i < kMaxConnections; ++i) {
    ASSERT_TRUE(greedy[i].ClosedByServer(10s)) << "connection " << i << "\n" << engine_->Log();
  }
  // The 32 held connections are still open (the idle timeout is minutes away).
  for (int i = 0; i < kMaxConnectionsPerPeer; ++i) {
    EXPECT_FALSE(greedy[i].ClosedByServer(0ms)) << "connection " << i;
  }

  // Counted in /metrics, and logged as a count rather than line by line.
  const int refused = kMaxConnections - kMaxConnectionsPerPeer;
  const std::string series =
      R"(navette_messages_rejected_total{reason="peer_connection_limit",source="lab"})";
  std::string text;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto scrape = HttpGet(admin_port_, "/metrics");
        text = scrape.ok() ? scrape->second : "";
        return Sample(text, series) == refused;
      },
      10s))
      << text;
  EXPECT_EQ(
      Sample(text, R"(navette_messages_rejected_total{reason="connection_limit",source="lab"})"),
      0);
  const std::string log = engine_->Log();
  size_t refusing_lines = 0;
  for (size_t at = log.find("refusing connection"); at != std::string::npos;
       at = log.find("refusing connection", at + 1)) {
    ++refusing_lines;
  }
  EXPECT_EQ(refusing_lines, 1u) << log;
  EXPECT_NE(log.find("refusing connection from 127.0.0.2 over the per-peer limit of 32"),
            std::string::npos)
      << log;
}

// The source is built and started through its kind (kinds/registry.h): a
// second engine whose source cannot bind refuses to start, naming the source,
// its place in the file (its `mllp` key, line 5) and the address.
TEST_F(MllpLimitsTest, AnEngineWhoseSourceCannotListenSaysWhichSource) {
  StartEngineWith(FileEngineConfig(admin_port_, mllp_port_));
  EngineProcess second(dir_ / "second", FileEngineConfig(FreePort(), mllp_port_));
  absl::Status started = second.Start();
  ASSERT_FALSE(started.ok());
  const std::string log = second.Log();
  EXPECT_NE(log.find(fmt::format("cannot start: {}:5:11: source 'lab': ",
                                 (dir_ / "second" / "config.yaml").string())),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(fmt::format("cannot listen on 127.0.0.1:{}", mllp_port_)), std::string::npos)
      << log;
}

}  // namespace
}  // namespace navette::testing
