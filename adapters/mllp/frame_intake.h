// What one decoded MLLP frame becomes, decided without any I/O so that the
// rules can be tested on their own: an envelope to publish, or a refusal (the
// AR to send back at once and the reason to log). Also builds the ACK of a
// publish once the engine has answered.
//
//   frame                                   answer
//   empty (only CR/LF)                      AR, ERR 100 "empty message: no MSH segment"
//   not HL7 v2 (MessageView::Parse fails)   AR, ERR 100, the parse error
//   MSH-9 or MSH-10 empty                   AR, ERR 101 at MSH^1^9 / MSH^1^10
//   over the size limit                     AR, ERR 207 "message of N bytes exceeds ..."
//   otherwise                               published; AA once committed, else AE ERR 207
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "absl/status/status.h"
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

// The ACK of a message whose publish ended with `status`: AA when it is OK;
// otherwise AE with ERR 207 asking the sender to send the message again (the
// engine's own error is for navette's log, not for the sender).
std::string PublishAck(const navette::Hl7Header& header, const absl::Status& status);

}  // namespace navette::adapters::mllp
