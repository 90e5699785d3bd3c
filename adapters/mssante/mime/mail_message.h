// The MSSanté message as RFC 5322 / MIME bytes, built with GMime 3's objects
// (never by pasting strings): GMime folds the headers, writes non-ASCII
// header text as RFC 2047 encoded words (UTF-8), and base64-encodes the
// attachments.
//
// Layout (fr-specs §4.3):
//
//   Date, From, [Reply-To], Subject, To, Message-Id   (GMime's order and spelling)
//   [Disposition-Notification-To]          read receipt asked (MDN, RFC 8098)
//   the caller's headers, in order         X-MSS-NIL, X-MSS-CODECDA, ...
//   MIME-Version: 1.0
//   Content-Type: multipart/mixed
//     text/plain; charset=utf-8             the body; 7bit when it is ASCII
//                                           with short lines, else
//                                           quoted-printable or base64 as
//                                           GMime finds shorter (GMime's best
//                                           encoding under a 7-bit constraint)
//     <media_type>; name=<file_name>        each attachment, base64,
//       Content-Disposition: attachment;      Content-Disposition: attachment
//       filename=<file_name>
//
// The result has CRLF line ends and no line over 998 characters (checked
// after GMime writes it), so it goes to SMTP DATA as it is (dot-stuffing is
// the transport's job). Nothing in it needs 8BITMIME: the body is encoded to
// 7 bits when it is not. Non-ASCII header text becomes "=?UTF-8?B?...?=" or
// "=?UTF-8?Q?...?=" words (only the words that need it); a non-ASCII file
// name becomes an RFC 2231 parameter (filename*=, in the smallest charset
// GMime finds, often iso-8859-1).
//
// Refused with InvalidArgument, naming the field or header but never its
// value (addresses of patients are health data):
//   - an address that is not exactly one mailbox with an '@', or holds a
//     control character (CR, LF, ...); no To at all;
//   - a header name that is not printable ASCII without ':' or that the
//     message sets itself (From, To, Cc, Bcc, Sender, Reply-To, Subject, Date,
//     Message-ID, MIME-Version, Disposition-Notification-To, Content-*);
//   - a subject or header value with CR, LF or another control character
//     (header injection), or that is not UTF-8;
//   - a message id that is not `left@right` in printable ASCII without "<>";
//   - a body that is not UTF-8 or holds NUL; an attachment with no file name,
//     a file name with a control character, or a media type that is not a
//     plain `type/subtype` (multipart/* and message/* cannot be base64);
//   - a date that is not finite.
// The body's line ends may be LF, CRLF or CR: each becomes CRLF.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace navette::adapters::mssante::mime {

struct MailAttachment {
  std::string file_name;   // e.g. "IHE_XDM.ZIP"; UTF-8 (RFC 2231-encoded when not ASCII)
  std::string media_type;  // "application/zip", "application/pdf"
  std::string bytes;       // any bytes, NULs included
};

struct MailMessage {
  std::string from;  // applicative mailbox address
  std::vector<std::string> to;
  std::string reply_to = {};
  std::string subject;     // UTF-8, may be French with accents
  std::string body_text;   // UTF-8 text/plain body
  std::string message_id;  // without <>, e.g. "navette.42.mss.ab12@hopital.mssante.fr"
  absl::Time date;
  std::vector<std::pair<std::string, std::string>> headers = {};  // X-MSS-* etc., in order
  std::string disposition_notification_to = {};  // when a read receipt is asked (MDN, RFC 8098)
  std::vector<MailAttachment> attachments = {};
};

// The message as RFC 5322 bytes with CRLF line ends, ready for SMTP DATA.
absl::StatusOr<std::string> RenderMessage(const MailMessage& message);

// The IHE XDM e-mail subject convention (fr-specs §4.3): "XDM/1.0/DDM+" then
// `text` as it is, not truncated (GMime folds a long subject).
std::string XdmSubject(std::string_view text);

}  // namespace navette::adapters::mssante::mime
