// What the IMAP client reads and writes (RFC 3501), as pure functions: a
// server response with its literals, the tagged completion, the untagged
// data navette asks for (SEARCH, FETCH BODY[], the UIDVALIDITY and
// PERMANENTFLAGS response codes), and the keyword and mailbox names written
// into commands.
//
// A response is read line by line; a line ending in a literal's announce
// "{N}" is followed by exactly N bytes, then by the rest of the response on
// the next line. ImapResponse keeps the lines in `text`, each literal's
// announce in place, and the literals' bytes aside:
//
//   * 12 FETCH (UID 5 BODY[] {2345}\r\n<2345 bytes>)\r\n
//   → text "* 12 FETCH (UID 5 BODY[] {2345})", literals {<2345 bytes>},
//     literal_ends {31} (the position just after "{2345}")
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace navette::adapters::mssante::transport {

struct ImapResponse {
  std::string text;
  std::vector<std::string> literals = {};
  std::vector<size_t> literal_ends = {};
};

// N when `line` ends with a literal's announce "{N}" (or the non-synchronising
// "{N+}"), nullopt otherwise or when N does not fit in 64 bits.
std::optional<uint64_t> LiteralSize(std::string_view line);

// The completion of the command tagged `tag`: "<tag> OK|NO|BAD text".
struct TaggedStatus {
  std::string status;  // "OK", "NO" or "BAD"
  std::string text;    // the rest, response code included ("[TRYCREATE] …")
};
std::optional<TaggedStatus> ParseTagged(std::string_view text, std::string_view tag);

// The number of the response code `name` in an untagged OK
// ("* OK [UIDVALIDITY 1700000000] UIDs valid").
std::optional<uint32_t> ResponseCodeNumber(std::string_view text, std::string_view name);

// The flags of "* OK [PERMANENTFLAGS (\Answered $Label \*)] …", nullopt
// when `text` is not that response.
std::optional<std::vector<std::string>> PermanentFlags(std::string_view text);

// The UIDs of a "* SEARCH 4 9 12" response (appended to `uids`); false when
// `text` is not a SEARCH response, an error when a number is malformed.
absl::StatusOr<bool> AppendSearch(std::string_view text, std::vector<uint32_t>& uids);

// The bytes of BODY[] in a "* n FETCH (… UID uid … BODY[] {N} …)" response
// for that UID: nullopt when the response is not one (another message's
// FETCH, a flags update, EXISTS …) or carries no BODY[] literal.
std::optional<std::string> FetchedBody(const ImapResponse& response, uint32_t uid);

// A keyword navette may set and search (RFC 3501 flag-keyword, an atom):
// printable ASCII without space, "(){%*\"\\]", not a system flag ("\Seen").
bool IsKeyword(std::string_view keyword);

// `mailbox` as an IMAP quoted string ("INBOX" → "\"INBOX\""); nullopt for a
// name an ASCII quoted string cannot carry (non-ASCII needs modified UTF-7,
// control characters none).
std::optional<std::string> QuotedMailbox(std::string_view mailbox);

}  // namespace navette::adapters::mssante::transport
