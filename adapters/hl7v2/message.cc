#include "adapters/hl7v2/message.h"

#include <utility>

#include <fmt/format.h>

#include "adapters/hl7v2/escape.h"
#include "adapters/hl7v2/message_view.h"

namespace navette::adapters::hl7v2 {
namespace {

// The pieces of `text` between `separator`s, empty ones included: "a||b" has
// three, "" one.
std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  for (size_t end = text.find(separator); end != std::string_view::npos;
       end = text.find(separator, start)) {
    pieces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  pieces.push_back(text.substr(start));
  return pieces;
}

bool IsIdCharacter(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool IsDelimiterField(std::string_view segment_id, int field) {
  return segment_id == "MSH" && field <= 2;
}

absl::Status PathError(const FieldPath& path, std::string_view what) {
  return absl::InvalidArgumentError(fmt::format("{}: {}", path.ToString(), what));
}

// The level a path writes at, for error messages.
std::string_view LevelName(const FieldPath& path) {
  if (path.subcomponent > 0) return "subcomponent";
  if (path.component > 0) return "component";
  return "repetition";
}

}  // namespace

Message::Message() : Message(Delimiters{}) {}

Message::Message(Delimiters delimiters) : delimiters_(delimiters) {
  Segment msh;
  msh.id = "MSH";
  msh.fields.push_back(Field{Repetition{Component{std::string(1, delimiters.field)}}});
  msh.fields.push_back(Field{Repetition{Component{EncodingCharacters(delimiters).substr(1)}}});
  segments_.push_back(std::move(msh));
}

absl::StatusOr<Message> Message::Create(const Delimiters& delimiters) {
  auto checked = ParseEncodingCharacters(EncodingCharacters(delimiters));
  if (!checked.ok()) return checked.status();
  return Message(*checked);
}

absl::StatusOr<Message> Message::Parse(std::string_view raw) {
  // MessageView does the checking, so that both read the same messages and
  // word their errors alike.
  auto view = MessageView::Parse(raw);
  if (!view.ok()) return view.status();
  Message message(view->delimiters());
  message.segments_.clear();
  message.segments_.reserve(view->segment_count());
  for (size_t i = 0; i < view->segment_count(); ++i) {
    const SegmentView& segment = view->segment(i);
    if (i > 0 && segment.id == "MSH") {
      return absl::InvalidArgumentError(fmt::format(
          "segment {} (\"MSH\"): a second message starts at byte {}; split the batch first", i + 1,
          segment.offset));
    }
    // Between two segments there are only terminators (MessageView skips the
    // empty segments blank lines make): keep them all for Serialize.
    size_t end = segment.offset + segment.text.size();
    size_t next = i + 1 < view->segment_count() ? view->segment(i + 1).offset : raw.size();
    Segment parsed = message.SplitSegment(segment.text);
    parsed.terminator = std::string(raw.substr(end, next - end));
    message.segments_.push_back(std::move(parsed));
  }
  message.keep_terminators_ = true;
  return message;
}

std::optional<std::string> Message::Get(const FieldPath& path) const {
  std::optional<std::string> value = GetRaw(path);
  if (!value.has_value() || IsDelimiterField(path.segment, path.field)) return value;
  return Unescape(*value, delimiters_);
}

std::optional<std::string> Message::GetRaw(const FieldPath& path) const {
  std::optional<std::string> found;
  ForEach(path, [&found](std::string_view value) {
    found = std::string(value);
    return false;
  });
  return found;
}

absl::StatusOr<std::string> Message::Get(std::string_view path) const {
  auto parsed = FieldPath::Parse(path);
  if (!parsed.ok()) return parsed.status();
  std::optional<std::string> value = Get(*parsed);
  if (!value.has_value()) {
    return absl::NotFoundError(fmt::format("{}: no such value in the message", path));
  }
  return *std::move(value);
}

bool Message::ForEach(const FieldPath& path,
                      const std::function<bool(std::string_view)>& fn) const {
  int instance = 0;
  for (const Segment& segment : segments_) {
    if (segment.id != path.segment) continue;
    ++instance;
    if (path.segment_index != 0 && instance != path.segment_index) continue;
    if (path.field >= 1 && static_cast<size_t>(path.field) <= segment.fields.size()) {
      const Field& field = segment.fields[path.field - 1];
      if (IsDelimiterField(segment.id, path.field)) {
        // MSH-1 and MSH-2 hold delimiters: splitting them would be nonsense.
        if (path.repetition <= 1 && path.component <= 1 && path.subcomponent <= 1 &&
            !fn(field[0][0][0])) {
          return false;
        }
      } else {
        std::string joined;
        for (size_t r = 0; r < field.size(); ++r) {
          if (path.repetition != 0 && static_cast<size_t>(path.repetition) != r + 1) continue;
          const Repetition& repetition = field[r];
          std::optional<std::string_view> value;
          joined.clear();
          if (path.component == 0) {
            AppendRepetition(repetition, joined);
            value = joined;
          } else if (static_cast<size_t>(path.component) <= repetition.size()) {
            const Component& component = repetition[path.component - 1];
            if (path.subcomponent == 0) {
              AppendComponent(component, joined);
              value = joined;
            } else if (static_cast<size_t>(path.subcomponent) <= component.size()) {
              value = component[path.subcomponent - 1];
            }
          }
          if (value.has_value() && !fn(*value)) return false;
        }
      }
    }
    if (path.segment_index != 0) break;
  }
  return true;
}

absl::Status Message::Set(const FieldPath& path, std::string_view value) {
  size_t line_break = value.find_first_of("\r\n");
  if (line_break != std::string_view::npos) {
    return PathError(path, fmt::format("the value has a line break at byte {}, which would end "
                                       "the segment (FT and TX values write it {}.br{})",
                                       line_break, delimiters_.escape, delimiters_.escape));
  }
  return Place(path, Escape(value, delimiters_));
}

absl::Status Message::Set(std::string_view path, std::string_view value) {
  auto parsed = FieldPath::Parse(path);
  if (!parsed.ok()) return parsed.status();
  return Set(*parsed, value);
}

absl::Status Message::SetRaw(const FieldPath& path, std::string_view raw) {
  struct Refused {
    char c;
    std::string_view name;
    bool refused;
  };
  for (const Refused& refused : {
           Refused{'\r', "a line break", true},
           Refused{'\n', "a line break", true},
           Refused{delimiters_.field, "the field separator", true},
           Refused{delimiters_.repetition, "the repetition separator", true},
           Refused{delimiters_.component, "the component separator", path.component > 0},
           Refused{delimiters_.subcomponent, "the subcomponent separator", path.subcomponent > 0},
       }) {
    size_t at = raw.find(refused.c);
    if (refused.refused && at != std::string_view::npos) {
      return PathError(path, fmt::format("the raw value has {} {:?} at byte {}, which a {} cannot "
                                         "hold",
                                         refused.name, refused.c, at, LevelName(path)));
    }
  }
  return Place(path, raw);
}

absl::Status Message::Place(const FieldPath& path, std::string_view raw) {
  if (IsDelimiterField(path.segment, path.field)) {
    return PathError(path, "MSH-1 and MSH-2 hold the delimiters and cannot be set");
  }
  int wanted = path.segment_index == 0 ? 1 : path.segment_index;
  int instances = 0;
  Segment* target = nullptr;
  for (Segment& segment : segments_) {
    if (segment.id == path.segment && ++instances == wanted) {
      target = &segment;
      break;
    }
  }
  if (target == nullptr) {
    return absl::NotFoundError(fmt::format(
        "{}: the message has {} {} segment{}; add segments with AddSegment or InsertSegment",
        path.ToString(), instances == 0 ? "no" : std::to_string(instances), path.segment,
        instances > 1 ? "s" : ""));
  }
  keep_terminators_ = false;

  std::vector<Field>& fields = target->fields;
  if (fields.size() < static_cast<size_t>(path.field)) fields.resize(path.field, SplitField(""));
  Field& field = fields[path.field - 1];
  size_t wanted_repetition = path.repetition == 0 ? 1 : path.repetition;
  if (field.size() < wanted_repetition) field.resize(wanted_repetition, SplitRepetition(""));
  Repetition& repetition = field[wanted_repetition - 1];
  if (path.component == 0) {
    repetition = SplitRepetition(raw);
    return absl::OkStatus();
  }
  if (repetition.size() < static_cast<size_t>(path.component)) {
    repetition.resize(path.component, SplitComponent(""));
  }
  Component& component = repetition[path.component - 1];
  if (path.subcomponent == 0) {
    component = SplitComponent(raw);
    return absl::OkStatus();
  }
  if (component.size() < static_cast<size_t>(path.subcomponent)) {
    component.resize(path.subcomponent);
  }
  component[path.subcomponent - 1] = std::string(raw);
  return absl::OkStatus();
}

absl::Status Message::AddSegment(std::string_view raw) {
  return InsertSegment(segments_.size(), raw);
}

absl::Status Message::InsertSegment(size_t index, std::string_view raw) {
  if (index == 0) return absl::InvalidArgumentError("cannot insert before MSH: it stays first");
  if (index > segments_.size()) {
    return absl::OutOfRangeError(fmt::format(
        "cannot insert at segment index {}: the message has {} segments", index, segments_.size()));
  }
  auto segment = NewSegment(raw);
  if (!segment.ok()) return segment.status();
  segments_.insert(segments_.begin() + static_cast<std::ptrdiff_t>(index), *std::move(segment));
  keep_terminators_ = false;
  return absl::OkStatus();
}

absl::Status Message::RemoveSegment(size_t index) {
  if (index == 0) return absl::InvalidArgumentError("cannot remove MSH: a message needs it");
  if (index >= segments_.size()) {
    return absl::OutOfRangeError(fmt::format(
        "cannot remove segment index {}: the message has {} segments", index, segments_.size()));
  }
  segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(index));
  keep_terminators_ = false;
  return absl::OkStatus();
}

std::string Message::Serialize() const {
  std::string out;
  for (const Segment& segment : segments_) {
    AppendSegment(segment, out);
    if (keep_terminators_) {
      out += segment.terminator;
    } else {
      out.push_back('\r');
    }
  }
  return out;
}

absl::StatusOr<Message::Segment> Message::NewSegment(std::string_view raw) const {
  std::string_view id = raw.substr(0, 3);
  bool valid_id = id.size() == 3 && IsIdCharacter(id[0]) && IsIdCharacter(id[1]) &&
                  IsIdCharacter(id[2]) && (raw.size() == 3 || raw[3] == delimiters_.field);
  if (!valid_id) {
    return absl::InvalidArgumentError(
        fmt::format("segment {:?}: invalid segment id: expected three characters A-Z or 0-9, "
                    "then {:?} or the end",
                    id, delimiters_.field));
  }
  if (id == "MSH") {
    return absl::InvalidArgumentError("segment \"MSH\": a message has one MSH, its first segment");
  }
  size_t line_break = raw.find_first_of("\r\n");
  if (line_break != std::string_view::npos) {
    return absl::InvalidArgumentError(
        fmt::format("segment {:?}: line break at byte {}: give one segment, without terminator", id,
                    line_break));
  }
  return SplitSegment(raw);
}

Message::Segment Message::SplitSegment(std::string_view text) const {
  Segment segment;
  segment.id = std::string(text.substr(0, 3));
  if (text.size() <= 3) return segment;  // an id alone: no fields at all
  std::vector<std::string_view> items = Split(text.substr(4), delimiters_.field);
  size_t first = 0;
  if (segment.id == "MSH") {
    // MSH-1 is the separator after "MSH" and MSH-2 the first item; neither
    // is split.
    segment.fields.push_back(Field{Repetition{Component{std::string(1, delimiters_.field)}}});
    segment.fields.push_back(Field{Repetition{Component{std::string(items[0])}}});
    first = 1;
  }
  segment.fields.reserve(segment.fields.size() + items.size() - first);
  for (size_t i = first; i < items.size(); ++i) segment.fields.push_back(SplitField(items[i]));
  return segment;
}

Message::Field Message::SplitField(std::string_view text) const {
  Field field;
  for (std::string_view piece : Split(text, delimiters_.repetition)) {
    field.push_back(SplitRepetition(piece));
  }
  return field;
}

Message::Repetition Message::SplitRepetition(std::string_view text) const {
  Repetition repetition;
  for (std::string_view piece : Split(text, delimiters_.component)) {
    repetition.push_back(SplitComponent(piece));
  }
  return repetition;
}

Message::Component Message::SplitComponent(std::string_view text) const {
  Component component;
  for (std::string_view piece : Split(text, delimiters_.subcomponent)) {
    component.emplace_back(piece);
  }
  return component;
}

void Message::AppendSegment(const Segment& segment, std::string& out) const {
  out += segment.id;
  // In MSH, fields[0] is MSH-1: the separator written before MSH-2 is it.
  for (size_t i = segment.id == "MSH" ? 1 : 0; i < segment.fields.size(); ++i) {
    out.push_back(delimiters_.field);
    AppendField(segment.fields[i], out);
  }
}

void Message::AppendField(const Field& field, std::string& out) const {
  for (size_t i = 0; i < field.size(); ++i) {
    if (i > 0) out.push_back(delimiters_.repetition);
    AppendRepetition(field[i], out);
  }
}

void Message::AppendRepetition(const Repetition& repetition, std::string& out) const {
  for (size_t i = 0; i < repetition.size(); ++i) {
    if (i > 0) out.push_back(delimiters_.component);
    AppendComponent(repetition[i], out);
  }
}

void Message::AppendComponent(const Component& component, std::string& out) const {
  for (size_t i = 0; i < component.size(); ++i) {
    if (i > 0) out.push_back(delimiters_.subcomponent);
    out += component[i];
  }
}

}  // namespace navette::adapters::hl7v2
