// A mail read back from the applicative mailbox, classified: a delivery
// status notification (DSN, RFC 3464), a message disposition notification
// (MDN, RFC 8098, as the French LPS volet uses it: fr-specs §4.4), or
// anything else. Parsed with GMime 3.
//
//   mail                                          kind             filled
//   a part message/delivery-status (or            kDeliveryStatus  statuses: one per recipient
//     message/global-delivery-status, RFC 6533)                    block (a block with
//                                                                  Final-Recipient or Action);
//                                                                  original_message_id: the
//                                                                  Message-ID of the returned
//                                                                  headers (text/rfc822-headers,
//                                                                  message/rfc822, message/global,
//                                                                  message/global-headers) in the
//                                                                  same multipart, empty if the
//                                                                  MTA returned none
//   a part message/disposition-notification (or   kDisposition     final_recipient,
//     message/global-disposition-notification)                     original_recipient,
//                                                                  disposition and its reading;
//                                                                  original_message_id:
//                                                                  Original-Message-ID, else the
//                                                                  returned headers as above
//   anything else (a reply, a forwarded           kOther           message_id, subject, from
//     receipt inside message/rfc822, ...)
//   no header at all, GMime cannot read it        InvalidArgument
//
// The report part is looked for in every multipart of the mail (normally the
// multipart/report at the top), not inside attached messages. Every kind gets
// message_id, subject and from. All strings are UTF-8: invalid bytes in a
// foreign mail become U+FFFD. Addresses and diagnostics may name a patient's
// INS address: they are health data, not for logs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace navette::adapters::mssante::mime {

// One per-recipient block of a DSN (RFC 3464 §2.3).
struct DeliveryStatus {
  std::string final_recipient;     // address without "rfc822;" prefix
  std::string original_recipient;  // likewise; empty when the MTA gave none
  std::string action;              // delivered, failed, delayed, relayed, expanded (lower case)
  std::string status;              // "2.0.0", "5.1.1"
  std::string diagnostic;          // Diagnostic-Code without its type ("smtp;"), may be empty
};

struct ParsedMail {
  enum class Kind { kOther, kDeliveryStatus, kDisposition };
  Kind kind = Kind::kOther;
  std::string message_id;                // of this mail, without <>
  std::string original_message_id;       // the message it reports on, without <>
  std::string subject;                   // decoded UTF-8
  std::string from;                      // the first From mailbox's address
  std::vector<DeliveryStatus> statuses;  // DSN
  // MDN (RFC 8098):
  std::string final_recipient, original_recipient;  // without "rfc822;"
  // The full field value, e.g. "automatic-action/MDN-sent-automatically;
  // processed" or "...; processed/Error: 904^INS non concordant".
  std::string disposition;
  // The disposition type is displayed or processed, with no error modifier
  // and no Error field.
  bool disposition_processed = false;
  // From the French volet's "processed/Error: <code>^<label>" modifier, else
  // from RFC 8098's Error field (split the same way at '^'; without '^' the
  // whole text is the label, or the code when it is all digits).
  std::string error_code, error_label;
};

absl::StatusOr<ParsedMail> ParseMail(std::string_view raw);

}  // namespace navette::adapters::mssante::mime
