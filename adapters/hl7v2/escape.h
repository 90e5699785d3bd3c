// HL7 v2 escape sequences for the message's own delimiters.
//
// Inside a field, a delimiter that is data is written as an escape sequence
// between two escape characters (shown here with the usual '\'):
//
//   \F\  field separator        \S\  component separator
//   \R\  repetition separator   \T\  subcomponent separator
//   \E\  escape character       \P\  truncation character (v2.7, when set)
//
// Other sequences (formatting such as \.br\, hexadecimal data \X0D\, character
// set switches \C..\, highlighting \H\ \N\) are not delimiters: Unescape keeps
// them as they are, for a later layer that knows what to do with them.
#pragma once

#include <string>
#include <string_view>

#include "adapters/hl7v2/delimiters.h"

namespace navette::adapters::hl7v2 {

// Escapes every delimiter in `text` so that it can be placed in a field,
// component or subcomponent.
std::string Escape(std::string_view text, const Delimiters& delimiters);

// Replaces the delimiter escape sequences by the characters they stand for.
// An escape character with no closing one is kept as is.
std::string Unescape(std::string_view text, const Delimiters& delimiters);

}  // namespace navette::adapters::hl7v2
