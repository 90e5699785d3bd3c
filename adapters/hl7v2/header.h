// Reads the MSH fields an adapter needs to key, route and acknowledge a
// message into the navette::Hl7Header envelope record (proto/envelope.proto).
// ReadHeader and ReadHeaderFields copy the values raw, in the message's own
// bytes; DecodeHeaderFields gives them as the envelope holds them: decoded to
// UTF-8 from the message's charset, still escaped.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/message_view.h"
#include "proto/envelope.pb.h"

namespace navette::adapters::hl7v2 {

// Fills Hl7Header from MSH-3..7, 9, 10, 11, 12 and the encoding characters
// (field separator + MSH-2). MSH-9 and MSH-10 are required: without them a
// message can be neither routed nor acknowledged. On error, when
// `error_location` is given, it receives the ERR-2 location of the missing
// field ("MSH^1^10") so that the refusal can point at it.
absl::StatusOr<navette::Hl7Header> ReadHeader(const MessageView& view,
                                              std::string* error_location = nullptr);

// The same fields without the required-field check, for refusing a message
// whose header is incomplete: the refusal can still swap the applications and
// use the message's delimiters.
navette::Hl7Header ReadHeaderFields(const MessageView& view);

// The fields of ReadHeaderFields decoded from `charset` to UTF-8 (the
// delimiters, ASCII in every supported charset, are unchanged). A field that
// is not valid in `charset` is refused naming the field and the offset of the
// byte in the message, never the field's text; when `error_location` is
// given, it receives the field's ERR-2 location ("MSH^1^10").
absl::StatusOr<navette::Hl7Header> DecodeHeaderFields(const MessageView& view, Charset charset,
                                                      std::string* error_location = nullptr);

// MSH-18, the character set (its first repetition), raw; empty when absent.
std::string ReadCharset(const MessageView& view);

}  // namespace navette::adapters::hl7v2
