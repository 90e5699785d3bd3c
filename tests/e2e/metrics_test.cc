// /metrics against the real engine: messages sent over MLLP show up in the
// counters, a refused one under its reason, the text is served without a
// token in the Prometheus content type, and promtool accepts it.
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
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/hl7_samples.h"

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

// The value of the sample whose series is exactly `series` (labels in the
// alphabetical order the engine writes them); nullopt if absent.
std::optional<double> Sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

// Full path of `name` in a PATH directory, or empty.
std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
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

}  // namespace
}  // namespace navette::testing
