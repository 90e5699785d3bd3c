#include "adapters/hl7v2/field_path.h"

#include <cctype>

#include <fmt/format.h>

namespace navette::adapters::hl7v2 {
namespace {

// A small cursor over the path text so that errors can name the position.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  size_t pos() const { return pos_; }

  // Reads a positive decimal number (no sign, no leading zero, at most 5
  // digits: HL7 numbers nothing beyond that).
  absl::StatusOr<int> Number(std::string_view what) {
    size_t start = pos_;
    int value = 0;
    while (!AtEnd() && std::isdigit(static_cast<unsigned char>(Peek())) && pos_ - start < 6) {
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
    }
    if (pos_ == start || value == 0 || pos_ - start > 5) {
      return Error(fmt::format("expected a {} (a number from 1)", what), start);
    }
    return value;
  }

  absl::Status Error(std::string_view message, size_t at) const {
    return absl::InvalidArgumentError(
        fmt::format("field path \"{}\": {} at character {}", text_, message, at + 1));
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

absl::StatusOr<int> OptionalIndex(Cursor& cursor, std::string_view what) {
  if (!cursor.Consume('[')) return 0;
  auto value = cursor.Number(what);
  if (!value.ok()) return value.status();
  if (!cursor.Consume(']')) return cursor.Error("expected ']'", cursor.pos());
  return *value;
}

}  // namespace

absl::StatusOr<FieldPath> FieldPath::Parse(std::string_view text) {
  Cursor cursor(text);
  FieldPath path;
  for (int i = 0; i < 3; ++i) {
    char c = cursor.Peek();
    if (!(std::isupper(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)))) {
      return cursor.Error("expected a three-character segment name such as PID", cursor.pos());
    }
    path.segment.push_back(c);
    cursor.Consume(c);
  }
  auto segment_index = OptionalIndex(cursor, "segment index");
  if (!segment_index.ok()) return segment_index.status();
  path.segment_index = *segment_index;
  if (!cursor.Consume('-'))
    return cursor.Error("expected '-' before the field number", cursor.pos());
  auto field = cursor.Number("field number");
  if (!field.ok()) return field.status();
  path.field = *field;
  auto repetition = OptionalIndex(cursor, "repetition index");
  if (!repetition.ok()) return repetition.status();
  path.repetition = *repetition;
  if (cursor.Consume('.')) {
    auto component = cursor.Number("component number");
    if (!component.ok()) return component.status();
    path.component = *component;
    if (cursor.Consume('.')) {
      auto subcomponent = cursor.Number("subcomponent number");
      if (!subcomponent.ok()) return subcomponent.status();
      path.subcomponent = *subcomponent;
    }
  }
  if (!cursor.AtEnd()) return cursor.Error("unexpected character", cursor.pos());
  return path;
}

std::string FieldPath::ToString() const {
  std::string out = segment;
  if (segment_index > 0) out += fmt::format("[{}]", segment_index);
  out += fmt::format("-{}", field);
  if (repetition > 0) out += fmt::format("[{}]", repetition);
  if (component > 0) out += fmt::format(".{}", component);
  if (subcomponent > 0) out += fmt::format(".{}", subcomponent);
  return out;
}

}  // namespace navette::adapters::hl7v2
