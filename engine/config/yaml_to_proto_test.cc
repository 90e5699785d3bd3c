#include "engine/config/yaml_to_proto.h"

#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/config/testdata/converter_test.pb.h"
#include "proto/config.pb.h"

namespace navette::engine::config {
namespace {

using ::navette::engine::config::test_schema::AllTypes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Raw strings in the tests start with a newline for readability; line 1 is
// the line after it.
ConversionResult Convert(std::string_view yaml, google::protobuf::Message& message) {
  if (yaml.starts_with('\n')) yaml.remove_prefix(1);
  return YamlToProto(YAML::Load(std::string(yaml)), message, "test.yaml");
}

std::string Messages(const ConversionResult& result) {
  std::string out;
  for (const ConfigError& error : result.errors) out += error.ToString() + "\n";
  return out;
}

TEST(YamlToProtoTest, ConvertsEveryScalarType) {
  AllTypes message;
  ConversionResult result = Convert(R"(
text: "hello world"
flag: true
i32: -2147483648
i64: -9000000000
u32: 4294967295
u64: 18446744073709551615
ratio: 0.25
small: 1.5e3
color: green
timeout: 1h30m
)",
                                    message);
  ASSERT_TRUE(result.ok()) << Messages(result);
  EXPECT_EQ(message.text(), "hello world");
  EXPECT_TRUE(message.flag());
  EXPECT_EQ(message.i32(), -2147483648);
  EXPECT_EQ(message.i64(), -9000000000);
  EXPECT_EQ(message.u32(), 4294967295u);
  EXPECT_EQ(message.u64(), 18446744073709551615u);
  EXPECT_DOUBLE_EQ(message.ratio(), 0.25);
  EXPECT_FLOAT_EQ(message.small(), 1500.0f);
  EXPECT_EQ(message.color(), test_schema::GREEN);
  EXPECT_EQ(message.timeout().seconds(), 5400);
  EXPECT_EQ(message.timeout().nanos(), 0);
}

TEST(YamlToProtoTest, StringsKeepTheirTextEvenWhenTheyLookLikeNumbers) {
  AllTypes message;
  ConversionResult result = Convert("text: 007\n", message);
  ASSERT_TRUE(result.ok()) << Messages(result);
  EXPECT_EQ(message.text(), "007");
}

TEST(YamlToProtoTest, BoolsAreTrueOrFalseOnly) {
  AllTypes message;
  ConversionResult result = Convert("flag: yes\n", message);
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_EQ(result.errors[0].ToString(), "test.yaml:1:7: flag: expected true or false, got 'yes'");
  EXPECT_FALSE(message.flag());

  AllTypes no;
  ASSERT_TRUE(Convert("flag: false\n", no).ok());
  EXPECT_FALSE(no.flag());
}

TEST(YamlToProtoTest, IntegersAreRangeChecked) {
  AllTypes message;
  ConversionResult result = Convert(R"(
i32: 2147483648
i64: 12abc
u32: -1
u64: -5
)",
                                    message);
  ASSERT_THAT(result.errors, SizeIs(4)) << Messages(result);
  EXPECT_EQ(result.errors[0].message,
            "i32: expected a whole number from -2147483648 to 2147483647, got '2147483648'");
  EXPECT_EQ(result.errors[0].line, 1);
  EXPECT_EQ(result.errors[1].message,
            "i64: expected a whole number from -9223372036854775808 to 9223372036854775807, got "
            "'12abc'");
  EXPECT_EQ(result.errors[1].line, 2);
  EXPECT_EQ(result.errors[2].message,
            "u32: expected a whole number from 0 to 4294967295, got '-1'");
  EXPECT_EQ(result.errors[2].line, 3);
  EXPECT_THAT(result.errors[3].message, HasSubstr("u64: expected a whole number from 0 to"));
  EXPECT_EQ(result.errors[3].line, 4);
  EXPECT_EQ(message.i32(), 0);
  EXPECT_EQ(message.u32(), 0u);
}

TEST(YamlToProtoTest, FloatingNumbersMustBeFinite) {
  AllTypes message;
  ConversionResult result = Convert("ratio: .inf\nsmall: 1e40\n", message);
  ASSERT_THAT(result.errors, SizeIs(2)) << Messages(result);
  EXPECT_EQ(result.errors[0].message, "ratio: expected a number, got '.inf'");
  EXPECT_EQ(result.errors[1].message, "small: expected a number, got '1e40'");
}

TEST(YamlToProtoTest, EnumsByNameCaseInsensitive) {
  AllTypes message;
  ASSERT_TRUE(Convert("color: Red\n", message).ok());
  EXPECT_EQ(message.color(), test_schema::RED);

  AllTypes bad;
  ConversionResult result = Convert("color: blue\n", bad);
  ASSERT_THAT(result.errors, SizeIs(1));
  // The words as the YAML writes them, lowercase.
  EXPECT_EQ(result.errors[0].message, "color: expected one of: red, green, got 'blue'");

  // The zero placeholder means "not set": it is not a word for the file.
  AllTypes placeholder;
  ConversionResult unset = Convert("color: color_unspecified\n", placeholder);
  ASSERT_THAT(unset.errors, SizeIs(1));
  EXPECT_EQ(unset.errors[0].message, "color: expected one of: red, green, got 'color_unspecified'");
}

TEST(YamlToProtoTest, MisspeltEnumWordGetsTheNearestSuggested) {
  AllTypes swapped;
  ConversionResult result = Convert("color: gren\n", swapped);
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_EQ(result.errors[0].message,
            "color: expected one of: red, green, got 'gren'; did you mean 'green'?");

  AllTypes capitals;
  ConversionResult shouted = Convert("color: GREN\n", capitals);
  ASSERT_THAT(shouted.errors, SizeIs(1));
  EXPECT_THAT(shouted.errors[0].message, HasSubstr("did you mean 'green'?"));
}

TEST(YamlToProtoTest, Durations) {
  struct Case {
    std::string text;
    int64_t seconds;
    int32_t nanos;
  };
  for (const Case& c :
       {Case{"500ms", 0, 500'000'000}, Case{"30s", 30, 0}, Case{"5m", 300, 0}, Case{"1h", 3600, 0},
        Case{"0s", 0, 0}, Case{"\"2m30s\"", 150, 0}, Case{"1s250ms", 1, 250'000'000}}) {
    AllTypes message;
    ConversionResult result = Convert("timeout: " + c.text + "\n", message);
    ASSERT_TRUE(result.ok()) << c.text << ": " << Messages(result);
    EXPECT_TRUE(message.has_timeout()) << c.text;
    EXPECT_EQ(message.timeout().seconds(), c.seconds) << c.text;
    EXPECT_EQ(message.timeout().nanos(), c.nanos) << c.text;
  }
}

TEST(YamlToProtoTest, BadDurationsAreReportedWithTheirPosition) {
  AllTypes message;
  ConversionResult result = Convert(R"(
text: x
timeout: 5 minutes
delays: [10s, -5s, 1.5s, 30]
)",
                                    message);
  ASSERT_THAT(result.errors, SizeIs(4)) << Messages(result);
  EXPECT_EQ(result.errors[0].line, 2);
  EXPECT_EQ(result.errors[0].column, 10);
  EXPECT_THAT(result.errors[0].message,
              HasSubstr("timeout: invalid duration '5 minutes': unknown unit at character 2"));
  EXPECT_EQ(result.errors[1].line, 3);
  EXPECT_EQ(result.errors[1].column, 15);
  EXPECT_THAT(result.errors[1].message, HasSubstr("delays[1]: invalid duration '-5s'"));
  EXPECT_THAT(result.errors[1].message, HasSubstr("negative"));
  EXPECT_THAT(result.errors[2].message, HasSubstr("delays[2]: invalid duration '1.5s'"));
  EXPECT_THAT(result.errors[3].message,
              HasSubstr("delays[3]: invalid duration '30': the unit is missing"));
  EXPECT_FALSE(message.has_timeout());
  ASSERT_THAT(message.delays(), SizeIs(4));
  EXPECT_EQ(message.delays(0).seconds(), 10);
}

TEST(YamlToProtoTest, UnknownKeysAtSeveralDepthsWithPositionsAndValidKeys) {
  navette::config::Config config;
  ConversionResult result = Convert(R"(
engine:
  admin:
    listen: "127.0.0.1:8575"
    lisen: x
sources:
  - name: lab
    mllp:
      listen: "0.0.0.0:2575"
      max_conections: 10
    colour: red
routez: []
)",
                                    config);
  ASSERT_THAT(result.errors, SizeIs(4)) << Messages(result);
  EXPECT_EQ(result.errors[0].ToString(),
            "test.yaml:4:5: unknown key 'lisen' in engine.admin (expected one of: listen, "
            "tokens, max_connections, max_connections_per_peer, request_timeout, "
            "max_body_bytes, tls, payload_role); did you mean 'listen'?");
  EXPECT_EQ(result.errors[1].ToString(),
            "test.yaml:9:7: unknown key 'max_conections' in sources[0].mllp (expected one of: "
            "listen, max_message_bytes, idle_timeout, max_connections, max_connections_per_peer, "
            "tls); did "
            "you mean 'max_connections'?");
  EXPECT_EQ(result.errors[2].ToString(),
            "test.yaml:10:5: unknown key 'colour' in sources[0] (expected one of: name, mllp, "
            "mssante_receipts, default_charset, profile, business_acks)");
  EXPECT_EQ(result.errors[3].ToString(),
            "test.yaml:11:1: unknown key 'routez' in the top level (expected one of: engine, "
            "sources, routes, destinations, identity, hospital); did you mean 'routes'?");
  // The rest is still converted.
  EXPECT_EQ(config.engine().admin().listen(), "127.0.0.1:8575");
  ASSERT_THAT(config.sources(), SizeIs(1));
  EXPECT_EQ(config.sources(0).mllp().listen(), "0.0.0.0:2575");
  EXPECT_TRUE(result.source_map.IsInvalid("sources[0].colour"));
}

TEST(YamlToProtoTest, SingleScalarIsAOneElementListForRepeatedScalars) {
  AllTypes message;
  ConversionResult result = Convert(R"(
names: only
numbers: 7
delays: 30s
)",
                                    message);
  ASSERT_TRUE(result.ok()) << Messages(result);
  EXPECT_THAT(message.names(), ElementsAre("only"));
  EXPECT_THAT(message.numbers(), ElementsAre(7));
  ASSERT_THAT(message.delays(), SizeIs(1));
  EXPECT_EQ(message.delays(0).seconds(), 30);
  EXPECT_EQ(result.source_map.FindValue("names[0]"), (SourcePosition{1, 8}));

  navette::config::Config config;
  ConversionResult both = Convert(R"(
routes:
  - name: a
    match:
      message_type: "ORU^*"
  - name: b
    match:
      message_type: ["ORU^*", "MDM^*"]
)",
                                  config);
  ASSERT_TRUE(both.ok()) << Messages(both);
  EXPECT_THAT(config.routes(0).match().message_type(), ElementsAre("ORU^*"));
  EXPECT_THAT(config.routes(1).match().message_type(), ElementsAre("ORU^*", "MDM^*"));
}

TEST(YamlToProtoTest, RepeatedMessagesNeedAList) {
  AllTypes message;
  ConversionResult result = Convert(R"(
inners:
  - label: a
    weight: 1
  - label: b
numbers: [1, 2, x]
)",
                                    message);
  ASSERT_THAT(result.errors, SizeIs(1)) << Messages(result);
  EXPECT_EQ(result.errors[0].ToString(),
            "test.yaml:5:17: numbers[2]: expected a whole number from -2147483648 to 2147483647, "
            "got 'x'");
  ASSERT_THAT(message.inners(), SizeIs(2));
  EXPECT_EQ(message.inners(1).label(), "b");
  // The bad element keeps its place, so that indexes match the file.
  EXPECT_THAT(message.numbers(), ElementsAre(1, 2, 0));

  AllTypes single;
  ConversionResult not_a_list = Convert("inners:\n  label: a\n", single);
  ASSERT_THAT(not_a_list.errors, SizeIs(1));
  EXPECT_EQ(not_a_list.errors[0].ToString(),
            "test.yaml:2:3: inners: expected a list, got a mapping");
}

TEST(YamlToProtoTest, MapFields) {
  AllTypes message;
  ConversionResult result = Convert(R"(
labels:
  "PID-3.1": "^123$"
  plain: value
by_name:
  first: {label: one, weight: 1}
  second:
    weight: 2
by_number:
  1: one
  -2: minus two
)",
                                    message);
  ASSERT_TRUE(result.ok()) << Messages(result);
  EXPECT_EQ(message.labels().at("PID-3.1"), "^123$");
  EXPECT_EQ(message.labels().at("plain"), "value");
  EXPECT_EQ(message.by_name().at("first").label(), "one");
  EXPECT_EQ(message.by_name().at("second").weight(), 2);
  EXPECT_EQ(message.by_number().at(-2), "minus two");
  EXPECT_EQ(result.source_map.FindKey("labels[\"PID-3.1\"]"), (SourcePosition{2, 3}));
  EXPECT_EQ(result.source_map.FindValue("labels[\"PID-3.1\"]"), (SourcePosition{2, 14}));
  EXPECT_EQ(result.source_map.FindValue("by_name[\"second\"].weight"), (SourcePosition{7, 13}));

  AllTypes bad;
  ConversionResult bad_key = Convert("by_number:\n  one: x\n", bad);
  ASSERT_THAT(bad_key.errors, SizeIs(1));
  EXPECT_EQ(bad_key.errors[0].ToString(),
            "test.yaml:2:3: by_number[\"one\"]: expected a whole number from -2147483648 to "
            "2147483647, got 'one'");

  AllTypes not_a_map;
  ConversionResult list = Convert("labels: [a, b]\n", not_a_map);
  ASSERT_THAT(list.errors, SizeIs(1));
  EXPECT_EQ(list.errors[0].ToString(), "test.yaml:1:9: labels: expected a mapping, got a list");
}

TEST(YamlToProtoTest, OneofConflictNamesBothMembers) {
  AllTypes message;
  ConversionResult result = Convert(R"(
left:
  label: l
text: between
right: r
)",
                                    message);
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_EQ(result.errors[0].ToString(),
            "test.yaml:4:1: right: 'left' and 'right' cannot both be set in the top level: they "
            "are alternatives (one 'choice' only; 'left' is on line 1)");
  // The first one stays.
  EXPECT_EQ(message.left().label(), "l");
}

TEST(YamlToProtoTest, WrongNodeTypes) {
  AllTypes message;
  ConversionResult result = Convert(R"(
inner: [a, b]
text: {a: 1}
names: {a: 1}
flag: [true]
)",
                                    message);
  ASSERT_THAT(result.errors, SizeIs(4)) << Messages(result);
  EXPECT_EQ(result.errors[0].ToString(), "test.yaml:1:8: inner: expected a mapping, got a list");
  EXPECT_EQ(result.errors[1].ToString(), "test.yaml:2:7: text: expected a string, got a mapping");
  EXPECT_EQ(result.errors[2].ToString(), "test.yaml:3:8: names: expected a list, got a mapping");
  EXPECT_EQ(result.errors[3].ToString(), "test.yaml:4:7: flag: expected true or false, got a list");

  navette::config::Config config;
  ConversionResult top = Convert("- just\n- a list\n", config);
  ASSERT_THAT(top.errors, SizeIs(1));
  EXPECT_EQ(top.errors[0].ToString(),
            "test.yaml:1:1: expected a mapping of settings at the top level, got a list");

  ConversionResult key = Convert("[a]: 1\n", config);
  ASSERT_THAT(key.errors, SizeIs(1));
  EXPECT_EQ(key.errors[0].ToString(),
            "test.yaml:1:1: keys in the top level must be plain names, got a list");
}

TEST(YamlToProtoTest, DuplicateKeys) {
  navette::config::Config config;
  ConversionResult result = Convert(R"(
sources:
  - name: a
    name: b
routes:
  - name: r
    match:
      fields:
        "PID-3.1": x
        "PID-3.1": y
sources: []
)",
                                    config);
  ASSERT_THAT(result.errors, SizeIs(3)) << Messages(result);
  EXPECT_EQ(result.errors[0].ToString(),
            "test.yaml:3:5: duplicate key 'name' in sources[0] (first on line 2)");
  EXPECT_EQ(result.errors[1].ToString(),
            "test.yaml:9:9: duplicate key 'PID-3.1' in routes[0].match.fields (first on line 8)");
  EXPECT_EQ(result.errors[2].ToString(),
            "test.yaml:10:1: duplicate key 'sources' in the top level (first on line 1)");
  // The first occurrence wins.
  EXPECT_EQ(config.sources(0).name(), "a");
  EXPECT_EQ(config.routes(0).match().fields().at("PID-3.1"), "x");
}

TEST(YamlToProtoTest, NullValues) {
  AllTypes message;
  ConversionResult result = Convert(R"(
inner:
names:
labels:
text:
i32: ~
)",
                                    message);
  ASSERT_THAT(result.errors, SizeIs(2)) << Messages(result);
  // Nulls are reported at their key, not on the next line where yaml-cpp
  // marks an implicit null.
  EXPECT_EQ(result.errors[0].ToString(),
            "test.yaml:4:1: text: a value is missing (write \"\" for an empty string)");
  EXPECT_EQ(result.errors[1].ToString(), "test.yaml:5:1: i32: a value is missing");
  EXPECT_TRUE(message.has_inner());
  EXPECT_THAT(message.names(), IsEmpty());
  EXPECT_THAT(message.labels(), IsEmpty());
}

TEST(YamlToProtoTest, EmptyDocumentIsAnEmptyMessage) {
  navette::config::Config config;
  ConversionResult result = YamlToProto(YAML::Load("# only a comment\n"), config, "test.yaml");
  EXPECT_TRUE(result.ok()) << Messages(result);
  EXPECT_EQ(config.ByteSizeLong(), 0u);
}

TEST(YamlToProtoTest, RecordsASourceMapForConfigPaths) {
  navette::config::Config config;
  ConversionResult result = Convert(R"(
sources:
  - name: lab
    mllp:
      listen: "0.0.0.0:2575"
routes:
  - name: first
    to: outbox
    match:
      fields:
        "PID-3.1": "^1"
  - name: second
    from: [lab]
    to:
      - outbox
      - archive
)",
                                    config);
  ASSERT_TRUE(result.ok()) << Messages(result);
  const SourceMap& map = result.source_map;
  EXPECT_EQ(map.FindValue("sources[0]"), (SourcePosition{2, 5}));
  EXPECT_EQ(map.FindValue("sources[0].mllp.listen"), (SourcePosition{4, 15}));
  EXPECT_EQ(map.FindKey("sources[0].mllp.listen"), (SourcePosition{4, 7}));
  EXPECT_EQ(map.FindValue("routes[0].to[0]"), (SourcePosition{7, 9}));
  EXPECT_EQ(map.FindKey("routes[0].match.fields[\"PID-3.1\"]"), (SourcePosition{10, 9}));
  EXPECT_EQ(map.FindValue("routes[0].match.fields[\"PID-3.1\"]"), (SourcePosition{10, 20}));
  EXPECT_EQ(map.FindValue("routes[1].from[0]"), (SourcePosition{12, 12}));
  EXPECT_EQ(map.FindValue("routes[1].to[1]"), (SourcePosition{15, 9}));
  // Not written: found through the enclosing element.
  EXPECT_FALSE(map.FindValue("routes[1].match"));
  EXPECT_EQ(map.Locate("routes[1].match.message_type"), (SourcePosition{11, 5}));
}

TEST(YamlToProtoTest, CollectsEveryErrorInOnePass) {
  navette::config::Config config;
  ConversionResult result = Convert(R"(
engine:
  ingress:
    max_batch: lots
    retransmission_window: forever
    bind: tcp://a
sources:
  - name: [x]
    mllp: "0.0.0.0:2575"
destinations:
  - nom: out
)",
                                    config);
  ASSERT_THAT(result.errors, SizeIs(5)) << Messages(result);
  EXPECT_EQ(result.errors[0].line, 3);
  EXPECT_EQ(result.errors[1].line, 4);
  EXPECT_EQ(result.errors[2].line, 7);
  EXPECT_EQ(result.errors[3].line, 8);
  EXPECT_EQ(result.errors[4].line, 10);
  EXPECT_THAT(config.engine().ingress().bind(), ElementsAre("tcp://a"));
}

}  // namespace
}  // namespace navette::engine::config
