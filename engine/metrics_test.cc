#include "engine/metrics.h"

#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kinds/registry.h"
#include "proto/config.pb.h"

namespace navette::engine {
namespace {

// Two sources, two destinations, two routes: enough to see every series kind.
navette::config::Config TestConfig() {
  navette::config::Config config;
  for (const char* name : {"lab", "ris"}) {
    auto* source = config.add_sources();
    source->set_name(name);
    source->mutable_mllp()->set_listen("127.0.0.1:2575");
  }
  for (const char* name : {"outbox", "archive"}) {
    auto* destination = config.add_destinations();
    destination->set_name(name);
    destination->mutable_file()->set_directory(name);
  }
  auto* all = config.add_routes();
  all->set_name("all");
  all->add_to("outbox");
  all->add_to("archive");
  auto* results = config.add_routes();
  results->set_name("results");
  results->add_to("outbox");
  return config;
}

// The reasons the stand-in mllp source kind below declares.
const std::vector<std::string_view> kMllpReasons = {
    "framing",   "too_large",        "empty",
    "not_hl7",   "bad_header",       "publish_failed",
    "truncated", "connection_limit", "peer_connection_limit"};

// A registry whose mllp source row declares kMllpReasons: Metrics reads a
// source's reject reasons from its kind's row, not from the adapter.
const kinds::KindRegistry& TestKinds() {
  static const kinds::KindRegistry registry = [] {
    kinds::KindRegistry kinds;
    absl::Status added = kinds.Add(kinds::Erase(kinds::TypedSourceKind<navette::config::MllpSource>{
        .name = "mllp",
        .create = [](const navette::config::MllpSource&, const kinds::SourceContext&)
            -> absl::StatusOr<std::unique_ptr<adapters::Source>> {
          return absl::UnimplementedError("not built in this test");
        },
        .reject_reasons = kMllpReasons}));
    EXPECT_TRUE(added.ok()) << added;
    return kinds;
  }();
  return registry;
}

// `name{label="value",...}` as the text format writes it: labels sorted.
std::string Series(const std::string& name, const std::map<std::string, std::string>& labels = {}) {
  if (labels.empty()) return name;
  std::string out = name + "{";
  for (const auto& [label, value] : labels) {
    if (out.back() != '{') out += ",";
    out += label + "=\"" + value + "\"";
  }
  return out + "}";
}

// Every sample of a rendering, by series; fails the test on any line that is
// not a comment or a well-formed sample.
std::map<std::string, double> Parse(const std::string& text) {
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*")*\})?) ([^ ]+))");
  static const std::regex kComment(R"(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+)");
  std::map<std::string, double> samples;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    std::smatch match;
    if (std::regex_match(line, kComment)) continue;
    if (!std::regex_match(line, match, kSample)) {
      ADD_FAILURE() << "unparseable line: " << line;
      continue;
    }
    const std::string value = match[4];
    size_t used = 0;
    double number = 0;
    if (value == "+Inf") {
      number = std::numeric_limits<double>::infinity();
    } else {
      number = std::stod(value, &used);
      EXPECT_EQ(used, value.size()) << line;
    }
    EXPECT_TRUE(samples.emplace(match[1], number).second) << "duplicate series: " << line;
  }
  return samples;
}

double Value(const std::map<std::string, double>& samples, const std::string& series) {
  auto it = samples.find(series);
  if (it == samples.end()) {
    ADD_FAILURE() << "no series " << series;
    return -1;
  }
  return it->second;
}

TEST(MetricsTest, ConfiguredSeriesExistAtZero) {
  Metrics metrics(TestConfig(), TestKinds());
  const auto samples = Parse(metrics.Render());
  for (const char* source : {"lab", "ris"}) {
    EXPECT_EQ(Value(samples, Series("navette_messages_received_total", {{"source", source}})), 0);
    for (std::string_view reason : kMllpReasons) {
      EXPECT_EQ(Value(samples, Series("navette_messages_rejected_total",
                                      {{"source", source}, {"reason", std::string(reason)}})),
                0);
    }
  }
  EXPECT_EQ(Value(samples, "navette_messages_unrouted_total"), 0);
  for (const char* route : {"all", "results"}) {
    EXPECT_EQ(Value(samples, Series("navette_routed_total", {{"route", route}})), 0);
  }
  for (const char* destination : {"outbox", "archive"}) {
    for (const char* result : {"delivered", "retry", "dead"}) {
      EXPECT_EQ(Value(samples, Series("navette_delivery_attempts_total",
                                      {{"destination", destination}, {"result", result}})),
                0);
    }
    for (const char* name : {"navette_delivered_total", "navette_dead_letters_total",
                             "navette_queue_depth", "navette_queue_oldest_age_seconds",
                             "navette_dead_letters", "navette_delivery_seconds_count",
                             "navette_circuit_open", "navette_circuit_opened_total"}) {
      EXPECT_EQ(Value(samples, Series(name, {{"destination", destination}})), 0) << name;
    }
  }
  // End-to-end series only for the (route, destination) pairs configured.
  EXPECT_EQ(Value(samples, Series("navette_end_to_end_seconds_count",
                                  {{"route", "all"}, {"destination", "archive"}})),
            0);
  EXPECT_EQ(Value(samples, Series("navette_end_to_end_seconds_count",
                                  {{"route", "results"}, {"destination", "outbox"}})),
            0);
  EXPECT_EQ(samples.count(Series("navette_end_to_end_seconds_count",
                                 {{"route", "results"}, {"destination", "archive"}})),
            0u);
  EXPECT_EQ(Value(samples, "navette_ingest_commit_seconds_count"), 0);
  EXPECT_EQ(Value(samples, "navette_parked_messages"), 0);
  EXPECT_EQ(Value(samples, "navette_parked_oldest_age_seconds"), 0);
  EXPECT_EQ(Value(samples, Series("navette_build_info", {{"version", NAVETTE_TEST_VERSION}})), 1);
}

TEST(MetricsTest, UnmappedCodesHaveASeriesPerRouteWithAMapCodesStep) {
  navette::config::Config config = TestConfig();
  config.mutable_routes(1)->add_steps()->mutable_map_codes()->set_table("lab-codes.csv");
  Metrics metrics(config, TestKinds());
  auto samples = Parse(metrics.Render());
  EXPECT_EQ(Value(samples, Series("navette_unmapped_codes_total", {{"route", "results"}})), 0);
  EXPECT_EQ(samples.count(Series("navette_unmapped_codes_total", {{"route", "all"}})), 0u);
  metrics.UnmappedCodes("results", 3);
  metrics.UnmappedCodes("results", 1);
  samples = Parse(metrics.Render());
  EXPECT_EQ(Value(samples, Series("navette_unmapped_codes_total", {{"route", "results"}})), 4);
}

TEST(MetricsTest, RejectReasonsComeFromTheSourcesKind) {
  // The same configuration with a registry that has no mllp source row: its
  // sources get no reject series until they reject something.
  Metrics metrics(TestConfig(), kinds::KindRegistry());
  const auto samples = Parse(metrics.Render());
  EXPECT_EQ(Value(samples, Series("navette_messages_received_total", {{"source", "lab"}})), 0);
  for (const auto& [series, value] : samples) {
    EXPECT_FALSE(series.starts_with("navette_messages_rejected_total")) << series;
  }
}

TEST(MetricsTest, CountersGaugesAndHistogramsMove) {
  Metrics metrics(TestConfig(), TestKinds());
  metrics.Received("lab", 3);
  metrics.Received("lab");
  metrics.Rejected("ris", "not_hl7");
  metrics.IngestCommitted(0.0003);
  metrics.Unrouted();
  metrics.Routed("all", 2);
  metrics.Attempted("outbox", "delivered", 0.002);
  metrics.Attempted("outbox", "retry", 0.5);
  metrics.Attempted("archive", "dead", 30);
  metrics.EndToEnd("all", "outbox", 0.2);
  metrics.SetQueue("outbox", 7, 12.5);
  metrics.SetDeadLetters("archive", 1);

  const auto samples = Parse(metrics.Render());
  EXPECT_EQ(Value(samples, Series("navette_messages_received_total", {{"source", "lab"}})), 4);
  EXPECT_EQ(Value(samples, Series("navette_messages_received_total", {{"source", "ris"}})), 0);
  EXPECT_EQ(Value(samples, Series("navette_messages_rejected_total",
                                  {{"source", "ris"}, {"reason", "not_hl7"}})),
            1);
  EXPECT_EQ(Value(samples, "navette_ingest_commit_seconds_count"), 1);
  EXPECT_EQ(Value(samples, Series("navette_ingest_commit_seconds_bucket", {{"le", "0.0001"}})), 0);
  EXPECT_EQ(Value(samples, Series("navette_ingest_commit_seconds_bucket", {{"le", "0.0005"}})), 1);
  EXPECT_EQ(Value(samples, "navette_messages_unrouted_total"), 1);
  EXPECT_EQ(Value(samples, Series("navette_routed_total", {{"route", "all"}})), 2);
  EXPECT_EQ(Value(samples, Series("navette_delivery_attempts_total",
                                  {{"destination", "outbox"}, {"result", "delivered"}})),
            1);
  EXPECT_EQ(Value(samples, Series("navette_delivery_attempts_total",
                                  {{"destination", "outbox"}, {"result", "retry"}})),
            1);
  EXPECT_EQ(Value(samples, Series("navette_delivered_total", {{"destination", "outbox"}})), 1);
  EXPECT_EQ(Value(samples, Series("navette_dead_letters_total", {{"destination", "outbox"}})), 0);
  EXPECT_EQ(Value(samples, Series("navette_dead_letters_total", {{"destination", "archive"}})), 1);
  EXPECT_EQ(Value(samples, Series("navette_delivered_total", {{"destination", "archive"}})), 0);
  EXPECT_EQ(Value(samples, Series("navette_delivery_seconds_count", {{"destination", "outbox"}})),
            2);
  EXPECT_DOUBLE_EQ(
      Value(samples, Series("navette_delivery_seconds_sum", {{"destination", "outbox"}})), 0.502);
  EXPECT_EQ(Value(samples, Series("navette_end_to_end_seconds_count",
                                  {{"route", "all"}, {"destination", "outbox"}})),
            1);
  EXPECT_EQ(Value(samples, Series("navette_queue_depth", {{"destination", "outbox"}})), 7);
  EXPECT_EQ(Value(samples, Series("navette_queue_oldest_age_seconds", {{"destination", "outbox"}})),
            12.5);
  EXPECT_EQ(Value(samples, Series("navette_dead_letters", {{"destination", "archive"}})), 1);
}

TEST(MetricsTest, CircuitGaugeFollowsOpeningAndClosingAndOpeningsAreCounted) {
  Metrics metrics(TestConfig(), TestKinds());
  metrics.CircuitOpened("outbox");
  auto samples = Parse(metrics.Render());
  EXPECT_EQ(Value(samples, Series("navette_circuit_open", {{"destination", "outbox"}})), 1);
  EXPECT_EQ(Value(samples, Series("navette_circuit_open", {{"destination", "archive"}})), 0);
  metrics.CircuitClosed("outbox");
  metrics.CircuitOpened("outbox");
  metrics.CircuitClosed("outbox");
  samples = Parse(metrics.Render());
  EXPECT_EQ(Value(samples, Series("navette_circuit_open", {{"destination", "outbox"}})), 0);
  EXPECT_EQ(Value(samples, Series("navette_circuit_opened_total", {{"destination", "outbox"}})), 2);
  EXPECT_EQ(Value(samples, Series("navette_circuit_opened_total", {{"destination", "archive"}})),
            0);
}

TEST(MetricsTest, RefusedBusHandshakesAreCountedByReasonFromZero) {
  Metrics metrics(TestConfig(), TestKinds());
  auto samples = Parse(metrics.Render());
  for (const char* reason :
       {"unauthorized_key", "mechanism_mismatch", "cryptographic", "protocol", "incomplete"}) {
    EXPECT_EQ(Value(samples, Series("navette_bus_handshakes_refused_total", {{"reason", reason}})),
              0)
        << reason;
  }
  metrics.BusHandshakeRefused("unauthorized_key");
  metrics.BusHandshakeRefused("unauthorized_key");
  samples = Parse(metrics.Render());
  EXPECT_EQ(Value(samples,
                  Series("navette_bus_handshakes_refused_total", {{"reason", "unauthorized_key"}})),
            2);
}

TEST(MetricsTest, UnconfiguredNamesAreCountedToo) {
  Metrics metrics(TestConfig(), TestKinds());
  metrics.Received("elsewhere");
  metrics.Received("elsewhere");
  metrics.Rejected("lab", "some_new_reason");
  metrics.EndToEnd("results", "archive", 1);
  const auto samples = Parse(metrics.Render());
  EXPECT_EQ(Value(samples, Series("navette_messages_received_total", {{"source", "elsewhere"}})),
            2);
  EXPECT_EQ(Value(samples, Series("navette_messages_rejected_total",
                                  {{"source", "lab"}, {"reason", "some_new_reason"}})),
            1);
  EXPECT_EQ(Value(samples, Series("navette_end_to_end_seconds_count",
                                  {{"route", "results"}, {"destination", "archive"}})),
            1);
}

TEST(MetricsTest, DiskWatermarkGaugesAndRefusals) {
  Metrics metrics(TestConfig(), TestKinds());
  auto samples = Parse(metrics.Render());
  // Present from the start, so that an alert on them works before any pause.
  EXPECT_EQ(Value(samples, Series("navette_intake_paused", {{"reason", "disk_low"}})), 0);
  EXPECT_EQ(Value(samples, Series("navette_messages_rejected_total",
                                  {{"source", "lab"}, {"reason", "disk_low"}})),
            0);

  metrics.SetDiskSpace("store", 900 << 20, uint64_t{1} << 30);
  metrics.SetIntakePaused("disk_low", true);
  metrics.Rejected("lab", "disk_low");
  samples = Parse(metrics.Render());
  EXPECT_EQ(Value(samples, Series("navette_disk_free_bytes", {{"volume", "store"}})), 900 << 20);
  EXPECT_EQ(Value(samples, Series("navette_disk_min_free_bytes", {{"volume", "store"}})),
            uint64_t{1} << 30);
  EXPECT_EQ(Value(samples, Series("navette_intake_paused", {{"reason", "disk_low"}})), 1);
  EXPECT_EQ(Value(samples, Series("navette_messages_rejected_total",
                                  {{"source", "lab"}, {"reason", "disk_low"}})),
            1);

  metrics.SetIntakePaused("disk_low", false);
  samples = Parse(metrics.Render());
  EXPECT_EQ(Value(samples, Series("navette_intake_paused", {{"reason", "disk_low"}})), 0);
}

TEST(MetricsTest, TextHasHelpAndTypeForEveryFamily) {
  Metrics metrics(TestConfig(), TestKinds());
  const std::string text = metrics.Render();
  Parse(text);  // every line well formed
  const std::map<std::string, std::string> types = {
      {"navette_messages_received_total", "counter"},
      {"navette_messages_rejected_total", "counter"},
      {"navette_messages_unrouted_total", "counter"},
      {"navette_routed_total", "counter"},
      {"navette_delivery_attempts_total", "counter"},
      {"navette_delivered_total", "counter"},
      {"navette_dead_letters_total", "counter"},
      {"navette_queue_depth", "gauge"},
      {"navette_queue_oldest_age_seconds", "gauge"},
      {"navette_dead_letters", "gauge"},
      {"navette_circuit_open", "gauge"},
      {"navette_circuit_opened_total", "counter"},
      {"navette_bus_handshakes_refused_total", "counter"},
      {"navette_parked_messages", "gauge"},
      {"navette_parked_oldest_age_seconds", "gauge"},
      {"navette_ingest_commit_seconds", "histogram"},
      {"navette_delivery_seconds", "histogram"},
      {"navette_end_to_end_seconds", "histogram"},
      {"navette_build_info", "gauge"},
      {"navette_intake_paused", "gauge"},
  };
  for (const auto& [name, type] : types) {
    EXPECT_NE(text.find("\n# TYPE " + name + " " + type + "\n"), std::string::npos) << name;
    EXPECT_NE(text.find("# HELP " + name + " "), std::string::npos) << name;
  }
}

TEST(MetricsTest, ParkedGaugesAreReadAtEachRendering) {
  Metrics metrics(TestConfig(), TestKinds());
  std::optional<Metrics::Parked> store_says = Metrics::Parked{3, 7200.5};
  int reads = 0;
  metrics.SetParkedReader([&] {
    ++reads;
    return store_says;
  });
  auto samples = Parse(metrics.Render());
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(Value(samples, "navette_parked_messages"), 3);
  EXPECT_EQ(Value(samples, "navette_parked_oldest_age_seconds"), 7200.5);

  store_says = Metrics::Parked{0, 0};  // all released
  samples = Parse(metrics.Render());
  EXPECT_EQ(Value(samples, "navette_parked_messages"), 0);
  EXPECT_EQ(Value(samples, "navette_parked_oldest_age_seconds"), 0);

  // A failed read leaves the last values rather than a false zero.
  store_says = Metrics::Parked{2, 60};
  Parse(metrics.Render());
  store_says = std::nullopt;
  samples = Parse(metrics.Render());
  EXPECT_EQ(reads, 4);
  EXPECT_EQ(Value(samples, "navette_parked_messages"), 2);
  EXPECT_EQ(Value(samples, "navette_parked_oldest_age_seconds"), 60);
}

TEST(MetricsTest, CountsFromManyThreadsWhileRendering) {
  Metrics metrics(TestConfig(), TestKinds());
  constexpr int kThreads = 4;
  constexpr int kEach = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < kEach; ++i) {
        metrics.Received("lab");
        metrics.Routed(t % 2 ? "all" : "unknown-route");
      }
    });
  }
  for (int i = 0; i < 20; ++i) Parse(metrics.Render());
  for (auto& thread : threads) thread.join();
  const auto samples = Parse(metrics.Render());
  EXPECT_EQ(Value(samples, Series("navette_messages_received_total", {{"source", "lab"}})),
            kThreads * kEach);
  EXPECT_EQ(Value(samples, Series("navette_routed_total", {{"route", "unknown-route"}})),
            kThreads / 2 * kEach);
}

}  // namespace
}  // namespace navette::engine
