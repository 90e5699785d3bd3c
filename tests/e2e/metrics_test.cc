// /metrics against the real engine: messages sent over MLLP show up in the
// counters, a refused one under its reason, the text is served without a
// token in the Prometheus content type, and promtool accepts it. Parked
// documents show in their gauges through release, re-park and restart, and a
// released document is routed (counted) once.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "adapters/mllp/frame.h"
#include "tests/support/cli_output.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"
#include "tests/support/metrics_text.h"

namespace navette::testing {
namespace {

using adapters::mllp::MllpClient;
using namespace std::chrono_literals;

constexpr int kMessages = 5;

struct Scrape {
  long status = 0;
  std::string content_type;
  std::string body;
};

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// GET /metrics with no Authorization header, as a Prometheus scraper does.
std::optional<Scrape> GetMetrics(uint16_t admin_port) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  const std::string url = fmt::format("http://127.0.0.1:{}/metrics", admin_port);
  Scrape scrape;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &scrape.body);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  if (curl_easy_perform(curl.get()) != CURLE_OK) return std::nullopt;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &scrape.status);
  char* content_type = nullptr;
  curl_easy_getinfo(curl.get(), CURLINFO_CONTENT_TYPE, &content_type);
  if (content_type != nullptr) scrape.content_type = content_type;
  return scrape;
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("navette-metrics");
    admin_port_ = FreePort();
    mllp_port_ = FreePort();
    engine_ = std::make_unique<EngineProcess>(dir_, FileEngineConfig(admin_port_, mllp_port_));
    ASSERT_TRUE(engine_->Start().ok()) << engine_->Log();
  }
  void TearDown() override {
    EXPECT_TRUE(engine_->Stop().ok());
    std::filesystem::remove_all(dir_);
  }
  std::string AckCode(MllpClient& client, const std::string& message) {
    auto ack = client.Exchange(message, 10s);
    EXPECT_TRUE(ack.ok()) << ack.status();
    auto parsed = adapters::hl7v2::ParseAck(ack.ok() ? *ack : "");
    return parsed.ok() ? parsed->code : "";
  }
  // Sends kMessages good messages and one that is not HL7, then waits until
  // the good ones are delivered (written to the outbox directory).
  void SendAndDeliver() {
    auto client = MllpClient::Connect("127.0.0.1", mllp_port_, 5s);
    ASSERT_TRUE(client.ok()) << client.status();
    for (int i = 0; i < kMessages; ++i) {
      ASSERT_EQ(AckCode(**client, MakeOru(fmt::format("MET-{}", i))), "AA");
    }
    ASSERT_EQ(AckCode(**client, "this is not an HL7 message"), "AR");
    const auto outbox = engine_->data_dir() / "outbox";
    ASSERT_TRUE(WaitFor(
        [&] {
          std::error_code error;
          int delivered = 0;
          for (const auto& entry : std::filesystem::directory_iterator(outbox, error)) {
            const std::string name = entry.path().filename().string();
            delivered += name.front() != '.' && entry.path().extension() == ".hl7";  // not temp
          }
          return !error && delivered == kMessages;
        },
        20s))
        << engine_->Log();
  }

  std::filesystem::path dir_;
  uint16_t admin_port_ = 0, mllp_port_ = 0;
  std::unique_ptr<EngineProcess> engine_;
};

TEST_F(MetricsTest, CountsWhatTheEngineDid) {
  // Before any traffic: configured series exist at zero.
  auto before = GetMetrics(admin_port_);
  ASSERT_TRUE(before.has_value());
  ASSERT_EQ(before->status, 200) << before->body;
  EXPECT_EQ(before->content_type.rfind("text/plain; version=0.0.4", 0), 0u) << before->content_type;
  EXPECT_EQ(Sample(before->body, R"(navette_messages_received_total{source="lab"})"), 0);
  EXPECT_EQ(Sample(before->body, R"(navette_routed_total{route="all"})"), 0);
  EXPECT_EQ(
      Sample(before->body, R"(navette_messages_rejected_total{reason="not_hl7",source="lab"})"), 0);
  EXPECT_EQ(Sample(before->body, R"(navette_build_info{version=")" NAVETTE_TEST_VERSION R"("})"),
            1);

  SendAndDeliver();

  // Each component counts once its store write is done, which may be a moment
  // after the ACK or the file: poll until the counters and gauges settle.
  std::string text;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto scrape = GetMetrics(admin_port_);
        if (!scrape || scrape->status != 200) return false;
        text = scrape->body;
        return Sample(text, R"(navette_messages_received_total{source="lab"})") == kMessages &&
               Sample(text, R"(navette_routed_total{route="all"})") == kMessages &&
               Sample(text, R"(navette_delivered_total{destination="outbox"})") == kMessages &&
               Sample(text, R"(navette_queue_depth{destination="outbox"})") == 0;
      },
      10s))
      << text;
  EXPECT_EQ(Sample(text, R"(navette_messages_received_total{source="lab"})"), kMessages);
  EXPECT_EQ(Sample(text, R"(navette_routed_total{route="all"})"), kMessages);
  EXPECT_EQ(Sample(text, "navette_messages_unrouted_total"), 0);
  EXPECT_EQ(Sample(text, R"(navette_messages_rejected_total{reason="not_hl7",source="lab"})"), 1);
  EXPECT_EQ(Sample(text, R"(navette_messages_rejected_total{reason="too_large",source="lab"})"), 0);
  // At least one synced batch, at most one per message.
  const auto batches = Sample(text, "navette_ingest_commit_seconds_count");
  ASSERT_TRUE(batches.has_value()) << text;
  EXPECT_GE(*batches, 1);
  EXPECT_LE(*batches, kMessages);

  EXPECT_EQ(Sample(text, R"(navette_delivered_total{destination="outbox"})"), kMessages);
  EXPECT_EQ(
      Sample(text, R"(navette_delivery_attempts_total{destination="outbox",result="delivered"})"),
      kMessages);
  EXPECT_EQ(Sample(text, R"(navette_delivery_attempts_total{destination="outbox",result="retry"})"),
            0);
  EXPECT_EQ(Sample(text, R"(navette_dead_letters_total{destination="outbox"})"), 0);
  EXPECT_EQ(Sample(text, R"(navette_delivery_seconds_count{destination="outbox"})"), kMessages);
  EXPECT_EQ(Sample(text, R"(navette_end_to_end_seconds_count{destination="outbox",route="all"})"),
            kMessages);
  EXPECT_EQ(Sample(text, R"(navette_queue_depth{destination="outbox"})"), 0);
  EXPECT_EQ(Sample(text, R"(navette_dead_letters{destination="outbox"})"), 0);

  // Nothing from the messages themselves reaches the text.
  EXPECT_EQ(text.find("MET-"), std::string::npos);
  EXPECT_EQ(text.find("PAT-TROIS"), std::string::npos);
}

TEST_F(MetricsTest, CountsAFrameTheSenderCutShort) {
  {
    auto client = MllpClient::Connect("127.0.0.1", mllp_port_, 5s);
    ASSERT_TRUE(client.ok()) << client.status();
    const std::string oru = MakeOru("CUT-1");
    ASSERT_TRUE((*client)->SendRaw(std::string(1, adapters::mllp::kStartBlock) + oru).ok());
  }  // closed without the end block: no answer is possible
  std::string text;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto scrape = GetMetrics(admin_port_);
        text = scrape ? scrape->body : "";
        return Sample(text,
                      R"(navette_messages_rejected_total{reason="truncated",source="lab"})") == 1;
      },
      10s))
      << text << engine_->Log();
  EXPECT_EQ(Sample(text, R"(navette_messages_received_total{source="lab"})"), 0);
}

TEST_F(MetricsTest, PromtoolAcceptsTheText) {
  const std::string promtool = FindOnPath("promtool");
  // CI installs it (scripts/install-deps.sh): there, missing is a failure.
  if (promtool.empty() && std::getenv("CI") != nullptr) FAIL() << "promtool is not on PATH";
  if (promtool.empty()) {
    GTEST_SKIP() << "promtool is not on PATH (Debian package `prometheus`, installed by "
                    "scripts/install-deps.sh; CI has it)";
  }
  SendAndDeliver();
  auto scrape = GetMetrics(admin_port_);
  ASSERT_TRUE(scrape.has_value());
  ASSERT_EQ(scrape->status, 200);
  const auto file = dir_ / "metrics.txt";
  std::ofstream(file, std::ios::binary) << scrape->body;

  const std::string command =
      fmt::format("'{}' check metrics < '{}' 2>&1", promtool, file.string());
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  const int status = ::pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "promtool check metrics:\n"
                                    << output << "\n"
                                    << scrape->body;
}

// The identity flow of tests/e2e/identity_test.cc, watched through /metrics.
class ParkedMetricsTest : public EngineTest {
 protected:
  ParkedMetricsTest() : EngineTest("navette-parked-metrics") {}

  void StartEngine() {
    // The identity section follows the routes list at the top level.
    StartEngineWith(
        FileEngineConfig(admin_port_, mllp_port_,
                         std::string(kIdentityRoutes) + "identity: { environment: test }\n"));
  }
  void Send(const std::string& message) {
    auto client = MllpClient::Connect("127.0.0.1", mllp_port_, 5s);
    ASSERT_TRUE(client.ok()) << client.status();
    auto ack = (*client)->Exchange(message, 10s);
    ASSERT_TRUE(ack.ok()) << ack.status();
    auto parsed = adapters::hl7v2::ParseAck(*ack);
    ASSERT_TRUE(parsed.ok() && parsed->code == "AA") << *ack;
  }
  // Scrapes until `done` holds on the text (or 20 s pass); the last text.
  std::string ScrapeUntil(const std::function<bool(const std::string&)>& done) {
    std::string text;
    WaitFor(
        [&] {
          auto scrape = GetMetrics(admin_port_);
          text = scrape && scrape->status == 200 ? scrape->body : "";
          return done(text);
        },
        20s);
    return text;
  }
  // The router takes messages in arrival order: once an ADT sent now is
  // counted, everything before it (a release's routing included) was.
  std::string AfterTheRouterPassed(const std::string& control_id, double identities_routed) {
    Send(MakeIdentityAdt(control_id, "A28", "PROV", false, "000999"));
    return ScrapeUntil([&](const std::string& text) {
      return Sample(text, kRoutedIdentities) == identities_routed;
    });
  }

  static constexpr char kParked[] = "navette_parked_messages";
  static constexpr char kParkedAge[] = "navette_parked_oldest_age_seconds";
  static constexpr char kRoutedLab[] = R"(navette_routed_total{route="lab"})";
  static constexpr char kRoutedIdentities[] = R"(navette_routed_total{route="identities"})";
};

TEST_F(ParkedMetricsTest, GaugeFollowsParkReleaseAndRestartAndAReleaseIsRoutedOnce) {
  StartEngine();
  std::string text = ScrapeUntil([](const std::string& t) { return !t.empty(); });
  EXPECT_EQ(Sample(text, kParked), 0) << text;
  EXPECT_EQ(Sample(text, kParkedAge), 0) << text;

  Send(MakeIdentityAdt("ADT-1", "A28", "PROV", false));
  Send(MakeOru("ORU-1"));
  const std::string id = WaitForState("ORU-1", "parked");
  ASSERT_FALSE(id.empty()) << engine_->Log();
  // The router counts a message just after its store write, which the
  // listing may see first: wait for both.
  text = ScrapeUntil(
      [](const std::string& t) { return Sample(t, kParked) == 1 && Sample(t, kRoutedLab) == 1; });
  EXPECT_EQ(Sample(text, kParked), 1) << text;
  EXPECT_EQ(Sample(text, kRoutedLab), 1) << text;
  const auto age = Sample(text, kParkedAge);
  ASSERT_TRUE(age.has_value()) << text;
  EXPECT_GE(*age, 0);
  EXPECT_LT(*age, 600);  // received moments ago

  // An operator's release while the identity is still provisional: it parks
  // again, still one parked document, still routed once.
  CommandResult released = Messages({"messages", "release", id});
  ASSERT_EQ(released.exit_code, 0) << released.out << released.err;
  text = AfterTheRouterPassed("ADT-2", 2);
  EXPECT_EQ(Sample(text, kRoutedIdentities), 2) << text << engine_->Log();
  EXPECT_EQ(Sample(text, kParked), 1) << text;
  EXPECT_EQ(Sample(text, kRoutedLab), 1) << text;

  // After a restart the gauge comes from the store; the counters start over.
  ASSERT_TRUE(engine_->Stop().ok());
  ASSERT_TRUE(engine_->Start().ok()) << engine_->Log();
  text = ScrapeUntil([](const std::string& t) { return !t.empty(); });
  EXPECT_EQ(Sample(text, kParked), 1) << text;
  EXPECT_GE(Sample(text, kParkedAge).value_or(-1), *age) << text;
  EXPECT_EQ(Sample(text, kRoutedLab), 0) << text;

  // The A31 qualifies the identity: the document is released and delivered.
  // It was routed before the restart: its release does not count again.
  Send(MakeIdentityAdt("ADT-3", "A31", "QUAL", true));
  ASSERT_FALSE(WaitForState("ORU-1", "delivered").empty()) << engine_->Log();
  text = AfterTheRouterPassed("ADT-4", 2);
  EXPECT_EQ(Sample(text, kRoutedIdentities), 2) << text << engine_->Log();
  EXPECT_EQ(Sample(text, kParked), 0) << text;
  EXPECT_EQ(Sample(text, kParkedAge), 0) << text;
  EXPECT_EQ(Sample(text, kRoutedLab), 0) << text;
  EXPECT_EQ(Sample(text, R"(navette_delivered_total{destination="outbox"})"), 1) << text;
}

}  // namespace
}  // namespace navette::testing
