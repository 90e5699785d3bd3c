// An operator's correction of a stored message (POST /v1/messages/{id}/edit,
// `navette messages edit`), turned into the envelope of a new message the
// way an MLLP frame is (adapters/mllp/frame_intake.h), with no I/O:
//
//   the corrected text                       answer
//   not HL7 v2, a header field missing or    InvalidArgument with TakeFrame's reason
//     unreadable, a contract violation         (it names the segment and field)
//   not encodable in its charset (MSH-18,    InvalidArgument naming the charset
//     else the original's)
//   the same fields as the original          InvalidArgument: nothing to correct
//   otherwise                                the envelope (same source, the bytes in the
//                                              charset, the header read again, peer saying
//                                              who edited it) and the fields changed
//
// The text arrives as the admin API shows a message: UTF-8, decoded from
// its charset, segments ended by CR or LF (an editor shows one a line). It
// goes back into the message's charset, so that the new message holds the
// bytes a sender would have sent.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "adapters/documents/contract.h"
#include "proto/envelope.pb.h"
#include "proto/store.pb.h"

namespace navette::engine {

struct EditedMessage {
  navette::Envelope envelope;
  std::string changes;  // adapters/hl7v2/field_diff.h: fields, never values
};

// `profile` is the original source's document contract (Source.profile),
// applied to the correction as the source applies it to what it receives.
absl::StatusOr<EditedMessage> BuildEditedMessage(
    const store::StoredMessage& original, std::string_view corrected_text, std::string_view actor,
    std::optional<adapters::documents::Profile> profile, std::chrono::system_clock::time_point now);

}  // namespace navette::engine
