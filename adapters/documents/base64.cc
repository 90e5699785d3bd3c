#include "adapters/documents/base64.h"

#include <cstdint>

namespace navette::adapters::documents {
namespace {

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Decodes `text` (alphabet characters only, no padding) whose length mod 4
// is not 1.
std::string DecodeGroups(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    bits = (bits << 6) | static_cast<uint32_t>(Sextet(c));
    if (++count == 4) {
      out.push_back(static_cast<char>((bits >> 16) & 0xff));
      out.push_back(static_cast<char>((bits >> 8) & 0xff));
      out.push_back(static_cast<char>(bits & 0xff));
      bits = 0;
      count = 0;
    }
  }
  if (count == 2) {
    out.push_back(static_cast<char>((bits >> 4) & 0xff));
  } else if (count == 3) {
    out.push_back(static_cast<char>((bits >> 10) & 0xff));
    out.push_back(static_cast<char>((bits >> 2) & 0xff));
  }
  return out;
}

// The length of the leading run of alphabet characters.
size_t AlphabetRun(std::string_view text) {
  size_t n = 0;
  while (n < text.size() && Sextet(text[n]) >= 0) ++n;
  return n;
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
  size_t run = AlphabetRun(text);
  std::string_view padding = text.substr(run);
  if (padding.size() > 2 || padding.find_first_not_of('=') != std::string_view::npos) {
    return std::nullopt;
  }
  if (!padding.empty() && (run + padding.size()) % 4 != 0) return std::nullopt;
  if (run % 4 == 1) return std::nullopt;
  return DecodeGroups(text.substr(0, run));
}

std::string DecodeBase64Prefix(std::string_view text) {
  size_t run = AlphabetRun(text);
  if (run % 4 == 1) --run;
  return DecodeGroups(text.substr(0, run));
}

}  // namespace navette::adapters::documents
