// The separator and escape characters of an HL7 v2 message, as MSH-1 and MSH-2
// declare them.
//
// Encoding characters (the format of Hl7Header.encoding_characters): the field
// separator (MSH-1) followed by MSH-2, which lists in this order the component
// separator, the repetition separator, the escape character, the subcomponent
// separator and, from v2.7 on, an optional truncation character:
//
//   |^~\&      the usual set
//   |^~\&#     with the v2.7 truncation character
//   *^~\&      any other legal set
//
// A legal set is 5 or 6 distinct ASCII punctuation characters. HL7 only forbids
// letters, digits and the segment terminator; navette also refuses spaces,
// control characters and non-ASCII bytes, which would be ambiguous in the
// multi-byte character sets French systems use (UTF-8, ISO 8859-15).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace navette::adapters::hl7v2 {

struct Delimiters {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  char truncation = 0;  // 0 when MSH-2 has no fifth character

  bool operator==(const Delimiters&) const = default;
};

// Reads "field separator + MSH-2"; the error says which character is wrong.
absl::StatusOr<Delimiters> ParseEncodingCharacters(std::string_view encoding_characters);

// The inverse of ParseEncodingCharacters: "|^~\&" (or "|^~\&#").
std::string EncodingCharacters(const Delimiters& delimiters);

// True for the characters a legal set may use (ASCII punctuation).
bool IsLegalDelimiter(char c);

}  // namespace navette::adapters::hl7v2
