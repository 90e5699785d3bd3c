#include "adapters/hl7v2/delimiters.h"

#include <fmt/format.h>

namespace navette::adapters::hl7v2 {

bool IsLegalDelimiter(char c) {
  // Spelled out rather than std::ispunct, whose answer depends on the locale.
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

absl::StatusOr<Delimiters> ParseEncodingCharacters(std::string_view encoding_characters) {
  if (encoding_characters.size() != 5 && encoding_characters.size() != 6) {
    return absl::InvalidArgumentError(
        fmt::format("MSH-2 must hold 4 or 5 encoding characters, found {}",
                    encoding_characters.empty() ? 0 : encoding_characters.size() - 1));
  }
  for (size_t i = 0; i < encoding_characters.size(); ++i) {
    char c = encoding_characters[i];
    if (!IsLegalDelimiter(c)) {
      return absl::InvalidArgumentError(
          fmt::format("{} {:?} is not allowed: delimiters must be ASCII punctuation",
                      i == 0 ? "field separator" : "encoding character", c));
    }
    for (size_t j = 0; j < i; ++j) {
      if (encoding_characters[j] == c) {
        return absl::InvalidArgumentError(fmt::format("encoding character {:?} is used twice", c));
      }
    }
  }
  Delimiters delimiters;
  delimiters.field = encoding_characters[0];
  delimiters.component = encoding_characters[1];
  delimiters.repetition = encoding_characters[2];
  delimiters.escape = encoding_characters[3];
  delimiters.subcomponent = encoding_characters[4];
  delimiters.truncation = encoding_characters.size() == 6 ? encoding_characters[5] : 0;
  return delimiters;
}

std::string EncodingCharacters(const Delimiters& delimiters) {
  std::string out{delimiters.field, delimiters.component, delimiters.repetition, delimiters.escape,
                  delimiters.subcomponent};
  if (delimiters.truncation != 0) out.push_back(delimiters.truncation);
  return out;
}

}  // namespace navette::adapters::hl7v2
