#include "adapters/mllp/frame_decoder.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/mllp/frame.h"

namespace navette::adapters::mllp {
namespace {

using ::testing::HasSubstr;

const std::string kMessage = "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\rPID|1\r";

std::vector<DecoderEvent> FeedAll(FrameDecoder& decoder, std::string_view bytes) {
  std::vector<DecoderEvent> events;
  decoder.Feed(bytes, events);
  return events;
}

TEST(FrameDecoderTest, DecodesOneFrame) {
  FrameDecoder decoder(1024);
  auto events = FeedAll(decoder, EncodeFrame(kMessage));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, DecoderEvent::kFrame);
  EXPECT_EQ(events[0].content, kMessage);
  EXPECT_EQ(events[0].total_bytes, kMessage.size());
  EXPECT_FALSE(decoder.in_frame());
}

TEST(FrameDecoderTest, DecodesByteByByte) {
  FrameDecoder decoder(1024);
  std::string stream = EncodeFrame(kMessage) + EncodeFrame("second");
  std::vector<DecoderEvent> events;
  for (size_t i = 0; i < stream.size(); ++i) {
    decoder.Feed(stream.substr(i, 1), events);
    if (i == 0) {
      EXPECT_TRUE(decoder.in_frame());
    }
    if (i + 1 == kMessage.size() + 3) {
      EXPECT_FALSE(decoder.in_frame());
    }
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].content, kMessage);
  EXPECT_EQ(events[1].content, "second");
}

TEST(FrameDecoderTest, HandlesAnEndBlockSplitAcrossReads) {
  FrameDecoder decoder(1024);
  std::string frame = EncodeFrame(kMessage);
  std::vector<DecoderEvent> events;
  decoder.Feed(frame.substr(0, frame.size() - 1), events);  // up to 0x1C
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(decoder.in_frame());
  EXPECT_EQ(decoder.frame_bytes(), kMessage.size());
  decoder.Feed(frame.substr(frame.size() - 1), events);  // the 0x0D
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].content, kMessage);
  EXPECT_FALSE(decoder.in_frame());
}

TEST(FrameDecoderTest, DecodesEverySplitPoint) {
  std::string stream = EncodeFrame(kMessage) + EncodeFrame("two") + "\r\n";
  for (size_t split = 0; split <= stream.size(); ++split) {
    FrameDecoder decoder(1024);
    std::vector<DecoderEvent> events;
    decoder.Feed(std::string_view(stream).substr(0, split), events);
    decoder.Feed(std::string_view(stream).substr(split), events);
    ASSERT_EQ(events.size(), 2u) << "split at " << split;
    EXPECT_EQ(events[0].content, kMessage);
    EXPECT_EQ(events[1].content, "two");
  }
}

TEST(FrameDecoderTest, DecodesSeveralFramesInOneFeed) {
  FrameDecoder decoder(1024);
  auto events = FeedAll(decoder, EncodeFrame("a") + "\r\n \t" + EncodeFrame("") + EncodeFrame("c"));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].content, "a");
  EXPECT_EQ(events[1].kind, DecoderEvent::kFrame);
  EXPECT_EQ(events[1].content, "");
  EXPECT_EQ(events[2].content, "c");
}

TEST(FrameDecoderTest, ReportsBytesBeforeAStartBlock) {
  FrameDecoder decoder(1024);
  auto events = FeedAll(decoder, "\r\nHELLO" + EncodeFrame(kMessage));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, DecoderEvent::kGarbage);
  EXPECT_EQ(events[0].reason, "byte 0x48 before a start block (0x0B)");
  EXPECT_TRUE(decoder.failed());
  // Failed for good: later frames are ignored.
  EXPECT_TRUE(FeedAll(decoder, EncodeFrame(kMessage)).empty());
}

TEST(FrameDecoderTest, ReportsAStartBlockInsideAFrame) {
  FrameDecoder decoder(1024);
  auto events = FeedAll(decoder,
                        "\x0B"
                        "abc\x0B"
                        "def\x1C\r");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, DecoderEvent::kGarbage);
  EXPECT_EQ(events[0].reason, "start block (0x0B) inside a frame after 3 bytes");
  EXPECT_TRUE(decoder.failed());
}

TEST(FrameDecoderTest, ReportsAnEndBlockWithoutCarriageReturn) {
  FrameDecoder decoder(1024);
  std::vector<DecoderEvent> events;
  decoder.Feed(
      "\x0B"
      "abc\x1C",
      events);
  EXPECT_TRUE(events.empty());
  decoder.Feed("\n", events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, DecoderEvent::kGarbage);
  EXPECT_THAT(events[0].reason, HasSubstr("followed by 0x0A instead of 0x0D"));
  EXPECT_FALSE(decoder.in_frame());
}

TEST(FrameDecoderTest, ReportsAStrayEndBlock) {
  FrameDecoder decoder(1024);
  auto events = FeedAll(decoder, "\x1C\r");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, DecoderEvent::kGarbage);
  EXPECT_EQ(events[0].reason, "byte 0x1C before a start block (0x0B)");
}

TEST(FrameDecoderTest, KeepsAPrefixOfAnOversizeFrameAndRecovers) {
  FrameDecoder decoder(16);
  std::string big(100, 'x');
  std::vector<DecoderEvent> events;
  // Cross the limit in several feeds.
  std::string frame = EncodeFrame(big);
  for (size_t i = 0; i < frame.size(); i += 7) decoder.Feed(frame.substr(i, 7), events);
  decoder.Feed(EncodeFrame("next"), events);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, DecoderEvent::kOversize);
  EXPECT_EQ(events[0].content, std::string(16, 'x'));
  EXPECT_EQ(events[0].total_bytes, 100u);
  EXPECT_EQ(events[1].kind, DecoderEvent::kFrame);
  EXPECT_EQ(events[1].content, "next");
}

TEST(FrameDecoderTest, AcceptsAFrameOfExactlyTheLimit) {
  FrameDecoder decoder(16);
  auto events = FeedAll(decoder, EncodeFrame(std::string(16, 'y')));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, DecoderEvent::kFrame);
}

TEST(FrameDecoderTest, CapsTheOversizePrefix) {
  FrameDecoder decoder(1 << 20);
  std::string big = "MSH" + std::string((2 << 20) - 3, 'z');
  auto events = FeedAll(decoder, EncodeFrame(big));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, DecoderEvent::kOversize);
  EXPECT_EQ(events[0].content.size(), FrameDecoder::kOversizePrefixBytes);
  EXPECT_EQ(events[0].content, big.substr(0, FrameDecoder::kOversizePrefixBytes));
  EXPECT_EQ(events[0].total_bytes, big.size());
}

}  // namespace
}  // namespace navette::adapters::mllp
