#include "engine/logging/line_formats.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

namespace navette::engine::logging {
namespace {

std::string Formatted(LineFormat format, spdlog::level::level_enum level, std::string_view text) {
  auto formatter = MakeFormatter(format);
  spdlog::details::log_msg message("navette", level, text);
  spdlog::memory_buf_t out;
  formatter->format(message, out);
  return std::string(out.data(), out.size());
}

TEST(LineFormatsTest, MessageIdIsTheSixteenHexDigitsAfterId) {
  EXPECT_EQ(MessageIdIn("delivery: dead id=0005f8a1c2d3e4f5 destination=ris"), "0005f8a1c2d3e4f5");
  EXPECT_EQ(MessageIdIn("router: parked id=0005f8a1c2d3e4f5: waiting"), "0005f8a1c2d3e4f5");
  EXPECT_EQ(MessageIdIn("configuration reloaded: version 3b1e0c54a9d2f7e1"), "");
  EXPECT_EQ(MessageIdIn("uuid=0005f8a1c2d3e4f5"), "");
  EXPECT_EQ(MessageIdIn("id=0005f8a1c2d3e4f5a (17 digits)"), "");
  EXPECT_EQ(MessageIdIn("id=12"), "");
}

TEST(LineFormatsTest, JsonIsOneObjectALineWithTheMessageId) {
  const std::string line = Formatted(LineFormat::kJson, spdlog::level::warn,
                                     "delivery: dead id=0005f8a1c2d3e4f5: \"AE\" \\ \x01 tab\t");
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &parsed).ok()) << line;
  EXPECT_EQ(parsed.fields().at("level").string_value(), "warning");
  EXPECT_EQ(parsed.fields().at("msg").string_value(),
            "delivery: dead id=0005f8a1c2d3e4f5: \"AE\" \\ \x01 tab\t");
  EXPECT_EQ(parsed.fields().at("message_id").string_value(), "0005f8a1c2d3e4f5");
  const std::string ts = parsed.fields().at("ts").string_value();
  EXPECT_EQ(ts.size(), 24u) << ts;  // 2026-12-05T10:41:07.118Z
  EXPECT_EQ(ts.back(), 'Z');
}

TEST(LineFormatsTest, JsonWithoutAMessageIdHasNoSuchField) {
  const std::string line = Formatted(LineFormat::kJson, spdlog::level::info, "engine ready");
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &parsed).ok()) << line;
  EXPECT_EQ(parsed.fields().count("message_id"), 0u);
  EXPECT_EQ(parsed.fields().at("level").string_value(), "info");
}

TEST(LineFormatsTest, LogfmtQuotesTheMessage) {
  const std::string line = Formatted(LineFormat::kLogfmt, spdlog::level::err,
                                     "router: id=0005f8a1c2d3e4f5: \"bad\" line\nforged");
  EXPECT_EQ(line.rfind("ts=", 0), 0u) << line;
  EXPECT_NE(line.find(" level=error msg=\"router: id=0005f8a1c2d3e4f5: \\\"bad\\\" line\\nforged\""
                      " message_id=0005f8a1c2d3e4f5\n"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(LineFormatsTest, TextIsThePattern) {
  const std::string line = Formatted(LineFormat::kText, spdlog::level::info, "engine ready");
  EXPECT_NE(line.find(" info engine ready"), std::string::npos) << line;
}

}  // namespace
}  // namespace navette::engine::logging
