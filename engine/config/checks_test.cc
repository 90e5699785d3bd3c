#include "engine/config/checks.h"
#include "engine/builtin_kinds.h"

#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "engine/config/checks_test_support.h"

namespace navette::engine::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ChecksTest, MinimalConfigIsValid) {
  Checked checked = Check(kBase);
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(checked.checks, IsEmpty());
}

TEST(ChecksTest, RequiresASourceAndADestination) {
  EXPECT_THAT(Check("engine: {}\n").checks,
              ElementsAre("c.yaml:1:1: at least one source is required (a place messages come "
                          "from)",
                          "c.yaml:1:1: at least one destination is required (a place messages "
                          "go to)"));
  EXPECT_THAT(Check("sources: []\ndestinations: []\n").checks,
              ElementsAre("c.yaml:1:10: at least one source is required (a place messages come "
                          "from)",
                          "c.yaml:2:15: at least one destination is required (a place messages "
                          "go to)"));
  // An empty file has no position at all.
  EXPECT_THAT(Check("").checks,
              ElementsAre("c.yaml: at least one source is required (a place messages come from)",
                          "c.yaml: at least one destination is required (a place messages go "
                          "to)"));
}

TEST(ChecksTest, NamesAreRequiredAndPlain) {
  Checked checked = Check(R"(
sources:
  - mllp: {listen: "127.0.0.1:2575"}
  - name: "lab system"
    mllp: {listen: "127.0.0.1:2576"}
destinations:
  - name: out/put
    file: {directory: out}
routes:
  - name: ""
    to: [out/put]
)");
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(
      checked.checks,
      ElementsAre(
          "c.yaml:2:5: sources[0]: a name is required",
          "c.yaml:3:11: source name 'lab system' may only contain letters, digits, '_', '.' and "
          "'-'",
          "c.yaml:6:11: destination name 'out/put' may only contain letters, digits, '_', '.' and "
          "'-'",
          "c.yaml:9:11: routes[0]: a name is required"));
}

TEST(ChecksTest, DuplicateNamesAreReportedAtTheSecondWithTheFirstsLine) {
  Checked checked = Check(WithBase(R"(
  - name: out
    file: {directory: elsewhere}
routes:
  - name: r
    to: [out]
  - name: r
    to: [out]
)"));
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:8:11: duplicate destination name 'out' (first defined on line 5)",
                          "c.yaml:13:11: duplicate route name 'r' (first defined on line 11)"));
  // Sources alike.
  EXPECT_THAT(Check(R"(
sources:
  - name: in
    mllp: {listen: "127.0.0.1:2575"}
  - name: in
    mllp: {listen: "127.0.0.1:2576"}
destinations:
  - name: out
    file: {directory: out}
)")
                  .checks,
              ElementsAre("c.yaml:4:11: duplicate source name 'in' (first defined on line 2)"));
}

TEST(ChecksTest, EverySourceAndDestinationHasAKind) {
  Checked checked = Check(R"(
sources:
  - name: in
destinations:
  - name: out
  - name: empty-file
    file:
)");
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(
      checked.checks,
      ElementsAre(
          "c.yaml:2:5: source 'in': no kind set (expected one of: mllp, mssante_receipts)",
          "c.yaml:4:5: destination 'out': no kind set (expected one of: file, http, mllp, dmp, "
          "mssante)",
          "c.yaml:6:5: destination 'empty-file': file.directory is required"));
}

TEST(ChecksTest, DefaultCharsetIsOneTheSourcesRead) {
  Checked checked = Check(R"(
sources:
  - name: a
    mllp: {listen: "0.0.0.0:2575"}
    default_charset: "8859/1"
  - name: b
    mllp: {listen: "0.0.0.0:2576"}
    default_charset: "UTF8"
destinations:
  - name: out
    file: {directory: out}
)");
  EXPECT_THAT(checked.conversion, IsEmpty());
  ASSERT_EQ(checked.checks.size(), 1u);
  EXPECT_THAT(checked.checks[0],
              ::testing::StartsWith("c.yaml:7:22: source 'b': default_charset: "));
  EXPECT_THAT(checked.checks[0], ::testing::HasSubstr("\"UTF8\" is not supported"));
}

TEST(ChecksTest, IngressBindEndpoints) {
  Checked checked = Check(WithBase(R"(
engine:
  ingress:
    bind: ["tcp://127.0.0.1:5571", "ipc:///run/navette.sock", "127.0.0.1:5572", "tcp://"]
    allow_plain_loopback: true
)"));
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:10:63: engine.ingress.bind: invalid endpoint '127.0.0.1:5572' "
                          "(expected tcp://host:port or ipc://path, e.g. "
                          "\"tcp://127.0.0.1:5571\")",
                          "c.yaml:10:81: engine.ingress.bind: invalid endpoint 'tcp://' (expected "
                          "tcp://host:port or ipc://path, e.g. \"tcp://127.0.0.1:5571\")"));
}

TEST(ChecksTest, RoutesNameExistingSourcesAndDestinations) {
  Checked checked = Check(WithBase(R"(
  - name: outbox
    file: {directory: outbox}
routes:
  - name: cr-bio
    from: [in, labo]
    to: [out, dmpp]
  - name: nowhere
    to: []
  - name: nothing
)"));
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:12:16: route 'cr-bio': unknown source 'labo' (known: in)",
                          "c.yaml:13:15: route 'cr-bio': unknown destination 'dmpp' (known: out, "
                          "outbox)",
                          "c.yaml:15:9: route 'nowhere': 'to' must name at least one "
                          "destination (only a route with an identity_feed step may have none)",
                          "c.yaml:16:5: route 'nothing': 'to' must name at least one "
                          "destination (only a route with an identity_feed step may have none)"));
}

TEST(ChecksTest, StepsNeedAKindAndOnlyAnIdentityFeedRouteMayGoNowhere) {
  Checked checked = Check(WithBase(R"(
routes:
  - name: identities
    steps:
      - identity_feed: {}
  - name: lab
    steps:
      - {}
      - attach_ins: { on_missing: continue_without_ins }
    to: [out]
  - name: nowhere
    steps: [ { attach_ins: {} } ]
identity:
  reliability_codes: { VALI: qualified, "VA LI": provisional }
)"));
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(
      checked.checks,
      ElementsAre(
          "c.yaml:20:41: identity.reliability_codes: 'VA LI' is not a PID-32 code (letters and "
          "digits, e.g. VALI)",
          "c.yaml:14:9: route 'lab': a step needs its kind (one of: identity_feed, attach_ins, "
          "build_cda, map_codes)",
          "c.yaml:17:5: route 'nowhere': 'to' must name at least one destination (only a route "
          "with an identity_feed step may have none)"));
}

TEST(ChecksTest, MatchPatternsAreNotEmpty) {
  Checked checked = Check(WithBase(R"(
routes:
  - name: r
    match:
      message_type: ["ORU^*", ""]
      sending_application: ""
      sending_facility: [LABO]
    to: [out]
)"));
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:11:31: route 'r': empty pattern in match.message_type",
                          "c.yaml:12:28: route 'r': empty pattern in match.sending_application"));
}

TEST(ChecksTest, FieldRulesNeedValidFieldPathsAndRe2Patterns) {
  Checked checked = Check(WithBase(R"(
routes:
  - name: x
    match:
      fields:
        "PID-3.1": "(abc"
        "PID3": "^1$"
        "OBX[0]-5": "x"
        "PID-5": ""
        "OBX[2]-3.1": "^[A-Z]+$"
    to: [out]
)"));
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(
      checked.checks,
      ElementsAre("c.yaml:14:9: route 'x': match.fields: field path \"OBX[0]-5\": expected a "
                  "segment index (a number from 1) at character 5",
                  "c.yaml:12:20: route 'x': invalid RE2 pattern for PID-3.1: missing ): (abc",
                  "c.yaml:15:18: route 'x': empty pattern for PID-5 (it would match anything; "
                  "remove the rule instead)",
                  "c.yaml:13:9: route 'x': match.fields: field path \"PID3\": expected '-' "
                  "before the field number at character 4"));
}

TEST(ChecksTest, DocumentMatchNamesKnownActionsFlagsAndProfiles) {
  Checked checked = Check(WithBase(R"(
routes:
  - name: r
    match:
      document:
        action: [replace, replaced]
        flags: [DESTDMP, destdmp]
        profile: [dpi, pfi]
        type: ["11490-0"]
    to: [out]
)"));
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(
      checked.checks,
      ElementsAre(
          "c.yaml:12:27: route 'r': unknown action 'replaced' in match.document (known: create, "
          "replace, delete)",
          ::testing::StartsWith("c.yaml:13:26: route 'r': unknown flag 'destdmp' in "
                                "match.document (known: MASQUE_PS, "),
          "c.yaml:14:24: route 'r': unknown profile 'pfi' in match.document (known: dpi, ris, "
          "sgl)"));
}

TEST(ChecksTest, ASourceTakesADocumentProfile) {
  Checked checked = Check(R"(
sources:
  - name: lab
    profile: sgl
    mllp: {listen: "127.0.0.1:2575"}
destinations:
  - name: out
    file: {directory: out}
)");
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(checked.checks, IsEmpty());
  Checked typo = Check(R"(
sources:
  - name: lab
    profile: pfi
    mllp: {listen: "127.0.0.1:2575"}
destinations:
  - name: out
    file: {directory: out}
)");
  ASSERT_EQ(typo.conversion.size(), 1u);
  EXPECT_THAT(typo.conversion[0], ::testing::StartsWith("c.yaml:3:14:"));
  EXPECT_THAT(typo.conversion[0], ::testing::HasSubstr("dpi"));
}

TEST(ChecksTest, OneMistakeGivesOneError) {
  // The destination's name fails to convert: no "name is required", and no
  // "unknown destination" for the route that names it.
  Checked checked = Check(R"(
sources:
  - name: in
    mllp: {listen: "127.0.0.1:2575"}
    mlp: {listen: "127.0.0.1:2576"}
  - name: [bad]
    mllp: {listen: "127.0.0.1:2577"}
  - name: other
    mllp: [not, a, mapping]
destinations:
  - name: [out]
    file: {directory: out}
  - just a string
routes:
  - name: r
    from: [in]
    to: [out]
)");
  EXPECT_EQ(checked.conversion.size(), 5u) << ::testing::PrintToString(checked.conversion);
  EXPECT_THAT(checked.checks, IsEmpty());
}

TEST(ChecksTest, ABadListElementKeepsTheOthersInPlace) {
  // to[1] fails to convert; to[2] must still be reported on its own line.
  Checked checked = Check(WithBase(R"(
routes:
  - name: r
    to:
      - out
      - [nested]
      - missing
)"));
  EXPECT_EQ(checked.conversion.size(), 1u);
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:13:9: route 'r': unknown destination 'missing' (known: out)"));
}

TEST(ChecksTest, ProblemsInAConfigBuiltInCodeHaveNoPosition) {
  navette::config::Config config;
  config.add_sources()->set_name("in");
  config.add_destinations()->mutable_file()->set_directory("out");
  ApplyDefaults(config, BuiltinKinds());
  std::vector<ConfigError> errors = CheckConfig(config, SourceMap(), "built-in", BuiltinKinds());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].ToString(), "built-in: destinations[0]: a name is required");
  EXPECT_EQ(errors[1].ToString(),
            "built-in: source 'in': no kind set (expected one of: mllp, mssante_receipts)");
}

TEST(ChecksTest, DeliveryPolicies) {
  Checked checked = Check(R"(
sources:
  - name: in
    mllp: {listen: "127.0.0.1:2575"}
destinations:
  - name: a
    file: {directory: a}
    delivery:
      rate_limit: -1
      retry: {factor: 0.5, jitter: 2, initial_delay: 0s}
  - name: b
    file: {directory: b}
    delivery:
      retry: {initial_delay: 10s, max_delay: 1s}
  - name: c
    file: {directory: c}
    delivery:
      ordering: per_patient
      rate_limit: 0.5
      retry: {factor: 1, jitter: 0, max_attempts: 3, max_age: 0s}
      circuit_breaker: {failure_threshold: 0, open_duration: 30s}
)");
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:8:19: destination 'a': delivery.rate_limit must be 0 (no limit) "
                          "or more",
                          "c.yaml:9:23: destination 'a': delivery.retry.factor must be 1 or more",
                          "c.yaml:9:36: destination 'a': delivery.retry.jitter must be between 0 "
                          "and 1",
                          "c.yaml:9:54: destination 'a': delivery.retry.initial_delay must be at "
                          "least 1ms",
                          "c.yaml:13:46: destination 'b': delivery.retry.max_delay must not be "
                          "shorter than initial_delay"));
}

// retry.jitter is a fraction of the delay: 0 and 1 are its bounds, both
// allowed (1 draws each delay anywhere in [0, delay]).
TEST(ChecksTest, JitterFromZeroToOneInclusive) {
  auto with_jitter = [](const std::string& jitter) {
    return WithBase("    delivery: {retry: {jitter: " + jitter + "}}\n");
  };
  for (const char* jitter : {"0", "0.5", "1"}) {
    EXPECT_THAT(Check(with_jitter(jitter)).checks, IsEmpty()) << "jitter " << jitter;
  }
  for (const char* jitter : {"1.0001", "-0.1"}) {
    EXPECT_THAT(Check(with_jitter(jitter)).checks,
                ElementsAre("c.yaml:7:32: destination 'out': delivery.retry.jitter must be between "
                            "0 and 1"))
        << "jitter " << jitter;
  }
}

TEST(ChecksTest, AdminTokens) {
  Checked checked = Check(WithBase(R"(
engine:
  admin:
    tokens:
      - {user: alice, sha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", role: viewer}
      - {user: alice, sha256: "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", role: admin}
      - {sha256: "00"}
)"));
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(
      checked.checks,
      ElementsAre("c.yaml:12:16: engine.admin.tokens: duplicate user 'alice'",
                  "c.yaml:12:31: engine.admin.tokens[1]: sha256 must be the token's SHA-256 in "
                  "64 lowercase hex digits (see `navette token new`)",
                  "c.yaml:13:9: engine.admin.tokens[2]: user is required",
                  "c.yaml:13:18: engine.admin.tokens[2]: sha256 must be the token's SHA-256 in 64 "
                  "lowercase hex digits (see `navette token new`)",
                  "c.yaml:13:9: engine.admin.tokens[2]: role is required (viewer, operator or "
                  "admin)"));
}

TEST(ChecksTest, AdminLimits) {
  Checked checked = Check(WithBase(R"(
engine:
  admin:
    max_connections: 8
    max_connections_per_peer: 9
    request_timeout: 50ms
)"));
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:11:31: engine.admin: max_connections_per_peer (9) must not "
                          "exceed max_connections (8)",
                          "c.yaml:12:22: engine.admin: request_timeout must be at least 100ms (the "
                          "time a client has to send a whole request)"));
  // The defaults hold together, and a share equal to the total is allowed.
  EXPECT_THAT(Check(WithBase("engine: {admin: {}}\n")).checks, IsEmpty());
  EXPECT_THAT(Check(WithBase("engine:\n  admin: {max_connections: 4, max_connections_per_peer: 4, "
                             "request_timeout: 100ms}\n"))
                  .checks,
              IsEmpty());
  // A share above the default total is caught too.
  EXPECT_THAT(Check(WithBase("engine:\n  admin: {max_connections_per_peer: 300}\n")).checks,
              ElementsAre("c.yaml:8:37: engine.admin: max_connections_per_peer (300) must not "
                          "exceed max_connections (256)"));
}

}  // namespace
}  // namespace navette::engine::config
