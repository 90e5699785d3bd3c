// The IMAP wire format without a server: literals, tagged completions, the
// SELECT response codes, SEARCH and FETCH answers, and the names navette
// writes into commands.
#include "adapters/mssante/transport/imap_wire.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::adapters::mssante::transport {
namespace {

using ::testing::ElementsAre;

TEST(LiteralSize, ReadsTheAnnounceAtTheEndOfALine) {
  EXPECT_EQ(LiteralSize("* 1 FETCH (UID 7 BODY[] {2345}"), 2345u);
  EXPECT_EQ(LiteralSize("* 1 FETCH (BODY[] {0}"), 0u);
  EXPECT_EQ(LiteralSize("A1 LOGIN {5+}"), 5u);
  EXPECT_FALSE(LiteralSize("* OK [UIDVALIDITY 3] {x}").has_value());
  EXPECT_FALSE(LiteralSize("* OK done").has_value());
  EXPECT_FALSE(LiteralSize("* 1 FETCH ({12} x)").has_value());
  EXPECT_FALSE(LiteralSize("{}").has_value());
  EXPECT_FALSE(LiteralSize("{99999999999999999999999}").has_value());
}

TEST(ParseTagged, ReadsOnlyItsOwnTag) {
  std::optional<TaggedStatus> ok = ParseTagged("N4 OK [READ-WRITE] Select completed.", "N4");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, "OK");
  EXPECT_EQ(ok->text, "[READ-WRITE] Select completed.");
  std::optional<TaggedStatus> no = ParseTagged("N5 no Mailbox doesn't exist: Archive", "N5");
  ASSERT_TRUE(no.has_value());
  EXPECT_EQ(no->status, "NO");
  EXPECT_FALSE(ParseTagged("N45 OK done", "N4").has_value());
  EXPECT_FALSE(ParseTagged("* OK still going", "N4").has_value());
  EXPECT_FALSE(ParseTagged("N4 MAYBE", "N4").has_value());
}

TEST(ResponseCodeNumber, ReadsUidValidity) {
  EXPECT_EQ(ResponseCodeNumber("* OK [UIDVALIDITY 1700000001] UIDs valid", "UIDVALIDITY"),
            1700000001u);
  EXPECT_EQ(ResponseCodeNumber("* ok [uidvalidity 3]", "UIDVALIDITY"), 3u);
  EXPECT_FALSE(ResponseCodeNumber("* OK [UIDNEXT 9] Predicted", "UIDVALIDITY").has_value());
  EXPECT_FALSE(ResponseCodeNumber("* OK [UIDVALIDITY x]", "UIDVALIDITY").has_value());
  EXPECT_FALSE(ResponseCodeNumber("N1 OK [UIDVALIDITY 3]", "UIDVALIDITY").has_value());
}

TEST(PermanentFlags, ListsTheFlags) {
  std::optional<std::vector<std::string>> flags = PermanentFlags(
      "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.");
  ASSERT_TRUE(flags.has_value());
  EXPECT_THAT(*flags,
              ElementsAre("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft", "\\*"));
  std::optional<std::vector<std::string>> none = PermanentFlags("* OK [PERMANENTFLAGS ()] No");
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(PermanentFlags("* FLAGS (\\Seen)").has_value());
}

TEST(AppendSearch, CollectsUids) {
  std::vector<uint32_t> uids;
  ASSERT_TRUE(*AppendSearch("* SEARCH 12 4 9", uids));
  ASSERT_TRUE(*AppendSearch("* SEARCH", uids));
  EXPECT_THAT(uids, ElementsAre(12, 4, 9));
  EXPECT_FALSE(*AppendSearch("* 3 EXISTS", uids));
  EXPECT_FALSE(*AppendSearch("* SEARCHRES 1", uids));
  EXPECT_FALSE(AppendSearch("* SEARCH 1 two", uids).ok());
  EXPECT_FALSE(AppendSearch("* SEARCH 0", uids).ok());
}

ImapResponse Fetched(std::string before, std::string literal, std::string after) {
  ImapResponse response{before};
  response.literal_ends.push_back(response.text.size());
  response.literals.push_back(std::move(literal));
  response.text += after;
  return response;
}

TEST(FetchedBody, ReturnsTheLiteralOfThatUid) {
  const std::string message = "From: a@b\r\n\r\n* 2 FETCH (UID 9 BODY[] {3}\r\n)\r\n";
  const ImapResponse response =
      Fetched("* 2 FETCH (UID 7 BODY[] {" + std::to_string(message.size()) + "}", message, ")");
  EXPECT_EQ(FetchedBody(response, 7), message);
  EXPECT_FALSE(FetchedBody(response, 9).has_value());
  EXPECT_FALSE(FetchedBody(response, 77).has_value());
}

TEST(FetchedBody, FindsBodyAfterOtherItemsAndLiterals) {
  ImapResponse response = Fetched("* 5 FETCH (FLAGS (\\Recent) X-LABEL {3}", "abc", "");
  response.text += " UID 41 BODY[] {4}";
  response.literal_ends.push_back(response.text.size());
  response.literals.push_back("body");
  response.text += ")";
  EXPECT_EQ(FetchedBody(response, 41), "body");
}

TEST(FetchedBody, IgnoresFlagUpdatesAndOtherResponses) {
  EXPECT_FALSE(FetchedBody(ImapResponse{"* 3 FETCH (UID 7 FLAGS (\\Seen))"}, 7).has_value());
  EXPECT_FALSE(FetchedBody(ImapResponse{"* 3 EXISTS"}, 3).has_value());
  EXPECT_FALSE(FetchedBody(Fetched("* 3 FETCH (UID 7 BODY[1] {1}", "x", ")"), 7).has_value());
}

TEST(IsKeyword, AcceptsAtomsOnly) {
  EXPECT_TRUE(IsKeyword("$NavetteRead"));
  EXPECT_TRUE(IsKeyword("NonJunk"));
  for (const char* keyword : {"", "two words", "\\Seen", "a(b", "a)b", "a{3}", "a%", "a*", "a\"b",
                              "a]b", "a\r\nN1 LOGOUT", "caf\xc3\xa9"}) {
    EXPECT_FALSE(IsKeyword(keyword)) << keyword;
  }
}

TEST(QuotedMailbox, QuotesAndEscapes) {
  EXPECT_EQ(QuotedMailbox("INBOX"), "\"INBOX\"");
  EXPECT_EQ(QuotedMailbox("Re\"cus\\x"), "\"Re\\\"cus\\\\x\"");
  EXPECT_FALSE(QuotedMailbox("").has_value());
  EXPECT_FALSE(QuotedMailbox("Re\xc3\xa7us").has_value());
  EXPECT_FALSE(QuotedMailbox("a\r\nb").has_value());
}

}  // namespace
}  // namespace navette::adapters::mssante::transport
