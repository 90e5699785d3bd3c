#include "engine/config/yaml_words.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace navette::engine::config {
namespace {

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Levenshtein distance.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool IsUnsetPlaceholder(const google::protobuf::EnumValueDescriptor& value) {
  return value.number() == 0 && value.name().ends_with("_UNSPECIFIED");
}

}  // namespace

std::optional<std::string> NearestWord(std::string_view written,
                                       const std::vector<std::string>& candidates) {
  const std::string* nearest = nullptr;
  size_t nearest_distance = std::numeric_limits<size_t>::max();
  const std::string lowered = Lowercase(written);
  for (const std::string& candidate : candidates) {
    const size_t distance = EditDistance(lowered, Lowercase(candidate));
    if (distance < nearest_distance) {
      nearest_distance = distance;
      nearest = &candidate;
    }
  }
  if (nearest == nullptr || nearest_distance > 2 || nearest_distance >= written.size()) {
    return std::nullopt;
  }
  return *nearest;
}

std::vector<std::string> EnumWords(const google::protobuf::EnumDescriptor& type) {
  std::vector<std::string> words;
  for (int i = 0; i < type.value_count(); ++i) {
    if (!IsUnsetPlaceholder(*type.value(i))) words.push_back(Lowercase(type.value(i)->name()));
  }
  return words;
}

const google::protobuf::EnumValueDescriptor* FindEnumValue(
    const google::protobuf::EnumDescriptor& type, std::string_view text) {
  const std::string written = Lowercase(text);
  for (int i = 0; i < type.value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor& value = *type.value(i);
    if (!IsUnsetPlaceholder(value) && Lowercase(value.name()) == written) return &value;
  }
  return nullptr;
}

}  // namespace navette::engine::config
