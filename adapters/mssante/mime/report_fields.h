// The field blocks of a message/delivery-status (RFC 3464 §2.1) or
// message/disposition-notification (RFC 8098 §3.1) body: header-like
// "Name: value" lines, a block per blank line, e.g.
//
//   Reporting-MTA: dns; smtp.example.fr          <- per-message block
//   Arrival-Date: Tue, 14 Nov 2023 23:13:21 +0100
//
//   Final-Recipient: rfc822; dr.x@example.fr     <- one block per recipient
//   Action: failed
//   Status: 5.1.1
//   Diagnostic-Code: smtp; 550 5.1.1 <dr.x@example.fr>: Recipient address
//       rejected: User unknown                    <- folded continuation line
//
// Parsed here as text, whatever GMime made of the part (GMime 3.2 gives a
// GMimePart for these types, but a GMimeMessagePart if the type is registered
// as a message): field names are case-insensitive (stored lower case), a line
// starting with a space or tab continues the field before it (unfolded to one
// space), CR before LF is ignored, and a line with no ':' that continues
// nothing is skipped. Pure functions, no GMime.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace navette::adapters::mssante::mime {

struct ReportField {
  std::string name;   // lower case
  std::string value;  // unfolded, trimmed
};
using FieldBlock = std::vector<ReportField>;

// The non-empty blocks of `text`, in order.
std::vector<FieldBlock> ParseFieldBlocks(std::string_view text);

// The first value of `lower_name` in `block`, or empty.
std::string_view FieldValue(const FieldBlock& block, std::string_view lower_name);
bool HasField(const FieldBlock& block, std::string_view lower_name);

// A typed value without its type: "rfc822; dr.x@example.fr" -> "dr.x@example.fr",
// "smtp; 550 5.1.1 ..." -> "550 5.1.1 ...". The prefix is taken off only when
// it is a single token (letters, digits, '-', '.', '_') before the first ';'.
// `address` also takes off enclosing angle brackets.
std::string WithoutTypePrefix(std::string_view value, bool address);

// The first whitespace-separated word ("5.1.1 (comment)" -> "5.1.1").
std::string_view FirstWord(std::string_view value);

// ASCII helpers on std::string_view (Debian's absl::string_view is a class of
// its own, which absl's string functions want).
std::string_view TrimAscii(std::string_view text);
std::string LowerAscii(std::string_view text);
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);

}  // namespace navette::adapters::mssante::mime
