// A real Prometheus server (Debian's `prometheus`) scrapes a running engine
// whose only destination is down, and its HTTP API answers PromQL about it:
// the target is up, the destination's queue depth is the number of messages
// sent, and the monitoring kit's alerting rules
// (helm/navette/files/navette-rules.yaml) load, evaluate without error, and
// hold the destination's alert pending. One engine and one Prometheus per
// suite; each test polls for its own condition.
#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/hl7_samples.h"

extern char** environ;

namespace navette::testing {
namespace {

using adapters::mllp::MllpClient;
using namespace std::chrono_literals;

constexpr int kMessages = 5;
constexpr char kRulesFile[] = NAVETTE_SOURCE_DIR "/helm/navette/files/navette-rules.yaml";

std::string UrlEncode(const std::string& text) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  std::unique_ptr<char, decltype(&curl_free)> encoded(
      curl_easy_escape(curl.get(), text.data(), static_cast<int>(text.size())), curl_free);
  return encoded ? std::string(encoded.get()) : std::string();
}

// A Prometheus server on a free loopback port, with its configuration, its
// TSDB and its log under `dir`.
class PrometheusServer {
 public:
  PrometheusServer(std::filesystem::path dir, std::string config_yaml)
      : dir_(std::move(dir)), config_yaml_(std::move(config_yaml)) {}
  ~PrometheusServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  absl::Status Start() {
    const std::string binary = FindOnPath("prometheus");
    if (binary.empty()) {
      return absl::FailedPreconditionError(
          "prometheus is not on PATH (Debian package `prometheus`, scripts/install-deps.sh)");
    }
    port_ = FreePort();
    std::ofstream(dir_ / "prometheus.yml") << config_yaml_;
    std::vector<std::string> args = {
        binary,
        "--config.file=" + (dir_ / "prometheus.yml").string(),
        "--storage.tsdb.path=" + (dir_ / "tsdb").string(),
        fmt::format("--web.listen-address=127.0.0.1:{}", port_),
    };
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = (dir_ / "prometheus.log").string();
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      pid_ = -1;
      return absl::InternalError(fmt::format("cannot start {}: error {}", binary, spawned));
    }
    bool exited = false;
    const bool ready = WaitFor(
        [&] {
          if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return exited = true;
          auto response = HttpGet(port_, "/-/ready");
          return response.ok() && response->first == 200;
        },
        30s);
    if (exited) pid_ = -1;
    if (!ready || exited) return absl::UnavailableError("prometheus did not start:\n" + Log());
    return absl::OkStatus();
  }

  // SIGTERM, as systemd stops it; Prometheus then closes its TSDB and exits 0.
  absl::Status Stop() {
    if (pid_ <= 0) return absl::OkStatus();
    ::kill(pid_, SIGTERM);
    int status = 0;
    const bool exited = WaitFor([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, 30s);
    if (!exited) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
    if (!exited || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return absl::InternalError(
          fmt::format("prometheus did not stop cleanly (status {}):\n{}", status, Log()));
    }
    return absl::OkStatus();
  }

  // GET on the HTTP API; the `data` of a `success` answer.
  absl::StatusOr<nlohmann::json> Api(const std::string& path) const {
    auto response = HttpGet(port_, path);
    if (!response.ok()) return response.status();
    const nlohmann::json body = nlohmann::json::parse(response->second, nullptr, false);
    if (response->first != 200 || body.is_discarded() || body.value("status", "") != "success") {
      return absl::InternalError(
          fmt::format("GET {}: {} {}", path, response->first, response->second));
    }
    return body["data"];
  }

  // An instant query's vector: [{"metric": {...}, "value": [time, "text"]}].
  absl::StatusOr<nlohmann::json> Query(const std::string& promql) const {
    auto data = Api("/api/v1/query?query=" + UrlEncode(promql));
    if (!data.ok()) return data.status();
    return (*data)["result"];
  }

  std::string Log() const { return ReadFileBytes(dir_ / "prometheus.log"); }

 private:
  std::filesystem::path dir_;
  std::string config_yaml_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// The single value of an instant query, or nullopt when it has not one
// series.
std::optional<double> SingleValue(const PrometheusServer& prometheus, const std::string& promql) {
  auto result = prometheus.Query(promql);
  if (!result.ok() || result->size() != 1) return std::nullopt;
  return std::stod((*result)[0]["value"][1].get<std::string>());
}

class PrometheusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setup_failure_ = StartAll(); }

  static void TearDownTestSuite() {
    if (prometheus_) {
      EXPECT_TRUE(prometheus_->Stop().ok()) << prometheus_->Log();
    }
    if (engine_) {
      EXPECT_TRUE(engine_->Stop().ok());
    }
    prometheus_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  void SetUp() override { ASSERT_TRUE(setup_failure_.empty()) << setup_failure_; }

  // What a failing wait prints.
  static std::string Diagnostics() {
    return "engine log:\n" + engine_->Log() + "\nprometheus log:\n" + prometheus_->Log();
  }

  static std::filesystem::path dir_;
  static uint16_t admin_port_;
  static std::unique_ptr<EngineProcess> engine_;
  static std::unique_ptr<PrometheusServer> prometheus_;
  static std::string setup_failure_;

 private:
  // The engine, whose destination `ris` points at a port nothing listens
  // on, then Prometheus scraping it every second with the kit's rules, then
  // kMessages messages, all acknowledged and left queued for `ris`. Returns
  // what failed, or an empty string.
  static std::string StartAll() {
    dir_ = FreshTestDir("navette-prometheus");
    admin_port_ = FreePort();
    const uint16_t mllp_port = FreePort();
    const uint16_t closed_port = FreePort();  // claimed by this process, never bound
    std::filesystem::create_directories(dir_ / "engine");
    engine_ = std::make_unique<EngineProcess>(
        dir_ / "engine",
        SingleDestinationConfig(
            admin_port_, mllp_port, "ris",
            fmt::format("mllp: {{ address: \"127.0.0.1:{}\", connect_timeout: 200ms }}",
                        closed_port)));
    if (absl::Status started = engine_->Start(); !started.ok()) return started.ToString();

    std::filesystem::create_directories(dir_ / "prometheus");
    prometheus_ = std::make_unique<PrometheusServer>(
        dir_ / "prometheus", fmt::format("global:\n"
                                         "  scrape_interval: 1s\n"
                                         "  scrape_timeout: 1s\n"
                                         "  evaluation_interval: 1s\n"
                                         "rule_files:\n"
                                         "  - \"{}\"\n"
                                         "scrape_configs:\n"
                                         "  - job_name: navette\n"
                                         "    static_configs:\n"
                                         "      - targets: [\"127.0.0.1:{}\"]\n",
                                         kRulesFile, admin_port_));
    if (absl::Status started = prometheus_->Start(); !started.ok()) return started.ToString();

    auto client = MllpClient::Connect("127.0.0.1", mllp_port, 5s);
    if (!client.ok()) return client.status().ToString();
    for (int i = 0; i < kMessages; ++i) {
      auto ack = (*client)->Exchange(MakeOru(fmt::format("PROM-{}", i)), 10s);
      if (!ack.ok()) return ack.status().ToString();
      auto parsed = adapters::hl7v2::ParseAck(*ack);
      if (!parsed.ok() || parsed->code != "AA") return "not acknowledged AA: " + *ack;
    }
    return "";
  }
};

std::filesystem::path PrometheusTest::dir_;
uint16_t PrometheusTest::admin_port_ = 0;
std::unique_ptr<EngineProcess> PrometheusTest::engine_;
std::unique_ptr<PrometheusServer> PrometheusTest::prometheus_;
std::string PrometheusTest::setup_failure_;

TEST_F(PrometheusTest, ScrapesTheEngineWithoutAToken) {
  nlohmann::json target;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto targets = prometheus_->Api("/api/v1/targets?state=active");
        if (!targets.ok() || (*targets)["activeTargets"].size() != 1) return false;
        target = (*targets)["activeTargets"][0];
        return target.value("health", "") == "up";
      },
      30s))
      << target.dump() << Diagnostics();
  EXPECT_EQ(target["labels"].value("job", ""), "navette");
  EXPECT_EQ(target.value("scrapeUrl", ""), fmt::format("http://127.0.0.1:{}/metrics", admin_port_));
  EXPECT_TRUE(WaitFor([&] { return SingleValue(*prometheus_, R"(up{job="navette"})") == 1; }, 30s))
      << Diagnostics();
}

TEST_F(PrometheusTest, QueueDepthWhileTheDestinationIsDown) {
  const std::string depth = R"(navette_queue_depth{job="navette",destination="ris"})";
  std::optional<double> value;
  EXPECT_TRUE(WaitFor(
      [&] {
        value = SingleValue(*prometheus_, depth);
        return value == kMessages;
      },
      60s))
      << depth << " = " << (value ? std::to_string(*value) : "no single series") << "\n"
      << Diagnostics();
  // The destination is down, not slow: attempts fail and none delivers.
  EXPECT_TRUE(WaitFor(
      [&] {
        return SingleValue(*prometheus_,
                           R"(navette_delivery_attempts_total{destination="ris",result="retry"})")
                   .value_or(0) > 0;
      },
      30s))
      << Diagnostics();
  EXPECT_EQ(SingleValue(*prometheus_, R"(navette_delivered_total{destination="ris"})"), 0);
  EXPECT_EQ(SingleValue(*prometheus_, R"(navette_messages_received_total{source="lab"})"),
            kMessages);
}

TEST_F(PrometheusTest, RulesEvaluateAndTheDestinationAlertIsPending) {
  // Every rule of the kit loaded and evaluated at least once without error.
  std::string unhealthy;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto rules = prometheus_->Api("/api/v1/rules");
        if (!rules.ok()) return false;
        int evaluated = 0;
        unhealthy.clear();
        for (const auto& group : (*rules)["groups"]) {
          if (group.value("file", "") != kRulesFile) continue;
          for (const auto& rule : group["rules"]) {
            if (rule.value("health", "") == "ok") {
              ++evaluated;
            } else {
              unhealthy += rule.dump() + "\n";
            }
          }
        }
        return evaluated >= 10 && unhealthy.empty();
      },
      30s))
      << unhealthy << Diagnostics();

  // NavetteDestinationFailing for `ris`: pending (its `for:` is minutes),
  // with its labels and annotations; and, once the engine has been scraped,
  // nothing says it is down. (Before Prometheus' first scrape `up` does not
  // exist yet, so NavetteEngineAbsent is pending for a moment: its `for:`
  // is what keeps that from firing.)
  nlohmann::json alerts;
  nlohmann::json failing;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto data = prometheus_->Api("/api/v1/alerts");
        if (!data.ok()) return false;
        alerts = (*data)["alerts"];
        failing = nullptr;
        for (const auto& alert : alerts) {
          const std::string name = alert["labels"].value("alertname", "");
          if (name == "NavetteEngineDown" || name == "NavetteEngineAbsent") return false;
          if (name == "NavetteDestinationFailing") failing = alert;
        }
        return !failing.is_null();
      },
      60s))
      << alerts.dump(2) << Diagnostics();
  ASSERT_FALSE(failing.is_null()) << alerts.dump(2);
  EXPECT_EQ(failing.value("state", ""), "pending") << failing.dump(2);
  EXPECT_EQ(failing["labels"].value("destination", ""), "ris") << failing.dump(2);
  EXPECT_EQ(failing["labels"].value("severity", ""), "critical") << failing.dump(2);
  EXPECT_EQ(failing["annotations"].value("summary", ""), "navette destination ris is failing");
}

}  // namespace
}  // namespace navette::testing
