// A zero-copy view of an HL7 v2 message (ER7, the pipe-and-hat encoding).
//
// The view splits the message into segments once, at Parse, and finds fields,
// repetitions, components and subcomponents on demand by scanning the segment
// text: nothing is copied and values come back still escaped (see escape.h).
// The caller keeps the bytes alive for as long as the view is used.
//
// What Parse accepts:
//   - the message starts with "MSH" and a field separator, then MSH-2 (see
//     delimiters.h for the legal sets);
//   - segments end with CR as HL7 requires; LF and CRLF are accepted too
//     because many sample files and some senders use them; empty segments
//     (blank lines, a trailing terminator) are skipped;
//   - each segment starts with a three-character id (A-Z, 0-9) followed by
//     the field separator or the end of the segment.
// Errors name the segment (1-based position and id) and the 0-based byte
// offset: `segment 3 ("P@D"): invalid segment id at byte 57`.
//
// Numbering follows HL7: MSH-1 is the field separator itself and MSH-2 the
// encoding characters, so in MSH the n-th field is the (n-1)-th item after
// "MSH"; in other segments it is the n-th item after the id. MSH-1 and MSH-2
// are never split into repetitions or components.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/hl7v2/delimiters.h"
#include "adapters/hl7v2/field_path.h"

namespace navette::adapters::hl7v2 {

struct SegmentView {
  std::string_view id;    // e.g. "PID"
  std::string_view text;  // the whole segment, id included, terminator excluded
  size_t offset = 0;      // byte offset of the segment in the message
};

class MessageView {
 public:
  static absl::StatusOr<MessageView> Parse(std::string_view raw);

  std::string_view raw() const { return raw_; }
  const Delimiters& delimiters() const { return delimiters_; }
  size_t segment_count() const { return segments_.size(); }
  // 0-based: segment(0) is MSH. (FieldPath segment indexes are 1-based.)
  const SegmentView& segment(size_t index) const { return segments_[index]; }

  // Field `field` (HL7 number, from 1) of segment `index`, whole: every
  // repetition, separators included. nullopt when the segment has fewer
  // fields; an empty string when the field is present but empty.
  std::optional<std::string_view> Field(size_t index, int field) const;

  // The first value `path` names, or nullopt when there is none.
  std::optional<std::string_view> Get(const FieldPath& path) const;

  // Calls `fn` on every value `path` names, in message order: each matching
  // segment when path.segment_index is 0, each repetition when
  // path.repetition is 0. Stops as soon as `fn` returns false and then
  // returns false; returns true otherwise.
  bool ForEach(const FieldPath& path, const std::function<bool(std::string_view)>& fn) const;

 private:
  MessageView(std::string_view raw, Delimiters delimiters, std::vector<SegmentView> segments)
      : raw_(raw), delimiters_(delimiters), segments_(std::move(segments)) {}

  // Applies the repetition/component/subcomponent part of `path` to the
  // field text and calls `fn` on each value; false when `fn` asked to stop.
  bool ForEachInField(std::string_view field, const FieldPath& path,
                      const std::function<bool(std::string_view)>& fn) const;

  std::string_view raw_;
  Delimiters delimiters_;
  std::vector<SegmentView> segments_;
};

}  // namespace navette::adapters::hl7v2
