// What goes over the wire of an SMTP transaction, as pure functions
// (RFC 5321): the reply lines read back, the envelope's addresses checked
// before they are written into a command, and the message's bytes as DATA
// carries them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace navette::adapters::mssante::transport {

// One line of a reply: "250-PIPELINING" (more follow), "550 5.1.1 <x>: …"
// (the last), "250" alone. nullopt when the line is not a reply line (no
// three-digit code from 200 to 599, or neither ' ', '-' nor the end after it).
struct ReplyLine {
  int code = 0;
  bool last = false;
  std::string_view text = {};  // after the separator
};
std::optional<ReplyLine> ParseReplyLine(std::string_view line);

// A reply in short, for RecipientResult::reply: the code and the lines'
// texts joined by a space ("550 5.1.1 <x>: Recipient address rejected: …"),
// at most kMaxReplyText characters.
inline constexpr size_t kMaxReplyText = 512;
std::string ShortReply(int code, const std::vector<std::string>& texts);

// Whether `address` may be written between the angle brackets of MAIL FROM
// or RCPT TO: non-empty, no control character (CR or LF would end the
// command and start another), no space, no angle bracket (which would close
// the path and add parameters).
bool IsEnvelopeAddress(std::string_view address);

// The message as DATA sends it, end included: a line starting with '.' gets
// a second one (RFC 5321 §4.5.2), a bare LF becomes CRLF (SMTP forbids bare
// line feeds and servers refusing SMTP smuggling reject them), a missing
// final line end is added, then ".\r\n".
std::string DataPayload(std::string_view message);

}  // namespace navette::adapters::mssante::transport
