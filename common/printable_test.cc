#include "common/printable.h"

#include <gtest/gtest.h>

namespace navette {
namespace {

TEST(PrintableTest, PlainTextAndHl7EscapesPassUnchanged) {
  EXPECT_EQ(Printable("MSG-0042"), "MSG-0042");
  EXPECT_EQ(Printable("a\\T\\b"), "a\\T\\b");
}

TEST(PrintableTest, ControlCharactersAreEscaped) {
  EXPECT_EQ(Printable("ab\x1b[31mred\a"), "ab\\x1B[31mred\\x07");
  EXPECT_EQ(Printable("one\r\ntwo\tthree"), "one\\x0D\\x0Atwo\\x09three");
  EXPECT_EQ(Printable(std::string_view("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(Printable("del\x7f"), "del\\x7F");
}

TEST(PrintableTest, Utf8IsKeptAndC1ControlsAreEscaped) {
  EXPECT_EQ(Printable("H\xC3\x94PITAL"), "H\xC3\x94PITAL");  // HÔPITAL
  EXPECT_EQ(Printable("csi\xC2\x9B"
                      "2J"),
            "csi\\u009B2J");                                     // U+009B, 8-bit CSI
  EXPECT_EQ(Printable("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");  // 4-byte sequence
}

TEST(PrintableTest, InvalidBytesAreEscapedOneByOne) {
  EXPECT_EQ(Printable("H\xD4PITAL"), "H\\xD4PITAL");        // Latin-1 Ô
  EXPECT_EQ(Printable("\xC0\xAF"), "\\xC0\\xAF");           // overlong '/'
  EXPECT_EQ(Printable("\xED\xA0\x80"), "\\xED\\xA0\\x80");  // surrogate
  EXPECT_EQ(Printable("\x9B"), "\\x9B");                    // lone 8-bit CSI byte
}

TEST(PrintableTest, LongTextIsCutAndMarked) {
  EXPECT_EQ(Printable("abcdef", 4), "abcd...");
  EXPECT_EQ(Printable("abcd", 4), "abcd");
  // A sequence cut in the middle shows its bytes, never half a character.
  EXPECT_EQ(Printable("a\xC3\x94", 2), "a\\xC3...");
}

}  // namespace
}  // namespace navette
