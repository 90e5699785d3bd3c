#include "adapters/documents/hl7_fields.h"

#include <fmt/format.h>

#include "adapters/hl7v2/field_path.h"

namespace navette::adapters::documents {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// U+00A0 in UTF-8: the MDM sample pads PRT-8.10 with no-break spaces.
constexpr std::string_view kNoBreakSpace = "\xC2\xA0";

std::string_view Trim(std::string_view text) {
  while (true) {
    if (!text.empty() && IsBlank(text.front())) {
      text.remove_prefix(1);
    } else if (text.starts_with(kNoBreakSpace)) {
      text.remove_prefix(kNoBreakSpace.size());
    } else if (!text.empty() && IsBlank(text.back())) {
      text.remove_suffix(1);
    } else if (text.ends_with(kNoBreakSpace)) {
      text.remove_suffix(kNoBreakSpace.size());
    } else {
      return text;
    }
  }
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string FieldValue(const hl7v2::Message& message, std::string_view id, int occurrence,
                       int field, int repetition, int component, int subcomponent) {
  hl7v2::FieldPath path =
      hl7v2::FieldPath::Of(std::string(id), field, repetition, component, subcomponent);
  path.segment_index = occurrence;
  std::optional<std::string> value = message.Get(path);
  if (!value) return "";
  return std::string(Trim(*value));
}

int CountSegments(const hl7v2::Message& message, std::string_view id) {
  int count = 0;
  for (size_t i = 0; i < message.segment_count(); ++i) {
    if (message.segment_id(i) == id) ++count;
  }
  return count;
}

std::string Location(std::string_view id, int occurrence, int field) {
  return fmt::format("{}^{}^{}", id, occurrence, field);
}

bool SameText(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

}  // namespace navette::adapters::documents
