// The dry build of every component and `check --connect`, through kinds the
// test registers: what a factory's error becomes (a line at the key it
// names), what the factories are given, and what RunCheck prints and exits.
#include "engine/config/validate.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "engine/config/check_command.h"

namespace navette::engine::config {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;

// What the factories saw, for the test to look at.
struct Seen {
  bool dry_run = false;
  std::filesystem::path data_dir;
  uint32_t max_in_flight = 0;
  int destinations = 0;
};
Seen seen;

// A source that refuses the listen address "refused:1", as a whole.
absl::StatusOr<std::unique_ptr<adapters::Source>> TestSource(
    const navette::config::MllpSource& mllp, const kinds::SourceContext&) {
  if (mllp.listen() == "127.0.0.1:1") return absl::UnavailableError("port 1 is not ours");
  return std::unique_ptr<adapters::Source>();
}

// A destination that refuses the directory "bad", naming the setting.
absl::StatusOr<std::unique_ptr<adapters::Destination>> TestDestination(
    const navette::config::FileDestination& file, const kinds::DestinationContext& context) {
  seen.dry_run = context.dry_run;
  seen.data_dir = context.data_dir;
  seen.max_in_flight = context.policy.max_in_flight;
  ++seen.destinations;
  if (file.directory() == "bad") {
    return kinds::SettingError("directory", "cannot create /x/bad: /x is not a directory");
  }
  return std::unique_ptr<adapters::Destination>();
}

// Reachable when the directory is "up".
kinds::ProbeResult TestProbe(const navette::config::FileDestination& file,
                             const kinds::DestinationContext&) {
  if (file.directory() == "up") return {true, "connected to up:1"};
  return {false, "cannot connect to down:1: Connection refused"};
}

const kinds::KindRegistry& TestKinds() {
  static const kinds::KindRegistry registry = [] {
    kinds::KindRegistry kinds;
    (void)kinds.Add(kinds::Erase(
        kinds::TypedSourceKind<navette::config::MllpSource>{.name = "mllp", .create = TestSource}));
    (void)kinds.Add(kinds::Erase(kinds::TypedDestinationKind<navette::config::FileDestination>{
        .name = "file", .create = TestDestination, .probe = TestProbe}));
    // A kind with no probe, whose check warns about plain http.
    (void)kinds.Add(kinds::Erase(kinds::TypedDestinationKind<navette::config::HttpDestination>{
        .name = "http",
        .check =
            [](const navette::config::HttpDestination& http, kinds::CheckReporter& reporter) {
              if (http.url().starts_with("http://")) reporter.Warning("url", "sent in clear");
            },
        .create = [](const navette::config::HttpDestination&, const kinds::DestinationContext&)
            -> absl::StatusOr<std::unique_ptr<adapters::Destination>> {
          return std::unique_ptr<adapters::Destination>();
        }}));
    return kinds;
  }();
  return registry;
}

std::string Config(std::string_view listen, std::string_view first_directory,
                   std::string_view second_directory = "up", std::string_view steps = "",
                   std::string_view scheme = "https") {
  return fmt::format(
      "sources:\n"
      "  - name: in\n"
      "    mllp: {{ listen: \"{}\" }}\n"
      "destinations:\n"
      "  - name: one\n"
      "    file:\n"
      "      directory: {}\n"
      "  - name: two\n"
      "    file: {{ directory: {} }}\n"
      "    delivery: {{ max_in_flight: 7 }}\n"
      "  - name: web\n"
      "    http: {{ url: \"{}://127.0.0.1:1/in\" }}\n"
      "routes:\n"
      "  - name: all\n"
      "    to: [one, two, web]\n{}",
      listen, first_directory, second_directory, scheme, steps);
}

LoadedConfig Load(const std::string& text) {
  LoadResult result = LoadConfigText(text, "test.yaml", TestKinds());
  EXPECT_TRUE(result.ok()) << (result.errors.empty() ? "" : result.errors[0].ToString());
  return result.ok() ? *std::move(result.config) : LoadedConfig{};
}

TEST(DryBuildTest, AFactoryErrorIsReportedAtTheKeyItNames) {
  seen = {};
  LoadedConfig loaded = Load(Config("127.0.0.1:2575", "bad"));
  std::vector<ConfigError> errors = DryBuildComponents(loaded, TestKinds(), "/srv/navette");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_EQ(errors[0].Diagnostic(),
            "test.yaml:7:18: error: destination 'one': file.directory: cannot create /x/bad: /x "
            "is not a directory");
  // Every destination was built, dry, with the data directory and its
  // delivery policy (the last one seen is 'two').
  EXPECT_EQ(seen.destinations, 2);
  EXPECT_TRUE(seen.dry_run);
  EXPECT_EQ(seen.data_dir, "/srv/navette");
  EXPECT_EQ(seen.max_in_flight, 7u);
}

TEST(DryBuildTest, AnErrorThatNamesNoSettingIsReportedAtTheKind) {
  LoadedConfig loaded = Load(Config("127.0.0.1:1", "out"));
  std::vector<ConfigError> errors = DryBuildComponents(loaded, TestKinds(), "data");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_EQ(errors[0].ToString(), "test.yaml:3:11: source 'in': port 1 is not ours");
  // The same words for an error met at start-up (serve's own).
  EXPECT_EQ(
      SourceError(loaded, TestKinds(), 0, absl::UnavailableError("port 1 is not ours")).ToString(),
      errors[0].ToString());
}

TEST(DryBuildTest, ProbesEachDestinationThatHasAProbe) {
  LoadedConfig loaded = Load(Config("127.0.0.1:2575", "down", "up"));
  std::vector<ProbeReport> reports = ProbeDestinations(loaded, TestKinds(), "data");
  ASSERT_THAT(reports, SizeIs(3));
  EXPECT_EQ(reports[0].destination, "one");
  EXPECT_TRUE(reports[0].probed);
  EXPECT_FALSE(reports[0].result.ok);
  EXPECT_TRUE(reports[1].result.ok);
  EXPECT_EQ(reports[1].result.detail, "connected to up:1");
  EXPECT_EQ(reports[2].kind, "http");
  EXPECT_FALSE(reports[2].probed);
}

class RunCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            fmt::format("navette-validate-{}-{}.yaml", ::getpid(),
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { std::filesystem::remove(path_); }

  int Check(const std::string& text, bool connect = false) {
    std::ofstream(path_) << text;
    out_.str("");
    err_.str("");
    return RunCheck(path_.string(), TestKinds(), out_, err_,
                    CheckOptions{.data_dir = "data", .connect = connect});
  }

  std::filesystem::path path_;
  std::ostringstream out_, err_;
};

TEST_F(RunCheckTest, AFactoryErrorFailsTheCheck) {
  EXPECT_EQ(Check(Config("127.0.0.1:2575", "bad")), 1);
  EXPECT_EQ(err_.str(), path_.string() +
                            ":7:18: error: destination 'one': file.directory: cannot create "
                            "/x/bad: /x is not a directory\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(RunCheckTest, AWarningIsPrintedAndTheCheckSucceeds) {
  const std::string steps = "    steps: [ { attach_ins: {} } ]\n";
  EXPECT_EQ(Check(Config("127.0.0.1:2575", "out", "up", steps)), 0);
  EXPECT_THAT(err_.str(), ::testing::StartsWith(path_.string() + ":16:14: warning: route 'all': "));
  EXPECT_THAT(out_.str(), ::testing::HasSubstr(": ok (1 source, 1 route, 3 destinations"));
}

TEST_F(RunCheckTest, AKindsWarningIsAWarning) {
  EXPECT_EQ(Check(Config("127.0.0.1:2575", "out", "up", "", "http")), 0);
  EXPECT_EQ(err_.str(), path_.string() + ":12:18: warning: destination 'web': sent in clear\n");
}

TEST_F(RunCheckTest, ConnectSaysPerDestinationWhatItFoundAndFailsWhenOneIsDown) {
  EXPECT_EQ(Check(Config("127.0.0.1:2575", "down", "up"), /*connect=*/true), 1);
  std::string out = out_.str();
  EXPECT_THAT(out, ::testing::HasSubstr(
                       "destination 'one' (file): FAILED: cannot connect to down:1: Connection "
                       "refused\n"
                       "destination 'two' (file): ok: connected to up:1\n"
                       "destination 'web' (http): not probed (the http kind has no probe)\n"));
  EXPECT_EQ(Check(Config("127.0.0.1:2575", "up", "up"), /*connect=*/true), 0);
  // Without --connect nothing is probed.
  EXPECT_EQ(Check(Config("127.0.0.1:2575", "down", "up")), 0);
  EXPECT_THAT(out_.str(), ::testing::Not(::testing::HasSubstr("destination '")));
}

}  // namespace
}  // namespace navette::engine::config
