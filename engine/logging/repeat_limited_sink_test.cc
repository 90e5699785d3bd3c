#include "engine/logging/repeat_limited_sink.h"

#include <gtest/gtest.h>

#include <thread>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace navette::engine::logging {
namespace {

class RepeatLimitedSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    target_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    target_->set_pattern("%l %v");
  }
  std::shared_ptr<RepeatLimitedSink> Make(std::chrono::milliseconds window, size_t burst) {
    return std::make_shared<RepeatLimitedSink>(target_, window, burst);
  }
  static void Log(spdlog::sink_ptr sink, spdlog::level::level_enum level, const std::string& text) {
    sink->log(spdlog::details::log_msg("navette", level, text));
  }
  std::vector<std::string> Lines() const {
    std::vector<std::string> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> target_;
};

TEST_F(RepeatLimitedSinkTest, KindsBlankNumbersAndIds) {
  EXPECT_EQ(RepeatLimitedSink::KindOf("delivery: destination=ris id=0005f8a1c2d3e4f5: cannot "
                                      "connect to 10.0.0.9:2575 after 3 attempts"),
            "delivery: destination=ris id=#: cannot connect to #.#.#.#:# after # attempts");
  EXPECT_EQ(RepeatLimitedSink::KindOf("TLSv1.3 cafe beef"), "TLSv#.# cafe beef");
}

TEST_F(RepeatLimitedSinkTest, AStormShowsItsFirstLinesThenACount) {
  auto sink = Make(std::chrono::milliseconds(60'000), 3);
  for (int i = 0; i < 10; ++i) {
    Log(sink, spdlog::level::err, "delivery: id=000000000000000" + std::to_string(i) + ": down");
  }
  Log(sink, spdlog::level::warn, "another kind");
  for (int i = 0; i < 10; ++i) Log(sink, spdlog::level::info, "info passes " + std::to_string(i));
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 3u + 1u + 10u) << out_.str();
  EXPECT_EQ(lines[0], "error delivery: id=0000000000000000: down");
  EXPECT_EQ(lines[2], "error delivery: id=0000000000000002: down");
  EXPECT_EQ(lines[3], "warning another kind");
  // Not yet: the window is open.
  sink->flush();
  EXPECT_EQ(Lines().size(), 14u);
}

TEST_F(RepeatLimitedSinkTest, TheCountComesWhenTheWindowIsOver) {
  auto sink = Make(std::chrono::milliseconds(50), 2);
  for (int i = 0; i < 7; ++i) Log(sink, spdlog::level::warn, "retry " + std::to_string(i));
  EXPECT_EQ(Lines().size(), 2u);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Lines().size() < 3 && std::chrono::steady_clock::now() < deadline) {
    sink->flush();  // as spdlog::flush_every does
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(Lines().size(), 3u) << out_.str();
  EXPECT_EQ(Lines()[2], "warning 5 more lines like \"retry #\" in the last 50 ms");
  // A new window: lines are written again.
  Log(sink, spdlog::level::warn, "retry 8");
  EXPECT_EQ(Lines().size(), 4u);
}

}  // namespace
}  // namespace navette::engine::logging
