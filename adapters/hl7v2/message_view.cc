#include "adapters/hl7v2/message_view.h"

#include <fmt/format.h>

namespace navette::adapters::hl7v2 {
namespace {

bool IsSegmentTerminator(char c) { return c == '\r' || c == '\n'; }

bool IsIdCharacter(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// The n-th (1-based) piece of `text` split on `separator`, or nullopt when
// there are fewer pieces. An empty text has one, empty, piece.
std::optional<std::string_view> Piece(std::string_view text, char separator, int n) {
  size_t start = 0;
  for (int i = 1; i < n; ++i) {
    size_t next = text.find(separator, start);
    if (next == std::string_view::npos) return std::nullopt;
    start = next + 1;
  }
  size_t end = text.find(separator, start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

absl::Status SegmentError(size_t position, std::string_view text, std::string_view what,
                          size_t offset) {
  return absl::InvalidArgumentError(
      fmt::format("segment {} ({:?}): {} at byte {}", position, text.substr(0, 3), what, offset));
}

}  // namespace

absl::StatusOr<MessageView> MessageView::Parse(std::string_view raw) {
  if (raw.empty()) return absl::InvalidArgumentError("empty message");
  if (raw.substr(0, 3) != "MSH" || raw.size() < 4) {
    return absl::InvalidArgumentError(
        "not an HL7 v2 message: it must start with \"MSH\" and the field separator");
  }
  // MSH-2 runs from after the field separator to the next one or to the end
  // of the MSH segment.
  size_t msh2_end = 4;
  while (msh2_end < raw.size() && raw[msh2_end] != raw[3] && !IsSegmentTerminator(raw[msh2_end])) {
    ++msh2_end;
  }
  auto delimiters = ParseEncodingCharacters(raw.substr(3, msh2_end - 3));
  if (!delimiters.ok()) {
    return SegmentError(
        1, raw,
        fmt::format("invalid encoding characters ({})", std::string(delimiters.status().message())),
        3);
  }

  std::vector<SegmentView> segments;
  size_t start = 0;
  while (start < raw.size()) {
    size_t end = start;
    while (end < raw.size() && !IsSegmentTerminator(raw[end])) ++end;
    std::string_view text = raw.substr(start, end - start);
    if (!text.empty()) {
      bool valid_id = text.size() >= 3 && IsIdCharacter(text[0]) && IsIdCharacter(text[1]) &&
                      IsIdCharacter(text[2]) && (text.size() == 3 || text[3] == delimiters->field);
      if (!valid_id) return SegmentError(segments.size() + 1, text, "invalid segment id", start);
      segments.push_back(SegmentView{text.substr(0, 3), text, start});
    }
    start = end + 1;
  }
  return MessageView(raw, *delimiters, std::move(segments));
}

std::optional<std::string_view> MessageView::Field(size_t index, int field) const {
  if (index >= segments_.size() || field < 1) return std::nullopt;
  std::string_view text = segments_[index].text;
  bool is_msh = segments_[index].id == "MSH";
  if (is_msh && field == 1) return text.substr(3, 1);
  // Items after the id: in MSH the first one is MSH-2, elsewhere field 1.
  int item = is_msh ? field - 1 : field;
  if (text.size() <= 3) return std::nullopt;
  return Piece(text.substr(4), delimiters_.field, item);
}

std::optional<std::string_view> MessageView::Get(const FieldPath& path) const {
  std::optional<std::string_view> found;
  ForEach(path, [&found](std::string_view value) {
    found = value;
    return false;
  });
  return found;
}

bool MessageView::ForEach(const FieldPath& path,
                          const std::function<bool(std::string_view)>& fn) const {
  int instance = 0;
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i].id != path.segment) continue;
    ++instance;
    if (path.segment_index != 0 && instance != path.segment_index) continue;
    std::optional<std::string_view> field = Field(i, path.field);
    if (field.has_value()) {
      bool whole = segments_[i].id == "MSH" && path.field <= 2;
      if (whole) {
        // MSH-1 and MSH-2 hold delimiters: splitting them would be nonsense.
        if (path.repetition <= 1 && path.component <= 1 && path.subcomponent <= 1 && !fn(*field)) {
          return false;
        }
      } else if (!ForEachInField(*field, path, fn)) {
        return false;
      }
    }
    if (path.segment_index != 0) break;
  }
  return true;
}

bool MessageView::ForEachInField(std::string_view field, const FieldPath& path,
                                 const std::function<bool(std::string_view)>& fn) const {
  size_t start = 0;
  for (int repetition = 1;; ++repetition) {
    size_t end = field.find(delimiters_.repetition, start);
    std::string_view value =
        field.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (path.repetition == 0 || path.repetition == repetition) {
      std::optional<std::string_view> part = value;
      if (path.component > 0) part = Piece(*part, delimiters_.component, path.component);
      if (part.has_value() && path.subcomponent > 0) {
        part = Piece(*part, delimiters_.subcomponent, path.subcomponent);
      }
      if (part.has_value() && !fn(*part)) return false;
      if (path.repetition != 0) return true;
    }
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

}  // namespace navette::adapters::hl7v2
