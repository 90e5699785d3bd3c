// A path to a value inside an HL7 v2 message, as analysts write it:
//
//   PID-3            field 3 of every PID segment, every repetition
//   PID-3.1          component 1
//   PID-3.4.2        subcomponent 2 of component 4
//   PID-3[2].1       component 1 of the second repetition only
//   OBX[2]-5         field 5 of the second OBX segment only
//
// Indexes are 1-based. An index left out means "any": a match rule on
// "OBX-3.1" holds if any OBX's any repetition matches. Field numbers follow
// HL7's numbering, so MSH-1 is the field separator and MSH-2 the encoding
// characters.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace navette::adapters::hl7v2 {

struct FieldPath {
  std::string segment;    // three characters, e.g. "PID"
  int segment_index = 0;  // 1-based; 0 = any
  int field = 0;          // >= 1
  int repetition = 0;     // 1-based; 0 = any
  int component = 0;      // 1-based; 0 = whole field
  int subcomponent = 0;   // 1-based; 0 = whole component

  // Parses "SEG[n]-F[r].C.S"; the error says what is wrong and at which
  // character.
  static absl::StatusOr<FieldPath> Parse(std::string_view text);

  std::string ToString() const;

  // SEG[1]-field[repetition].component.subcomponent, for code that builds
  // paths: the first segment of its kind; 0 leaves a level whole (or, for
  // the repetition, any).
  static FieldPath Of(std::string segment, int field, int repetition = 1, int component = 0,
                      int subcomponent = 0) {
    FieldPath path;
    path.segment = std::move(segment);
    path.segment_index = 1;
    path.field = field;
    path.repetition = repetition;
    path.component = component;
    path.subcomponent = subcomponent;
    return path;
  }
};

}  // namespace navette::adapters::hl7v2
