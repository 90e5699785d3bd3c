// The SMTP wire format without a server: reply lines, the short reply kept
// per recipient, the envelope addresses refused before any command, DATA's
// transparency, and FateOf's classification.
#include "adapters/mssante/transport/smtp_wire.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/mssante/transport/smtp_client.h"

namespace navette::adapters::mssante::transport {
namespace {

using Fate = RecipientResult::Fate;

TEST(ParseReplyLine, ReadsCodeSeparatorAndText) {
  std::optional<ReplyLine> more = ParseReplyLine("250-PIPELINING");
  ASSERT_TRUE(more.has_value());
  EXPECT_EQ(more->code, 250);
  EXPECT_FALSE(more->last);
  EXPECT_EQ(more->text, "PIPELINING");

  std::optional<ReplyLine> last =
      ParseReplyLine("550 5.1.1 <nobody@example.test>: Recipient address rejected");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->code, 550);
  EXPECT_TRUE(last->last);
  EXPECT_EQ(last->text, "5.1.1 <nobody@example.test>: Recipient address rejected");

  std::optional<ReplyLine> bare = ParseReplyLine("354");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->code, 354);
  EXPECT_TRUE(bare->last);
  EXPECT_EQ(bare->text, "");
}

TEST(ParseReplyLine, RefusesWhatIsNotAReplyLine) {
  for (const char* line :
       {"", "25", "hello", "250x", "2500 ok", "150 ok", "650 ok", "2a0 ok", "* OK ready"}) {
    EXPECT_FALSE(ParseReplyLine(line).has_value()) << line;
  }
}

TEST(ShortReply, JoinsTheLinesAfterTheCode) {
  EXPECT_EQ(ShortReply(550, {"5.1.1 <x@y>: Recipient address rejected:", "User unknown"}),
            "550 5.1.1 <x@y>: Recipient address rejected: User unknown");
  EXPECT_EQ(ShortReply(250, {""}), "250");
}

TEST(ShortReply, IsBounded) {
  const std::vector<std::string> texts(100, std::string(40, 'x'));
  const std::string reply = ShortReply(452, texts);
  EXPECT_EQ(reply.size(), kMaxReplyText);
  EXPECT_EQ(reply.substr(0, 5), "452 x");
}

TEST(IsEnvelopeAddress, RefusesWhatWouldBreakOutOfTheCommand) {
  EXPECT_TRUE(IsEnvelopeAddress("dr.martin@hopital.mssante.fr"));
  EXPECT_TRUE(IsEnvelopeAddress("x+tag@example.test"));
  for (const char* address : {"", "a@b\r\nRCPT TO:<c@d>", "a@b\n", "a@b> NOTIFY=NEVER", "<a@b>",
                              "a b@c", "a@b\t", "a\x7f@b"}) {
    EXPECT_FALSE(IsEnvelopeAddress(address)) << address;
  }
}

TEST(DataPayload, DoublesLeadingDotsAndEndsWithTheTerminator) {
  EXPECT_EQ(DataPayload("Subject: x\r\n\r\n.hidden\r\n..two\r\nmid.dle\r\n.\r\n"),
            "Subject: x\r\n\r\n..hidden\r\n...two\r\nmid.dle\r\n..\r\n.\r\n");
  EXPECT_EQ(DataPayload(".first\r\n"), "..first\r\n.\r\n");
}

TEST(DataPayload, CompletesTheLastLineAndMendsBareLineFeeds) {
  EXPECT_EQ(DataPayload("a\r\nb"), "a\r\nb\r\n.\r\n");
  EXPECT_EQ(DataPayload("a\nb\n.c\n"), "a\r\nb\r\n..c\r\n.\r\n");
  EXPECT_EQ(DataPayload(""), ".\r\n");
}

TEST(DataPayload, LeavesCrlfBytesAsTheyAre) {
  const std::string message = "From: a@b\r\nTo: c@d\r\n\r\nline one\r\n\r\nline . two\r\n";
  EXPECT_EQ(DataPayload(message), message + ".\r\n");
}

TEST(FateOf, ClassifiesByTheFirstDigit) {
  EXPECT_EQ(FateOf(250), Fate::kAccepted);
  EXPECT_EQ(FateOf(251), Fate::kAccepted);
  EXPECT_EQ(FateOf(450), Fate::kTransient);
  EXPECT_EQ(FateOf(421), Fate::kTransient);
  EXPECT_EQ(FateOf(452), Fate::kTransient);
  EXPECT_EQ(FateOf(550), Fate::kPermanent);
  EXPECT_EQ(FateOf(552), Fate::kPermanent);
  EXPECT_EQ(FateOf(554), Fate::kPermanent);
  EXPECT_EQ(FateOf(0), Fate::kTransient);    // no reply: connection, TLS
  EXPECT_EQ(FateOf(354), Fate::kTransient);  // out of place: never taken for a verdict
}

}  // namespace
}  // namespace navette::adapters::mssante::transport
