#include "engine/config/loader.h"
#include "engine/builtin_kinds.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::engine::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::SizeIs;

const std::string kFixtures = std::string(NAVETTE_FIXTURES_DIR) + "/config";

std::string Messages(const LoadResult& result) {
  std::string out;
  for (const ConfigError& error : result.errors) out += error.ToString() + "\n";
  return out;
}

TEST(LoaderTest, DefaultConfigLoadsWithoutErrors) {
  LoadResult result = LoadConfigText(DefaultConfigText(), kDefaultConfigName, BuiltinKinds());
  ASSERT_TRUE(result.ok()) << Messages(result);
  EXPECT_THAT(result.errors, IsEmpty());
  const navette::config::Config& config = result.config->config;
  EXPECT_EQ(config.engine().admin().listen(), "127.0.0.1:8575");
  ASSERT_THAT(config.sources(), SizeIs(1));
  EXPECT_EQ(config.sources(0).name(), "mllp");
  EXPECT_EQ(config.sources(0).mllp().listen(), "127.0.0.1:2575");
  ASSERT_THAT(config.destinations(), SizeIs(1));
  EXPECT_EQ(config.destinations(0).name(), "outbox");
  EXPECT_EQ(config.destinations(0).file().directory(), "outbox");
  ASSERT_THAT(config.routes(), SizeIs(1));
  EXPECT_EQ(config.routes(0).name(), "all-to-outbox");
  EXPECT_THAT(config.routes(0).from(), IsEmpty());
  EXPECT_FALSE(config.routes(0).has_match());
  EXPECT_THAT(config.routes(0).to(), ElementsAre("outbox"));
  EXPECT_EQ(result.config->text, DefaultConfigText());
  EXPECT_EQ(result.config->file, kDefaultConfigName);
}

TEST(LoaderTest, DefaultConfigTextIsTheYamlFileAsWritten) {
  std::ifstream in(std::string(NAVETTE_FIXTURES_DIR) + "/../../engine/config/default.yaml");
  ASSERT_TRUE(in);
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(DefaultConfigText(), file);
}

TEST(LoaderTest, VersionIsTheStartOfTheSha256OfTheText) {
  // sha256("") = e3b0c44298fc1c149afbf4c8996fb924...
  EXPECT_EQ(ConfigVersion(""), "e3b0c44298fc1c14");
  // sha256("abc") = ba7816bf8f01cfea414140de5dae2223...
  EXPECT_EQ(ConfigVersion("abc"), "ba7816bf8f01cfea");

  LoadResult result = LoadConfigText(DefaultConfigText(), kDefaultConfigName, BuiltinKinds());
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result.config->version, MatchesRegex("[0-9a-f]{16}"));
  EXPECT_EQ(result.config->version, ConfigVersion(DefaultConfigText()));
  // Any change, even a comment, is a new version.
  LoadResult edited =
      LoadConfigText(std::string(DefaultConfigText()) + "# edited\n", "x", BuiltinKinds());
  ASSERT_TRUE(edited.ok());
  EXPECT_NE(edited.config->version, result.config->version);
}

TEST(LoaderTest, ExampleFixtureLoadsCleanlyWithDefaultsApplied) {
  LoadResult result = LoadConfigFile(kFixtures + "/example.yaml", BuiltinKinds());
  ASSERT_TRUE(result.ok()) << Messages(result);
  const navette::config::Config& config = result.config->config;
  EXPECT_THAT(config.sources(), SizeIs(2));
  EXPECT_THAT(config.routes(), SizeIs(4));
  EXPECT_THAT(config.destinations(), SizeIs(2));
  EXPECT_EQ(config.engine().ingress().retransmission_window().seconds(), 12 * 3600);
  EXPECT_TRUE(config.engine().ingress().allow_plain_loopback());
  EXPECT_EQ(config.sources(0).default_charset(), "UNICODE UTF-8");  // default
  EXPECT_EQ(config.sources(1).default_charset(), "8859/1");
  EXPECT_EQ(config.sources(1).mllp().max_message_bytes(), 16u * 1024 * 1024);  // default
  EXPECT_TRUE(config.sources(1).mllp().has_idle_timeout());                    // "0s" kept
  EXPECT_EQ(config.sources(1).mllp().idle_timeout().seconds(), 0);
  EXPECT_THAT(config.routes(0).from(), ElementsAre("sil-labo"));
  EXPECT_EQ(config.routes(0).match().fields().at("OBX[1]-3.1"), "^[0-9]+-[0-9]$");
  EXPECT_EQ(result.config->file, kFixtures + "/example.yaml");
  EXPECT_EQ(result.config->source_map.FindValue("routes[2].to[1]"), (SourcePosition{58, 9}));
  // Steps, with their defaults, and the identity section.
  ASSERT_THAT(config.routes(0).steps(), SizeIs(1));
  EXPECT_EQ(config.routes(0).steps(0).attach_ins().on_missing(),
            navette::config::AttachInsStep::PARK);
  EXPECT_TRUE(config.routes(3).steps(0).has_identity_feed());
  EXPECT_THAT(config.routes(3).to(), SizeIs(0));
  EXPECT_EQ(config.identity().environment(), navette::config::IdentitySettings::TEST);
  EXPECT_EQ(config.identity().reliability_codes().at("VALI"), navette::config::QUALIFIED);
}

TEST(LoaderTest, ThreeErrorsFixtureGivesExactlyThreeErrorsOnTheirLines) {
  std::string path = kFixtures + "/three_errors.yaml";
  LoadResult result = LoadConfigFile(path, BuiltinKinds());
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(result.config.has_value());
  ASSERT_THAT(result.errors, SizeIs(3)) << Messages(result);
  EXPECT_EQ(result.errors[0].ToString(),
            path +
                ":15:7: unknown key 'max_conections' in sources[0].mllp (expected one of: "
                "listen, max_message_bytes, idle_timeout, max_connections, "
                "max_connections_per_peer, tls); did you mean 'max_connections'?");
  EXPECT_EQ(result.errors[1].ToString(),
            path + ":23:9: route 'cr-bio': unknown destination 'dmpp' (known: dmp, outbox)");
  EXPECT_EQ(result.errors[2].ToString(),
            path + ":30:20: route 'adt': invalid RE2 pattern for PID-3.1: missing ): (abc");
}

TEST(LoaderTest, ErrorsFromEveryStageComeSortedByPosition) {
  LoadResult result = LoadConfigText(R"(destinations:
  - name: out
    file: {directory: out}
routes:
  - name: r
    to: [nowhere]
sources:
  - name: in
    mllp: {listen: "127.0.0.1:2575", idle_timeout: soon}
)",
                                     "t.yaml", BuiltinKinds());
  ASSERT_THAT(result.errors, SizeIs(2)) << Messages(result);
  // The check error (line 6) was found after the conversion error (line 9).
  EXPECT_EQ(result.errors[0].line, 6);
  EXPECT_EQ(result.errors[1].line, 9);
  EXPECT_THAT(result.errors[1].message, HasSubstr("invalid duration 'soon'"));
}

TEST(LoaderTest, YamlSyntaxErrorIsOneErrorWithItsPosition) {
  LoadResult result = LoadConfigText("sources:\n  - name: [in\n", "bad.yaml", BuiltinKinds());
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_EQ(result.errors[0].file, "bad.yaml");
  EXPECT_EQ(result.errors[0].line, 3);
  EXPECT_EQ(result.errors[0].column, 1);
  EXPECT_EQ(result.errors[0].message, "YAML syntax: end of sequence flow not found");

  LoadResult tab = LoadConfigText("engine:\n\tadmin: {}\n", "tab.yaml", BuiltinKinds());
  ASSERT_THAT(tab.errors, SizeIs(1));
  EXPECT_EQ(tab.errors[0].line, 2);
  EXPECT_THAT(tab.errors[0].message, HasSubstr("YAML syntax"));
}

TEST(LoaderTest, OnlyOneDocument) {
  LoadResult result = LoadConfigText("sources: []\n---\nroutes: []\n", "two.yaml", BuiltinKinds());
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_EQ(result.errors[0].ToString(),
            "two.yaml:3:1: the configuration must be a single YAML document, but a second one "
            "starts here (after a '---' line)");
}

TEST(LoaderTest, EmptyFileSaysWhatIsMissing) {
  LoadResult result = LoadConfigText("# nothing yet\n", "empty.yaml", BuiltinKinds());
  EXPECT_THAT(result.errors, SizeIs(2));
  EXPECT_THAT(Messages(result), HasSubstr("at least one source is required"));
  EXPECT_THAT(Messages(result), HasSubstr("at least one destination is required"));
}

TEST(LoaderTest, UnreadableFileIsOneErrorNamingTheFileAndTheReason) {
  std::string missing = kFixtures + "/does-not-exist.yaml";
  LoadResult result = LoadConfigFile(missing, BuiltinKinds());
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_EQ(result.errors[0].ToString(),
            missing + ": cannot read the configuration file: No such file or directory");

  LoadResult directory = LoadConfigFile(kFixtures, BuiltinKinds());
  ASSERT_THAT(directory.errors, SizeIs(1));
  EXPECT_EQ(directory.errors[0].ToString(),
            kFixtures + ": cannot read the configuration file: Is a directory");
}

}  // namespace
}  // namespace navette::engine::config
