// The rules across components, through the loader (so positions come from
// real YAML) and a registry with a test row for the mllp source kind that
// declares its listen address, as every listening source kind does.
#include "engine/config/cross_checks.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "engine/config/loader.h"

namespace navette::engine::config {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;

absl::StatusOr<std::unique_ptr<adapters::Source>> NoSource(const navette::config::MllpSource&,
                                                           const kinds::SourceContext&) {
  return std::unique_ptr<adapters::Source>();
}
absl::StatusOr<std::unique_ptr<adapters::Destination>> NoDestination(
    const navette::config::FileDestination&, const kinds::DestinationContext&) {
  return std::unique_ptr<adapters::Destination>();
}

absl::StatusOr<std::unique_ptr<adapters::Destination>> NoMllpDestination(
    const navette::config::MllpDestination&, const kinds::DestinationContext&) {
  return std::unique_ptr<adapters::Destination>();
}

const kinds::KindRegistry& TestKinds() {
  static const kinds::KindRegistry registry = [] {
    kinds::KindRegistry kinds;
    (void)kinds.Add(kinds::Erase(kinds::TypedSourceKind<navette::config::MllpSource>{
        .name = "mllp",
        .create = NoSource,
        .listen_addresses = [](const navette::config::MllpSource& mllp) {
          return std::vector<std::string>{mllp.listen()};
        }}));
    (void)kinds.Add(kinds::Erase(kinds::TypedDestinationKind<navette::config::FileDestination>{
        .name = "file", .create = NoDestination}));
    (void)kinds.Add(kinds::Erase(kinds::TypedDestinationKind<navette::config::MllpDestination>{
        .name = "mllp", .create = NoMllpDestination}));
    return kinds;
  }();
  return registry;
}

// Sources listening on `first` and `second`, admin on 127.0.0.1:8575.
std::string TwoSources(std::string_view first, std::string_view second,
                       std::string_view routes = "  - { name: all, to: [out] }\n") {
  return fmt::format(
      "engine:\n"
      "  admin: {{ listen: \"127.0.0.1:8575\" }}\n"
      "sources:\n"
      "  - name: a\n"
      "    mllp: {{ listen: \"{}\" }}\n"
      "  - name: b\n"
      "    mllp: {{ listen: \"{}\" }}\n"
      "destinations:\n"
      "  - name: out\n"
      "    file: {{ directory: out }}\n"
      "routes:\n{}",
      first, second, routes);
}

std::vector<std::string> Lines(const std::vector<ConfigError>& errors) {
  std::vector<std::string> lines;
  for (const ConfigError& error : errors) lines.push_back(error.ToString());
  return lines;
}

TEST(CrossChecksTest, TwoSourcesOnOneAddressAreRefusedAtTheSecondListenKey) {
  LoadResult result =
      LoadConfigText(TwoSources("127.0.0.1:2575", "127.0.0.1:2575"), "test.yaml", TestKinds());
  ASSERT_THAT(result.errors, SizeIs(1)) << ::testing::PrintToString(Lines(result.errors));
  EXPECT_EQ(result.errors[0].ToString(),
            "test.yaml:7:21: source 'b': listen address 127.0.0.1:2575 overlaps 127.0.0.1:2575 "
            "of source 'a' (line 5): the second could never listen");
}

TEST(CrossChecksTest, AWildcardTakesThePortOnEveryAddress) {
  for (auto [first, second] :
       {std::pair{"0.0.0.0:2575", "127.0.0.1:2575"}, std::pair{"127.0.0.1:2575", "[::]:2575"},
        std::pair{"LOCALHOST:2575", "localhost:2575"}}) {
    LoadResult result = LoadConfigText(TwoSources(first, second), "test.yaml", TestKinds());
    EXPECT_THAT(result.errors, SizeIs(1)) << first << " / " << second;
  }
}

TEST(CrossChecksTest, OtherPortsOrOtherHostsAreFine) {
  for (auto [first, second] : {std::pair{"127.0.0.1:2575", "127.0.0.1:2576"},
                               std::pair{"127.0.0.1:2575", "127.0.0.2:2575"}}) {
    LoadResult result = LoadConfigText(TwoSources(first, second), "test.yaml", TestKinds());
    EXPECT_TRUE(result.ok()) << ::testing::PrintToString(Lines(result.errors));
  }
}

TEST(CrossChecksTest, ASourceOnTheAdminAddressIsRefused) {
  LoadResult result =
      LoadConfigText(TwoSources("127.0.0.1:2575", "127.0.0.1:8575"), "test.yaml", TestKinds());
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_EQ(result.errors[0].ToString(),
            "test.yaml:7:21: source 'b': listen address 127.0.0.1:8575 overlaps 127.0.0.1:8575 "
            "of engine.admin.listen (line 2): the second could never listen");
}

TEST(CrossChecksTest, AnUnregisteredSourceKindDeclaresNoAddress) {
  LoadResult result = LoadConfigText(TwoSources("127.0.0.1:2575", "127.0.0.1:2575"), "test.yaml",
                                     kinds::KindRegistry());
  EXPECT_TRUE(result.ok());
}

TEST(CrossChecksTest, AttachInsWithNoIdentityFeedAnywhereIsAWarningNotAnError) {
  const std::string routes =
      "  - name: lab\n"
      "    steps: [ { attach_ins: {} } ]\n"
      "    to: [out]\n"
      "  - name: urgent\n"
      "    steps:\n"
      "      - attach_ins: { on_missing: dead }\n"
      "    to: [out]\n";
  LoadResult result = LoadConfigText(TwoSources("127.0.0.1:2575", "127.0.0.1:2576", routes),
                                     "test.yaml", TestKinds());
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Lines(result.errors));
  ASSERT_THAT(result.warnings, SizeIs(2));
  EXPECT_TRUE(result.warnings[0].warning());
  EXPECT_EQ(result.warnings[0].ToString(),
            "test.yaml:13:14: warning: route 'lab': attach_ins reads the identity store, but no "
            "route has an identity_feed step to fill it: every document would park forever "
            "(on_missing: park)");
  EXPECT_EQ(result.warnings[1].Diagnostic(),
            "test.yaml:17:9: warning: route 'urgent': attach_ins reads the identity store, but no "
            "route has an identity_feed step to fill it: every document would go dead "
            "(on_missing: dead)");
}

TEST(CrossChecksTest, AttachInsWithAnIdentityFeedElsewhereIsFine) {
  const std::string routes =
      "  - name: identities\n"
      "    steps: [ { identity_feed: {} } ]\n"
      "  - name: lab\n"
      "    steps: [ { attach_ins: {} } ]\n"
      "    to: [out]\n";
  LoadResult result = LoadConfigText(TwoSources("127.0.0.1:2575", "127.0.0.1:2576", routes),
                                     "test.yaml", TestKinds());
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Lines(result.errors));
  EXPECT_THAT(result.warnings, IsEmpty());
}

// A route building CDA documents, and the hospital section `hospital`
// (YAML lines, indented under "hospital:"; empty: none).
std::string CdaConfig(std::string_view hospital) {
  std::string text = TwoSources("127.0.0.1:2575", "127.0.0.1:2576",
                                "  - name: letters\n"
                                "    steps:\n"
                                "      - build_cda: {}\n"
                                "    to: [out]\n");
  if (!hospital.empty()) text += "hospital:\n" + std::string(hospital);
  return text;
}

TEST(CrossChecksTest, BuildCdaWithoutTheHospitalsValuesIsRefusedAtItsStep) {
  LoadResult result = LoadConfigText(CdaConfig(""), "test.yaml", TestKinds());
  EXPECT_THAT(
      Lines(result.errors),
      ::testing::ElementsAre(
          "test.yaml:14:9: route 'letters': build_cda needs hospital.finess: the "
          "establishment's FINESS (9 characters) is not set",
          "test.yaml:14:9: route 'letters': build_cda needs hospital.oid_root: the OID under "
          "which document ids are made is not set",
          "test.yaml:14:9: route 'letters': build_cda needs hospital.facility_type_code: the "
          "healthCareFacility code (JDV_J02, e.g. SA01) is not set"));
}

TEST(CrossChecksTest, MalformedHospitalValuesAreRefusedAtTheirKeys) {
  LoadResult result = LoadConfigText(CdaConfig("  finess: \"01000001\"\n"
                                               "  oid_root: 1.2.250.01.9\n"
                                               "  facility_type_code: SA01\n"),
                                     "test.yaml", TestKinds());
  EXPECT_THAT(Lines(result.errors),
              ::testing::ElementsAre(
                  "test.yaml:17:11: route 'letters': build_cda needs hospital.finess: '01000001' "
                  "is not a FINESS (9 letters or digits)",
                  "test.yaml:18:13: route 'letters': build_cda needs hospital.oid_root: "
                  "'1.2.250.01.9' is not an OID of at most 40 characters"));
}

TEST(CrossChecksTest, AnOidRootLongerThan40CharactersIsRefused) {
  const std::string root = "1.2.250.1.213.1.1.1.1.1.1.1.1.1.1.1.1.1.1";  // 41 characters
  ASSERT_EQ(root.size(), 41u);
  LoadResult result = LoadConfigText(CdaConfig("  finess: \"010000001\"\n"
                                               "  oid_root: " +
                                               root +
                                               "\n"
                                               "  facility_type_code: SA01\n"),
                                     "test.yaml", TestKinds());
  ASSERT_THAT(result.errors, SizeIs(1)) << ::testing::PrintToString(Lines(result.errors));
  EXPECT_THAT(result.errors[0].ToString(), ::testing::HasSubstr("hospital.oid_root"));
}

TEST(CrossChecksTest, BuildCdaWithTheHospitalsValuesIsFine) {
  LoadResult result = LoadConfigText(CdaConfig("  finess: \"2A0000001\"\n"
                                               "  oid_root: 1.2.250.1.999.1\n"
                                               "  facility_type_code: SA01\n"),
                                     "test.yaml", TestKinds());
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(Lines(result.errors));
}

TEST(CrossChecksTest, WithoutBuildCdaTheHospitalSectionIsNotNeeded) {
  LoadResult result =
      LoadConfigText(TwoSources("127.0.0.1:2575", "127.0.0.1:2576"), "test.yaml", TestKinds());
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(Lines(result.errors));
}

// A source `lab` (profile as given) whose business acknowledgements go to
// `acks`; destinations `out` (file) and `producer` (mllp).
std::string BusinessAcksConfig(std::string_view profile, std::string_view acks) {
  return fmt::format(
      "engine:\n"
      "  admin: {{ listen: \"127.0.0.1:8575\" }}\n"
      "sources:\n"
      "  - name: lab\n"
      "    mllp: {{ listen: \"127.0.0.1:2575\" }}\n"
      "{}"
      "    business_acks: {}\n"
      "destinations:\n"
      "  - name: out\n"
      "    file: {{ directory: out }}\n"
      "  - name: producer\n"
      "    mllp: {{ address: \"127.0.0.1:2600\" }}\n"
      "routes:\n"
      "  - {{ name: all, to: [out] }}\n",
      profile.empty() ? "" : fmt::format("    profile: {}\n", profile), acks);
}

TEST(CrossChecksTest, BusinessAcksToAnMllpDestinationOfAProfiledSourceIsFine) {
  LoadResult result =
      LoadConfigText(BusinessAcksConfig("dpi", "producer"), "test.yaml", TestKinds());
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Lines(result.errors));
  EXPECT_THAT(result.warnings, IsEmpty());
}

TEST(CrossChecksTest, BusinessAcksNamingNoDestinationIsRefusedAtTheSourcesKey) {
  LoadResult result =
      LoadConfigText(BusinessAcksConfig("dpi", "nowhere"), "test.yaml", TestKinds());
  ASSERT_THAT(result.errors, SizeIs(1)) << ::testing::PrintToString(Lines(result.errors));
  EXPECT_EQ(result.errors[0].ToString(),
            "test.yaml:7:20: source 'lab': business_acks 'nowhere' names no destination: "
            "business acknowledgements go back to the producer over MLLP");
}

TEST(CrossChecksTest, BusinessAcksToAFileDestinationIsRefused) {
  LoadResult result = LoadConfigText(BusinessAcksConfig("dpi", "out"), "test.yaml", TestKinds());
  ASSERT_THAT(result.errors, SizeIs(1)) << ::testing::PrintToString(Lines(result.errors));
  EXPECT_EQ(result.errors[0].ToString(),
            "test.yaml:7:20: source 'lab': business_acks 'out' is not an mllp destination: "
            "business acknowledgements go back to the producer over MLLP");
}

TEST(CrossChecksTest, BusinessAcksOnASourceWithoutProfileIsAWarning) {
  LoadResult result = LoadConfigText(BusinessAcksConfig("", "producer"), "test.yaml", TestKinds());
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Lines(result.errors));
  ASSERT_THAT(result.warnings, SizeIs(1));
  EXPECT_EQ(result.warnings[0].ToString(),
            "test.yaml:6:20: warning: source 'lab': business_acks is set but the source has no "
            "profile: its messages carry no document record, so no acknowledgement is ever "
            "asked for (set profile: dpi, ris or sgl)");
}

}  // namespace
}  // namespace navette::engine::config
