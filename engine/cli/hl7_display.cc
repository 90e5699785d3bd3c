#include "engine/cli/hl7_display.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/printable.h"

namespace navette::engine::cli {
namespace {

// The field separator MSH-1 declares, '|' when the text does not start with
// an MSH segment.
char FieldSeparator(std::string_view text) {
  return text.size() > 3 && text.substr(0, 3) == "MSH" ? text[3] : '|';
}

// At most `keep` bytes of `field`, not cutting a UTF-8 sequence in two.
std::string_view StartOf(std::string_view field, size_t keep) {
  size_t end = std::min(keep, field.size());
  // Back over continuation bytes (10xxxxxx) to the start of a character.
  while (end > 0 && end < field.size() && (static_cast<unsigned char>(field[end]) & 0xC0) == 0x80) {
    --end;
  }
  return field.substr(0, end);
}

std::string Folded(std::string_view segment, char separator) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t end = segment.find(separator, start);
    if (end == std::string_view::npos) end = segment.size();
    const std::string_view field = segment.substr(start, end - start);
    if (field.size() > kFoldOver) {
      out += StartOf(field, kFoldKeep);
      out += fmt::format("\u2026 ({} bytes, use --raw to see all)", field.size());
    } else {
      out += field;
    }
    if (end == segment.size()) break;
    out.push_back(separator);
    start = end + 1;
  }
  return out;
}

}  // namespace

std::vector<std::string> DisplaySegments(std::string_view text, bool raw) {
  const char separator = FieldSeparator(text);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view segment = text.substr(start, end - start);
    if (!segment.empty())
      lines.push_back(raw ? Printable(segment) : Printable(Folded(segment, separator)));
    start = end + 1;
  }
  return lines;
}

}  // namespace navette::engine::cli
