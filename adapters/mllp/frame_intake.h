// What one decoded MLLP frame becomes, decided without any I/O so that the
// rules can be tested on their own: an envelope to publish, or a refusal (the
// ACK to send back at once and the reason to log). Also builds the ACK of a
// publish once the engine has answered.
//
//   frame                                     answer
//   empty (only CR/LF)                        AR, ERR 100 "empty message: no MSH segment"
//   not HL7 v2 (MessageView::Parse fails)     AR, ERR 100, the parse error
//   MSH-9 or MSH-10 empty                     AR, ERR 101 at MSH^1^9 / MSH^1^10
//   MSH-18 names a charset navette does not   AR, ERR 103 at MSH^1^18, naming the supported
//     read (charset.h)                          ones
//   MSH-18 empty and the source's             AE, ERR 207: the configuration is at fault, not
//     default_charset unusable                  the message; it is taken once that is fixed
//   a header field (MSH-3..7, 9..12) not      AR, ERR 102 at MSH^1^n, naming the field and
//     valid in the message's charset            the byte's offset
//   over the size limit                       AR, ERR 207 "message of N bytes exceeds ..."
//   the source has a profile and the message  the first violation's ACK (AR with its ERR-2,
//     breaks the document contract              ERR-3, ERR-5), docs/document-contract.md
//   otherwise                                 published (PublishAck below); under a
//                                               profile with Envelope.document set
//
// The envelope's header fields and charset are UTF-8 (proto/envelope.proto):
// the header is decoded from the message's charset, and a header that cannot
// be is refused here, at once, rather than sent on a bus that cannot carry
// it. `raw` keeps the bytes as received. Refusals echo the sender's own bytes
// (MSH-10 in MSA-2, the applications swapped); the ACK of a publish is
// encoded back into the message's charset, so it holds the same bytes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "absl/status/status.h"
#include "adapters/documents/contract.h"
#include "adapters/mllp/frame_decoder.h"
#include "proto/envelope.pb.h"

namespace navette::adapters::mllp {

// Where a frame came from; copied into the envelope.
struct FrameOrigin {
  std::string_view source;
  std::string_view peer;
  std::string_view default_charset;  // when MSH-18 is empty
  size_t max_message_bytes = 0;      // for the oversize refusal text
  std::chrono::system_clock::time_point received_at;
  // The document contract's profile (Source.profile); none: messages are
  // published unread.
  std::optional<documents::Profile> profile = std::nullopt;
};

struct Refusal {
  std::string ack;         // the AR to send
  std::string reason;      // for the log and ERR-8; never message content
  std::string control_id;  // MSH-10 when it could be read, else empty
  std::string_view kind;   // one of kRejectReasons (server.h), for metrics
};

inline constexpr std::string_view kContentType = "application/hl7-v2";

// `event` is a kFrame or kOversize event; its content moves into the envelope.
std::variant<navette::Envelope, Refusal> TakeFrame(DecoderEvent event, const FrameOrigin& origin);

// The ACK of a published message (its envelope's header and charset) whose
// publish ended with `status`:
//   OK                  AA
//   InvalidArgument     AR, ERR 207 with the status message: the engine
//                       refused the message for good (bus::Publisher), its
//                       reason is written for the sender
//   ResourceExhausted   AE, ERR 207 with the status message: the engine
//                       takes no message for now (intake paused, disk low)
//                       and says so in its own words (bus::Publisher)
//   any other error     AE, ERR 207 asking the sender to send the message
//                       again (the engine's own error is for navette's log,
//                       not for the sender)
// The ACK is encoded in `charset`, as the sender wrote the message.
std::string PublishAck(const navette::Hl7Header& header, std::string_view charset,
                       const absl::Status& status);

}  // namespace navette::adapters::mllp
