#include "adapters/hl7v2/escape.h"

namespace navette::adapters::hl7v2 {
namespace {

// The letter of the escape sequence for `c`, or 0 when `c` is plain data.
char SequenceLetter(char c, const Delimiters& delimiters) {
  if (c == delimiters.field) return 'F';
  if (c == delimiters.component) return 'S';
  if (c == delimiters.repetition) return 'R';
  if (c == delimiters.subcomponent) return 'T';
  if (c == delimiters.escape) return 'E';
  if (delimiters.truncation != 0 && c == delimiters.truncation) return 'P';
  return 0;
}

// The character escape sequence `letter` stands for, or 0 for other sequences.
char SequenceCharacter(char letter, const Delimiters& delimiters) {
  switch (letter) {
    case 'F':
      return delimiters.field;
    case 'S':
      return delimiters.component;
    case 'R':
      return delimiters.repetition;
    case 'T':
      return delimiters.subcomponent;
    case 'E':
      return delimiters.escape;
    case 'P':
      return delimiters.truncation;
    default:
      return 0;
  }
}

}  // namespace

std::string Escape(std::string_view text, const Delimiters& delimiters) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    char letter = SequenceLetter(c, delimiters);
    if (letter == 0) {
      out.push_back(c);
    } else {
      out.push_back(delimiters.escape);
      out.push_back(letter);
      out.push_back(delimiters.escape);
    }
  }
  return out;
}

std::string Unescape(std::string_view text, const Delimiters& delimiters) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t start = text.find(delimiters.escape, i);
    if (start == std::string_view::npos) break;
    size_t end = text.find(delimiters.escape, start + 1);
    if (end == std::string_view::npos) break;
    out.append(text.substr(i, start - i));
    char replacement = end == start + 2 ? SequenceCharacter(text[start + 1], delimiters) : 0;
    if (replacement != 0) {
      out.push_back(replacement);
    } else {
      out.append(text.substr(start, end - start + 1));  // not ours: keep it whole
    }
    i = end + 1;
  }
  out.append(text.substr(i));
  return out;
}

}  // namespace navette::adapters::hl7v2
