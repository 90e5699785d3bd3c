// Guaranteed delivery end to end: the real engine delivering over HTTP to a
// real test server that fails as told; retries, dead letters, bulk replay
// and per-patient ordering seen from outside (the peer, the admin API and
// /metrics).
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "adapters/mllp/client.h"
#include "tests/support/engine_process.h"
#include "tests/support/hl7_samples.h"
#include "tests/support/http_peer.h"
#include "tests/support/metrics_text.h"

namespace navette::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kOperatorToken[] = "operator-token-for-tests-0123456789";

using Received = HttpPeer::Received;

class DeliveryTest : public ::testing::Test {
 protected:
  void StartEngine(int peer_port, const std::string& delivery_yaml) {
    mllp_port_ = FreePort();
    admin_port_ = FreePort();
    const std::string config =
        fmt::format(R"(
engine:
  admin:
    listen: "127.0.0.1:{}"
    tokens:
      - {{ user: alice, sha256: {}, role: operator }}
sources:
  - name: lab
    mllp: {{ listen: "127.0.0.1:{}" }}
destinations:
  - name: web
    http: {{ url: "http://127.0.0.1:{}/in", timeout: 5s }}
    delivery:
{}
routes:
  - {{ name: all, to: [web] }}
)",
                    admin_port_, Sha256Hex(kOperatorToken), mllp_port_, peer_port, delivery_yaml);
    dir_ = FreshTestDir("navette-delivery");
    engine_ = std::make_unique<EngineProcess>(dir_, config);
    ASSERT_TRUE(engine_->Start().ok()) << engine_->Log();
    admin_ = std::make_unique<httplib::Client>("127.0.0.1", admin_port_);
    admin_->set_bearer_token_auth(kOperatorToken);
  }

  void TearDown() override {
    admin_.reset();
    if (engine_) (void)engine_->Stop();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Send(const std::vector<std::string>& messages) {
    auto client =
        adapters::mllp::MllpClient::Connect("127.0.0.1", mllp_port_, std::chrono::seconds(5));
    ASSERT_TRUE(client.ok()) << client.status();
    for (const std::string& message : messages) {
      auto ack = (*client)->Exchange(message, std::chrono::seconds(10));
      ASSERT_TRUE(ack.ok()) << ack.status();
      ASSERT_THAT(*ack, HasSubstr("MSA|AA|"));
    }
  }

  std::string Get(const std::string& path) {
    auto result = admin_->Get(path.c_str());
    if (!result) return "";
    return result->body;
  }

  // `navette <args>` against this engine, as the operator alice.
  CommandResult Cli(std::vector<std::string> args) {
    args.insert(args.end(), {"--admin", fmt::format("http://127.0.0.1:{}", admin_port_), "--token",
                             kOperatorToken});
    return RunNavette(args);
  }

  // Id of the message with this MSH-10, from the listing.
  std::string IdOf(const std::string& control_id) {
    const std::string list = Get("/v1/messages?limit=1000");
    const size_t at = list.find(fmt::format("\"control_id\":\"{}\"", control_id));
    if (at == std::string::npos) return "";
    const size_t id_at = list.rfind("\"id\":\"", at);
    return list.substr(id_at + 6, 16);
  }

  std::filesystem::path dir_;
  uint16_t mllp_port_ = 0;
  uint16_t admin_port_ = 0;
  std::unique_ptr<EngineProcess> engine_;
  std::unique_ptr<httplib::Client> admin_;
};

// Acceptance 1: a peer answering 503 for its first 10 seconds, then 200.
TEST_F(DeliveryTest, RetriesUntilThePeerAnswersThenDeliversEverything) {
  const auto peer_started = std::chrono::steady_clock::now();
  HttpPeer peer([peer_started](const std::string&) {
    return std::chrono::steady_clock::now() - peer_started < std::chrono::seconds(10) ? 503 : 200;
  });
  StartEngine(peer.port(), R"(      max_in_flight: 2
      retry: { initial_delay: 200ms, max_delay: 2s }
      circuit_breaker: { failure_threshold: 3, open_duration: 500ms })");
  std::vector<std::string> messages;
  std::set<std::string> control_ids;
  for (int i = 0; i < 20; ++i) {
    control_ids.insert(fmt::format("R{}", i));
    messages.push_back(MakeOru(fmt::format("R{}", i)));
  }
  Send(messages);

  ASSERT_TRUE(WaitFor([&] { return peer.delivered() == control_ids; }, std::chrono::seconds(60)))
      << "delivered " << peer.delivered().size() << " of 20\n"
      << engine_->Log();
  // Nothing went through before the peer recovered, and it was tried meanwhile.
  size_t refused = 0;
  for (const Received& r : peer.received()) {
    if (r.status == 503) ++refused;
    if (r.status == 200) {
      EXPECT_GE(r.at - peer_started, std::chrono::seconds(10));
    }
  }
  EXPECT_GT(refused, 0u);

  // The history shows the retries.
  // The peer answers before the engine records the outcome: wait for it.
  std::string detail;
  ASSERT_TRUE(WaitFor(
      [&] {
        detail = Get(fmt::format("/v1/messages/{}", IdOf("R0")));
        return detail.find("\"type\":\"delivered\"") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << detail;
  EXPECT_THAT(detail, HasSubstr("\"type\":\"retry\""));
  EXPECT_THAT(detail, HasSubstr("HTTP 503"));
  EXPECT_THAT(detail, HasSubstr("\"type\":\"delivered\""));
  // And the metrics count them.
  const std::string metrics = Get("/metrics");
  EXPECT_THAT(metrics,
              HasSubstr("navette_delivery_attempts_total{destination=\"web\",result=\"retry\"}"));
  EXPECT_THAT(
      metrics,
      Not(HasSubstr("navette_delivery_attempts_total{destination=\"web\",result=\"retry\"} 0\n")));
  // The circuit opened while the peer refused, and closed once it answered
  // (the dispatcher records the closing just after the delivery: wait).
  const std::optional<double> openings =
      Sample(metrics, R"(navette_circuit_opened_total{destination="web"})");
  ASSERT_TRUE(openings.has_value()) << metrics;
  EXPECT_GE(*openings, 1);
  EXPECT_TRUE(WaitFor(
      [&] { return Sample(Get("/metrics"), R"(navette_circuit_open{destination="web"})") == 0.0; },
      std::chrono::seconds(10)))
      << Get("/metrics");
}

// Acceptance 2: 400 sends a message to dead after one attempt; once the
// peer is fixed, a bulk replay delivers them all and names its user.
TEST_F(DeliveryTest, RefusedMessagesGoDeadThenABulkReplayDeliversThem) {
  std::atomic<bool> fixed{false};
  HttpPeer peer([&fixed](const std::string&) { return fixed ? 200 : 400; });
  StartEngine(peer.port(), R"(      retry: { initial_delay: 100ms })");
  std::set<std::string> control_ids;
  std::vector<std::string> messages;
  for (int i = 0; i < 5; ++i) {
    control_ids.insert(fmt::format("D{}", i));
    messages.push_back(MakeOru(fmt::format("D{}", i)));
  }
  Send(messages);
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string dead = Get("/v1/messages?state=dead");
        size_t count = 0;
        for (size_t at = dead.find("\"id\""); at != std::string::npos;
             at = dead.find("\"id\"", at + 1)) {
          ++count;
        }
        return count == 5;
      },
      std::chrono::seconds(30)))
      << engine_->Log();
  EXPECT_EQ(peer.received().size(), 5u) << "each refused message is attempted once";

  // The operator replays them from the CLI, which follows the job. A time
  // window that excludes them first: they are looked at and skipped.
  fixed = true;
  CommandResult too_old = Cli({"messages", "replay", "--state", "dead", "--until", "1d"});
  ASSERT_EQ(too_old.exit_code, 0) << too_old.out << too_old.err;
  EXPECT_THAT(too_old.out, HasSubstr("replay job 1 done: 0 replayed, 5 skipped, 0 failed (of 5"));
  CommandResult replayed =
      Cli({"messages", "replay", "--state", "dead", "--destination", "web", "--since", "1h"});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr("replay job 2 done: 5 replayed, 0 skipped, 0 failed (of 5"));
  ASSERT_TRUE(WaitFor([&] { return peer.delivered() == control_ids; }, std::chrono::seconds(30)))
      << engine_->Log();
  EXPECT_THAT(Get("/v1/replays/2"), HasSubstr("\"replayed\":\"5\""));

  // The peer answers before the engine records the outcome: wait for it.
  std::string detail;
  ASSERT_TRUE(WaitFor(
      [&] {
        detail = Get(fmt::format("/v1/messages/{}", IdOf("D3")));
        return detail.find("\"type\":\"delivered\"") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << detail;
  EXPECT_THAT(detail, HasSubstr("\"type\":\"dead\""));
  EXPECT_THAT(detail, HasSubstr("\"type\":\"replayed\""));
  EXPECT_THAT(detail, HasSubstr("\"actor\":\"alice\""));
  EXPECT_THAT(detail, HasSubstr("\"type\":\"delivered\""));
}

// One message replayed to one destination, another discarded, from the
// CLI; a bulk replay afterwards finds nothing left to replay.
TEST_F(DeliveryTest, ReplayOneAndDiscardAnotherFromTheCli) {
  std::atomic<bool> fixed{false};
  HttpPeer peer([&fixed](const std::string&) { return fixed ? 200 : 400; });
  StartEngine(peer.port(), R"(      retry: { initial_delay: 100ms })");
  Send({MakeOru("K1"), MakeOru("K2")});
  ASSERT_TRUE(WaitFor(
      [&] {
        return Get("/v1/messages?state=dead").find("\"control_id\":\"K2\"") != std::string::npos &&
               Get("/v1/messages?state=dead").find("\"control_id\":\"K1\"") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << engine_->Log();
  const std::string keep = IdOf("K1"), drop = IdOf("K2");

  CommandResult discarded = Cli({"messages", "discard", drop});
  ASSERT_EQ(discarded.exit_code, 0) << discarded.err;
  EXPECT_THAT(discarded.out, HasSubstr(drop + " discarded: deliveries to web dropped; kept with "
                                              "its history, now discarded"));

  fixed = true;
  CommandResult unknown = Cli({"messages", "replay", keep, "--destination", "nowhere"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no destination 'nowhere'"));
  CommandResult replayed = Cli({"messages", "replay", keep, "--destination", "web"});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  // "now queued", or already "delivered" if the attempt beat the answer.
  EXPECT_THAT(replayed.out,
              ::testing::MatchesRegex(keep + " replayed: now (queued|delivered) \\(web\\)\n"));
  ASSERT_TRUE(WaitFor([&] { return peer.delivered() == std::set<std::string>{"K1"}; },
                      std::chrono::seconds(30)))
      << engine_->Log();

  CommandResult bulk = Cli({"messages", "replay", "--state", "dead"});
  ASSERT_EQ(bulk.exit_code, 0) << bulk.err;
  EXPECT_THAT(bulk.out, HasSubstr("0 replayed, 0 skipped, 0 failed (of 0 dead)"));
  EXPECT_THAT(Get("/v1/messages/" + drop), HasSubstr("\"actor\":\"alice\""));
  EXPECT_THAT(Get("/v1/messages/" + drop), HasSubstr("\"type\":\"discarded\""));
  EXPECT_EQ(peer.delivered().count("K2"), 0u) << "a discarded message is never sent";

  CommandResult mixed = Cli({"messages", "replay", keep, "--since", "1h"});
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_THAT(mixed.err, HasSubstr("do not go with a message ID"));
  CommandResult bad_time = Cli({"messages", "replay", "--state", "dead", "--since", "yesterday"});
  EXPECT_EQ(bad_time.exit_code, 2);
  EXPECT_THAT(bad_time.err, HasSubstr("--since: 'yesterday'"));
}

// Acceptance 4: with per-patient ordering, a patient's first message
// failing holds back that patient's later messages, not other patients'.
TEST_F(DeliveryTest, PerPatientOrderingHoldsOnlyThatPatient) {
  std::atomic<int> a1_attempts{0};
  HttpPeer peer([&a1_attempts](const std::string& control_id) {
    if (control_id == "A1" && ++a1_attempts <= 3) return 503;
    return 200;
  });
  StartEngine(peer.port(), R"(      max_in_flight: 4
      ordering: per_patient
      retry: { initial_delay: 300ms, factor: 1, jitter: 0 }
      circuit_breaker: { failure_threshold: 0 })");
  Send({MakeOru("A1", "IPP-A"), MakeOru("A2", "IPP-A"), MakeOru("B1", "IPP-B"),
        MakeOru("A3", "IPP-A"), MakeOru("B2", "IPP-B")});
  const std::set<std::string> all = {"A1", "A2", "A3", "B1", "B2"};
  ASSERT_TRUE(WaitFor([&] { return peer.delivered() == all; }, std::chrono::seconds(30)))
      << engine_->Log();

  const std::vector<Received> received = peer.received();
  auto first_success = [&](const std::string& id) {
    for (size_t i = 0; i < received.size(); ++i) {
      if (received[i].control_id == id && received[i].status == 200) return i;
    }
    return received.size();
  };
  auto first_seen = [&](const std::string& id) {
    for (size_t i = 0; i < received.size(); ++i) {
      if (received[i].control_id == id) return i;
    }
    return received.size();
  };
  // The other patient went through while A1 was failing...
  EXPECT_LT(first_success("B1"), first_success("A1"));
  EXPECT_LT(first_success("B2"), first_success("A1"));
  // ...while A's later messages waited for A1, and came in order.
  EXPECT_GT(first_seen("A2"), first_success("A1"));
  EXPECT_GT(first_seen("A3"), first_success("A2"));
  EXPECT_EQ(a1_attempts.load(), 4);
}

}  // namespace
}  // namespace navette::testing
