#include "adapters/hl7v2/charset.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/hl7v2/message.h"

namespace navette::adapters::hl7v2 {
namespace {

using ::testing::HasSubstr;

// A PAM-FR style message with accented names, MSH-18 set to `charset`.
// `hospital` and `name` are in that charset's bytes.
std::string Sample(std::string_view charset, std::string_view hospital, std::string_view name) {
  return "MSH|^~\\&|GAM|" + std::string(hospital) +
         "|DPI|CHU-X|20240306111154||ADT^A01^ADT_A01|3975|P|2.5^FRA^2.11|||||FRA|" +
         std::string(charset) + "\rPID|1||000003^^^CHU-X^PI||" + std::string(name) +
         "^^^^^^L||19790328|F\r";
}

TEST(CharsetTest, KnowsTheTable0211Names) {
  for (Charset charset : {Charset::kAscii, Charset::kLatin1, Charset::kLatin9, Charset::kUtf8}) {
    auto named = CharsetFromName(CharsetName(charset));
    ASSERT_TRUE(named.ok()) << named.status();
    EXPECT_EQ(*named, charset);
  }
  EXPECT_EQ(CharsetName(Charset::kLatin1), "8859/1");
  EXPECT_EQ(CharsetName(Charset::kLatin9), "8859/15");
  EXPECT_EQ(CharsetName(Charset::kUtf8), "UNICODE UTF-8");
  EXPECT_EQ(CharsetName(Charset::kAscii), "ASCII");
  for (std::string_view unknown : {"UTF-8", "8859/2", "UNICODE UTF-16", "ascii", ""}) {
    EXPECT_FALSE(CharsetFromName(unknown).ok()) << unknown;
  }
  EXPECT_EQ(CharsetFromName("UNICODE UTF-16").status().message(),
            "character set \"UNICODE UTF-16\" is not supported (navette reads \"UNICODE UTF-8\", "
            "\"8859/1\", \"8859/15\", \"ASCII\")");
}

TEST(CharsetTest, ReadsMsh18FromTheRawBytes) {
  // MSH-4 is Latin-1 and not valid UTF-8: MSH-18 is read all the same.
  auto latin1 = MessageCharset(Sample("8859/1", "H\xF4pital", "X"), "UNICODE UTF-8");
  ASSERT_TRUE(latin1.ok()) << latin1.status();
  EXPECT_EQ(*latin1, Charset::kLatin1);
  auto repeated = MessageCharset(Sample("8859/15~ISO IR87", "H", "X"), "UNICODE UTF-8");
  ASSERT_TRUE(repeated.ok()) << repeated.status();
  EXPECT_EQ(*repeated, Charset::kLatin9);
  auto lf = MessageCharset("MSH|^~\\&||||||||||||||||ASCII\nPID|1\n", "8859/1");
  ASSERT_TRUE(lf.ok()) << lf.status();
  EXPECT_EQ(*lf, Charset::kAscii);
}

TEST(CharsetTest, FallsBackToTheDefaultWhenMsh18IsEmpty) {
  auto empty = MessageCharset(Sample("", "H", "X"), "8859/15");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, Charset::kLatin9);
  auto absent = MessageCharset("MSH|^~\\&|A\rPID|1\r", "UNICODE UTF-8");
  ASSERT_TRUE(absent.ok()) << absent.status();
  EXPECT_EQ(*absent, Charset::kUtf8);
}

TEST(CharsetTest, RefusesUnknownCharsets) {
  EXPECT_EQ(MessageCharset(Sample("UTF-8", "H", "X"), "UNICODE UTF-8").status().message(),
            "MSH-18: character set \"UTF-8\" is not supported (navette reads \"UNICODE UTF-8\", "
            "\"8859/1\", \"8859/15\", \"ASCII\")");
  EXPECT_THAT(MessageCharset(Sample("", "H", "X"), "latin1").status().message(),
              HasSubstr("MSH-18 is empty and the default character set is unusable: character "
                        "set \"latin1\" is not supported"));
  EXPECT_THAT(MessageCharset("PID|1\r", "UNICODE UTF-8").status().message(),
              HasSubstr("must start with \"MSH\""));
}

TEST(CharsetTest, Latin1RoundTrips) {
  // é è ç ô, one byte each in ISO 8859-1.
  const std::string raw = Sample("8859/1", "H\xF4pital", "B\xE9rang\xE8re-Fran\xE7ois");
  auto decoded = DecodeMessage(raw, "UNICODE UTF-8");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->charset, Charset::kLatin1);
  auto message = Message::Parse(decoded->text);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->Get("PID-5.1").value_or("?"), "B\xC3\xA9rang\xC3\xA8re-Fran\xC3\xA7ois");
  EXPECT_EQ(message->Get("PID-5.1").value_or("?"), "Bérangère-François");
  EXPECT_EQ(message->Get("MSH-4").value_or("?"), "Hôpital");
  EXPECT_EQ(message->Get("MSH-18").value_or("?"), "8859/1");  // left as declared

  auto encoded = EncodeFromUtf8(message->Serialize(), decoded->charset);
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  EXPECT_EQ(*encoded, raw);
}

TEST(CharsetTest, Latin9HasTheEuroSign) {
  // 0xA4 is € in 8859/15 (¤ in 8859/1), 0xBD is œ (½ in 8859/1).
  const std::string raw = Sample("8859/15", "C\xBDur", "12 \xA4");
  auto decoded = DecodeMessage(raw, "UNICODE UTF-8");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->charset, Charset::kLatin9);
  EXPECT_THAT(decoded->text, HasSubstr("|Cœur|"));
  EXPECT_THAT(decoded->text, HasSubstr("||12 €^^"));
  auto encoded = EncodeFromUtf8(decoded->text, Charset::kLatin9);
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  EXPECT_EQ(*encoded, raw);

  auto as_latin1 = DecodeToUtf8(raw, Charset::kLatin1);
  ASSERT_TRUE(as_latin1.ok()) << as_latin1.status();
  EXPECT_THAT(*as_latin1, HasSubstr("||12 ¤^^"));
}

TEST(CharsetTest, RefusesCharactersTheTargetCannotEncode) {
  const std::string utf8 = Sample("8859/1", "H", "12 €");
  // MSH and its CR are 92 bytes, "PID|1||000003^^^CHU-X^PI||12 " 29 more.
  EXPECT_EQ(EncodeFromUtf8(utf8, Charset::kLatin1).status().message(),
            "segment 2 (\"PID\"): U+20AC \"€\" cannot be encoded in 8859/1 at byte 121");
  EXPECT_TRUE(EncodeFromUtf8(utf8, Charset::kLatin9).ok());
  EXPECT_EQ(EncodeFromUtf8("Ren\xC3\xA9", Charset::kAscii).status().message(),
            "U+00E9 \"é\" cannot be encoded in ASCII at byte 3");
  EXPECT_EQ(EncodeFromUtf8("\xF0\x9F\x98\x80", Charset::kLatin9).status().message(),
            "U+1F600 \"😀\" cannot be encoded in 8859/15 at byte 0");
  EXPECT_EQ(EncodeFromUtf8("a\xC2\x85", Charset::kAscii).status().message(),
            "U+0085 cannot be encoded in ASCII at byte 1");  // a C1 control: not shown
}

TEST(CharsetTest, RefusesBytesInvalidInTheDeclaredCharset) {
  // Latin-1 bytes in a message that says UTF-8.
  const std::string latin1 = Sample("UNICODE UTF-8", "H", "B\xE9rang\xE8re");
  EXPECT_EQ(DecodeMessage(latin1, "UNICODE UTF-8").status().message(),
            "segment 2 (\"PID\"): 0xE9 is not valid UNICODE UTF-8 at byte 126");
  EXPECT_EQ(DecodeToUtf8(Sample("ASCII", "H", "B\xE9"), Charset::kAscii).status().message(),
            "segment 2 (\"PID\"): 0xE9 is not valid ASCII at byte 118");
  // Blank lines are no segments, as for MessageView.
  EXPECT_EQ(DecodeToUtf8("MSH|^~\\&\n\nPID|1\nPV1|\xC3\x28", Charset::kUtf8).status().message(),
            "segment 3 (\"PV1\"): 0xC3 is not valid UNICODE UTF-8 at byte 20");
  EXPECT_EQ(DecodeToUtf8("MSH|^~\\&\rPID|\xC3", Charset::kUtf8).status().message(),
            "segment 2 (\"PID\"): 0xC3 is not valid UNICODE UTF-8 at byte 13 (the text ends "
            "inside a character)");
  // Overlong and surrogate sequences are not UTF-8 either.
  EXPECT_EQ(DecodeToUtf8("a\xC0\xAF", Charset::kUtf8).status().message(),
            "0xC0 0xAF is not valid UNICODE UTF-8 at byte 1");
  EXPECT_FALSE(DecodeToUtf8("\xED\xA0\x80", Charset::kUtf8).ok());
  EXPECT_EQ(EncodeFromUtf8("ab\xE9z", Charset::kLatin1).status().message(),
            "0xE9 is not valid UNICODE UTF-8 at byte 2");
  EXPECT_EQ(EncodeFromUtf8("ab\xE9", Charset::kLatin1).status().message(),
            "0xE9 is not valid UNICODE UTF-8 at byte 2 (the text ends inside a character)");
}

TEST(CharsetTest, PassesUtf8AndAsciiThrough) {
  for (Charset charset : {Charset::kUtf8, Charset::kAscii, Charset::kLatin1, Charset::kLatin9}) {
    const std::string ascii = Sample(CharsetName(charset), "H", "DUPONT");
    auto decoded = DecodeToUtf8(ascii, charset);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, ascii);
  }
  const std::string utf8 = Sample("UNICODE UTF-8", "Hôpital", "Bérangère 😀 €");
  auto decoded = DecodeToUtf8(utf8, Charset::kUtf8);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, utf8);
  auto encoded = EncodeFromUtf8(utf8, Charset::kUtf8);
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  EXPECT_EQ(*encoded, utf8);
  EXPECT_EQ(DecodeToUtf8("", Charset::kLatin1).value_or("?"), "");
}

TEST(CharsetTest, ConvertsLargeMessages) {
  // Past iconv's first output buffer: every byte doubles in UTF-8.
  const std::string raw = Sample("8859/1", "H", std::string(100000, '\xE9'));
  auto decoded = DecodeToUtf8(raw, Charset::kLatin1);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->size(), raw.size() + 100000);
  auto encoded = EncodeFromUtf8(*decoded, Charset::kLatin1);
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  EXPECT_EQ(*encoded, raw);
}

}  // namespace
}  // namespace navette::adapters::hl7v2
