// Which fields of an HL7 v2 message an edit changed, named and never
// quoted: the audit trail and the history may say "PID-5, PID-7 changed"
// but must not hold the patient data those fields carry.
//
// Segments are matched by id and occurrence (the 2nd OBX of one message
// with the 2nd OBX of the other), so that adding an NTE does not make every
// later segment differ. A field is compared whole (repetitions and
// components included); trailing empty fields do not count. Names follow
// HL7 numbering (MSH-1 is the field separator); a segment id that occurs
// more than once in either message is named with its occurrence, OBX[2].
//
//   before / after                         summary
//   same text                              "" (nothing changed)
//   PID-5 and PID-7 differ                 "PID-5, PID-7 changed"
//   a third OBX in `after` only            "OBX[3] added"
//   the only NTE in `before` only          "NTE removed"
//   both                                   "PID-5 changed; OBX[3] added"
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/hl7v2/message_view.h"

namespace navette::adapters::hl7v2 {

// The fields of segment `index` of `view`, in HL7 numbering from 1 (out[0]
// is field 1: for MSH, the separator itself), without trailing empty ones.
std::vector<std::string_view> SegmentFields(const MessageView& view, size_t index);

// The summary above; an error (naming the message, "before" or "after",
// and where) when either is not readable HL7 v2.
absl::StatusOr<std::string> FieldChangeSummary(std::string_view before, std::string_view after);

}  // namespace navette::adapters::hl7v2
