// Acceptance of the kind registry (issue 12, point 2): a destination kind
// defined only under tests/ (tests/kinds/: its config message and its row)
// and registered into a copy of the built-in registry is written in YAML
// like a built-in kind, checked by navette's own checks at the file, line
// and column of its settings, and delivered to end to end by an in-process
// engine that took a message over MLLP.
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/mllp/client.h"
#include "engine/builtin_kinds.h"
#include "engine/config/check_command.h"
#include "engine/config/loader.h"
#include "engine/engine.h"
#include "tests/kinds/recording_destination.pb.h"
#include "tests/kinds/recording_destination_kind.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// The built-in kinds plus the recording destination: all a test needs to
// use a kind of its own.
kinds::KindRegistry KindsWithRecording() {
  kinds::KindRegistry kinds = engine::BuiltinKinds();
  absl::Status added = kinds.Add(RecordingDestinationKind());
  EXPECT_TRUE(added.ok()) << added;
  return kinds;
}

// One MLLP source, one destination `copy` whose kind settings are the YAML
// `destination` (written on line 8, from column 5), and a route to it.
std::string Config(uint16_t admin_port, uint16_t mllp_port, const std::string& destination) {
  return SingleDestinationConfig(admin_port, mllp_port, "copy", destination);
}

std::vector<std::string> Errors(const engine::config::LoadResult& result) {
  std::vector<std::string> errors;
  for (const auto& error : result.errors) errors.push_back(error.ToString());
  return errors;
}

TEST(ExtensionKindTest, ARegisteredKindIsLoadedWithItsDefaultsAndTraits) {
  const kinds::KindRegistry kinds = KindsWithRecording();
  auto result = engine::config::LoadConfigText(Config(8575, 2575, "recording: { tag: lab-copy }"),
                                               "c.yaml", kinds);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Errors(result));
  const navette::config::Destination& copy = result.config->config.destinations(0);
  ASSERT_EQ(copy.kind_case(), navette::config::Destination::kExtension);
  EXPECT_EQ(kinds::KindName(copy, kinds), "recording");
  test_kinds::RecordingDestination settings;
  ASSERT_TRUE(copy.extension().UnpackTo(&settings));
  EXPECT_EQ(settings.tag(), "lab-copy");
  EXPECT_EQ(settings.copies(), 1u);  // the row's default
  // The row's default in-flight, not the generic 4.
  EXPECT_EQ(copy.delivery().max_in_flight(), 2u);
  // Positions are recorded under the kind's name.
  EXPECT_TRUE(result.config->source_map.FindValue("destinations[0].recording.tag").has_value());
}

TEST(ExtensionKindTest, WithoutItsRegistrationTheKindIsAnUnknownKey) {
  auto result = engine::config::LoadConfigText(Config(8575, 2575, "recording: { tag: lab-copy }"),
                                               "c.yaml", engine::BuiltinKinds());
  EXPECT_THAT(Errors(result),
              Contains("c.yaml:8:5: unknown key 'recording' in destinations[0] (expected one of: "
                       "name, file, http, mllp, dmp, mssante, delivery)"));
}

TEST(ExtensionKindTest, AMisspeltKindNameListsTheRegisteredKinds) {
  auto result = engine::config::LoadConfigText(Config(8575, 2575, "recordin: { tag: lab-copy }"),
                                               "c.yaml", KindsWithRecording());
  EXPECT_THAT(
      Errors(result),
      Contains(
          "c.yaml:8:5: unknown key 'recordin' in destinations[0] (expected one of: "
          "name, file, http, mllp, dmp, mssante, delivery, recording); did you mean 'recording'?"));
}

TEST(ExtensionKindTest, ItsSettingsAreConvertedWithTheSameErrorsAndPositions) {
  auto unknown = engine::config::LoadConfigText(
      Config(8575, 2575, "recording: { tag: lab-copy, copis: 2 }"), "c.yaml", KindsWithRecording());
  EXPECT_THAT(Errors(unknown),
              Contains("c.yaml:8:33: unknown key 'copis' in destinations[0].recording (expected "
                       "one of: tag, copies); did you mean 'copies'?"));
  auto wrong_type =
      engine::config::LoadConfigText(Config(8575, 2575, "recording: { tag: lab-copy, copies: -1 }"),
                                     "c.yaml", KindsWithRecording());
  EXPECT_THAT(Errors(wrong_type),
              Contains("c.yaml:8:41: destinations[0].recording.copies: expected a whole number "
                       "from 0 to 4294967295, got '-1'"));
}

TEST(ExtensionKindTest, TwoKindsInOneDestinationConflict) {
  auto result = engine::config::LoadConfigText(
      Config(8575, 2575, "file: { directory: out }\n    recording: { tag: lab-copy }"), "c.yaml",
      KindsWithRecording());
  EXPECT_THAT(Errors(result),
              Contains("c.yaml:9:5: destinations[0].recording: 'file' and 'recording' cannot both "
                       "be set in destinations[0]: they are alternatives (one 'kind' only; 'file' "
                       "is on line 8)"));
}

TEST(ExtensionKindTest, NavetteCheckReportsABadSettingOfTheKindAtItsPosition) {
  const std::filesystem::path dir = FreshTestDir("extension_kind");
  const std::filesystem::path file = dir / "navette.yaml";
  std::ofstream(file) << Config(8575, 2575, "recording: { tag: \"not ok!\" }");
  std::ostringstream out;
  std::ostringstream err;
  const int status = engine::config::RunCheck(file.string(), KindsWithRecording(), out, err);
  EXPECT_EQ(status, 1);
  EXPECT_EQ(err.str(), fmt::format("{}:8:23: error: destination 'copy': recording.tag 'not ok!' "
                                   "may only contain letters, digits and '-'\n",
                                   file.string()));
  // A setting the kind requires, absent: reported where its settings are.
  std::ofstream(file) << Config(8575, 2575, "recording: { copies: 2 }");
  std::ostringstream missing;
  EXPECT_EQ(engine::config::RunCheck(file.string(), KindsWithRecording(), out, missing), 1);
  EXPECT_EQ(missing.str(),
            fmt::format("{}:8:16: error: destination 'copy': recording.tag is required\n",
                        file.string()));
  std::filesystem::remove_all(dir);
}

TEST(ExtensionKindTest, AnEngineDeliversToTheKindEndToEnd) {
  const kinds::KindRegistry kinds = KindsWithRecording();
  const std::filesystem::path dir = FreshTestDir("extension_kind");
  const uint16_t mllp_port = FreePort();
  auto loaded = engine::config::LoadConfigText(
      Config(FreePort(), mllp_port, "recording: { tag: lab-copy, copies: 2 }"), "c.yaml", kinds);
  ASSERT_TRUE(loaded.ok()) << ::testing::PrintToString(Errors(loaded));
  auto engine = engine::Engine::Start(*loaded.config, dir / "data", kinds);
  ASSERT_TRUE(engine.ok()) << engine.status();

  const std::string message = MakeOru("EXT0001");
  auto client =
      adapters::mllp::MllpClient::Connect("127.0.0.1", mllp_port, std::chrono::seconds(5));
  ASSERT_TRUE(client.ok()) << client.status();
  auto ack = (*client)->Exchange(message, std::chrono::seconds(30));
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_THAT(*ack, HasSubstr("MSA|AA|EXT0001"));

  // Two copies, as configured: the row's factory got the settings.
  const std::vector<RecordedDelivery> recorded = Recorded().WaitFor(2, std::chrono::seconds(60));
  ASSERT_EQ(recorded.size(), 2u);
  for (const RecordedDelivery& delivery : recorded) {
    EXPECT_EQ(delivery.destination, "copy");
    EXPECT_EQ(delivery.tag, "lab-copy");
    EXPECT_EQ(delivery.copies, 2u);
    EXPECT_EQ(delivery.raw, message);
  }
  (*engine)->Stop();
  std::filesystem::remove_all(dir);
}

TEST(ExtensionKindTest, ACopyOfTheBuiltInRegistryLeavesTheBuiltInsAlone) {
  const kinds::KindRegistry kinds = KindsWithRecording();
  EXPECT_NE(kinds.FindDestination("recording"), nullptr);
  EXPECT_NE(kinds.FindDestination("file"), nullptr);
  EXPECT_EQ(engine::BuiltinKinds().FindDestination("recording"), nullptr);
}

}  // namespace
}  // namespace navette::testing
