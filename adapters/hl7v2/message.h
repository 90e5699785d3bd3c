// A mutable HL7 v2 message (ER7), for the code that builds or rewrites
// messages: segments → fields → repetitions → components → subcomponents.
// To read or route a message, MessageView is cheaper: it copies nothing.
//
// Values are kept as on the wire, still escaped (escape.h). Get unescapes and
// Set escapes; GetRaw and SetRaw give and take the wire text, separators of
// the lower levels included, for code that moves structured values around.
//
// Parse accepts what MessageView::Parse accepts (any legal delimiters, CR, LF
// or CRLF terminators, blank lines) with the same errors, and refuses a second
// MSH: a batch must be split into its messages first.
//
// Round trip: Parse keeps the bytes between segments as they came (CR, LF,
// CRLF, blank lines, a final terminator or none), so Serialize gives back the
// input byte for byte as long as nothing is changed: a passthrough must not
// alter a message it only read. A message built or changed in code is written
// as HL7 requires, a CR after every segment. Trailing empty fields and
// components ("ZFM|8|||") are part of the structure and always kept.
//
// Paths (field_path.h) are read as MessageView reads them: Get returns the
// first value the path names, searching every matching segment and
// repetition when their index is left out. Set and SetRaw write at the path
// with a left-out segment index or repetition read as 1. They create the
// missing fields, repetitions, components and subcomponents, empty, but never
// a segment: where one goes depends on the message structure, so adding it
// is the caller's call (AddSegment, InsertSegment).
//
// MSH-1 and MSH-2 hold the delimiters: they are read whole, never split or
// unescaped, and cannot be set.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/hl7v2/delimiters.h"
#include "adapters/hl7v2/field_path.h"

namespace navette::adapters::hl7v2 {

class Message {
 public:
  // A message holding only "MSH|^~\&".
  Message();
  // The same with other delimiters; refuses an illegal set (delimiters.h).
  static absl::StatusOr<Message> Create(const Delimiters& delimiters);
  // Errors name the segment (1-based position and id) and the byte offset,
  // as MessageView's do.
  static absl::StatusOr<Message> Parse(std::string_view raw);

  const Delimiters& delimiters() const { return delimiters_; }
  size_t segment_count() const { return segments_.size(); }
  // 0-based: segment_id(0) is "MSH". (FieldPath segment indexes are 1-based.)
  std::string_view segment_id(size_t index) const { return segments_[index].id; }

  // The first value `path` names, unescaped; nullopt when there is none. A
  // field or component with parts comes back joined by its separators, which
  // then cannot be told from escaped data: use GetRaw to keep the structure.
  std::optional<std::string> Get(const FieldPath& path) const;
  // The same, as on the wire (escaped).
  std::optional<std::string> GetRaw(const FieldPath& path) const;
  // Get with a path in text form: InvalidArgument for a bad path, NotFound
  // when the message has no such value.
  absl::StatusOr<std::string> Get(std::string_view path) const;

  // Calls `fn` on every value `path` names, escaped, in message order, as
  // MessageView::ForEach does; false when `fn` asked to stop.
  bool ForEach(const FieldPath& path, const std::function<bool(std::string_view)>& fn) const;

  // Writes `value`, escaped, at `path`. Refuses line breaks (a CR or LF in a
  // value would end the segment), MSH-1, MSH-2 and a missing segment.
  absl::Status Set(const FieldPath& path, std::string_view value);
  // Set with a path in text form.
  absl::Status Set(std::string_view path, std::string_view value);
  // Writes wire text at `path`: a repetition (PID-5) may hold component and
  // subcomponent separators, a component (PID-5.1) subcomponent separators,
  // a subcomponent none; the field and repetition separators are refused.
  absl::Status SetRaw(const FieldPath& path, std::string_view raw);

  // `raw` is one segment as on the wire, with the message's delimiters and no
  // terminator: "ZFD|||Y|N", or an id alone such as "ZBE". A second MSH is
  // refused.
  absl::Status AddSegment(std::string_view raw);
  // Inserts before segment `index` (0-based, from 1: MSH stays first); an
  // index equal to segment_count() appends.
  absl::Status InsertSegment(size_t index, std::string_view raw);
  // Removes segment `index` (0-based, from 1: MSH cannot be removed).
  absl::Status RemoveSegment(size_t index);

  // The message as on the wire; see the round trip rule above.
  std::string Serialize() const;

 private:
  // A field as nested lists of escaped wire text: repetitions → components →
  // subcomponents. An empty field is one empty repetition with one empty
  // component, as MessageView reads it, so that splitting and joining give
  // back the same text.
  using Component = std::vector<std::string>;
  using Repetition = std::vector<Component>;
  using Field = std::vector<Repetition>;

  struct Segment {
    std::string id;
    // fields[0] is field 1. In MSH, that is MSH-1, the field separator: it is
    // not written out again, the separator before MSH-2 stands for it.
    std::vector<Field> fields;
    // What followed the segment in the parsed bytes (CR, LF, CRLF, blank
    // lines, or nothing at the end).
    std::string terminator;
  };

  explicit Message(Delimiters delimiters);

  // Splitting and joining by the message's delimiters: lossless both ways.
  Segment SplitSegment(std::string_view text) const;
  Field SplitField(std::string_view text) const;
  Repetition SplitRepetition(std::string_view text) const;
  Component SplitComponent(std::string_view text) const;
  void AppendSegment(const Segment& segment, std::string& out) const;
  void AppendField(const Field& field, std::string& out) const;
  void AppendRepetition(const Repetition& repetition, std::string& out) const;
  void AppendComponent(const Component& component, std::string& out) const;

  // Checks a segment given to AddSegment or InsertSegment and splits it.
  absl::StatusOr<Segment> NewSegment(std::string_view raw) const;
  // Writes wire text at `path` (a repetition, component or subcomponent,
  // already checked), creating what is missing on the way.
  absl::Status Place(const FieldPath& path, std::string_view raw);

  Delimiters delimiters_;
  std::vector<Segment> segments_;
  // True from Parse until the first change: Serialize then writes the
  // terminators that were read instead of CRs.
  bool keep_terminators_ = false;
};

}  // namespace navette::adapters::hl7v2
