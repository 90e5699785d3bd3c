// ISO 9660 level-1 names for the documents of an XDM subset. Titles are
// French, so folding the Latin-1 and Latin Extended-A letters to their base
// letter is what makes "Échographie" read ECHOGRAP rather than _CHOGRAP;
// other scripts have no ASCII reading and become separators.
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/mssante/xdm/xdm_package.h"

namespace navette::adapters::mssante::xdm {
namespace {

constexpr size_t kStemLength = 8;
constexpr size_t kExtensionLength = 3;
constexpr char kEmptyStem[] = "DOC";

// U+00C0..U+00FF, one entry per code point: the upper-case ASCII letters it
// folds to, or "" for a symbol (× and ÷), which separates like punctuation.
constexpr std::string_view kLatin1[64] = {
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I",  "I",
    "D", "N", "O", "O", "O", "O", "O",  "",  "O", "U", "U", "U", "U", "Y", "TH", "SS",
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I",  "I",
    "D", "N", "O", "O", "O", "O", "O",  "",  "O", "U", "U", "U", "U", "Y", "TH", "Y"};

// U+0100..U+017F (Latin Extended-A) by ranges of the same base letter.
struct Range {
  char32_t last;
  std::string_view ascii;
};
constexpr Range kLatinExtendedA[] = {
    {0x0105, "A"}, {0x010D, "C"},  {0x0111, "D"}, {0x011B, "E"}, {0x0123, "G"}, {0x0127, "H"},
    {0x0131, "I"}, {0x0133, "IJ"}, {0x0135, "J"}, {0x0138, "K"}, {0x0142, "L"}, {0x014B, "N"},
    {0x0151, "O"}, {0x0153, "OE"}, {0x0159, "R"}, {0x0161, "S"}, {0x0167, "T"}, {0x0173, "U"},
    {0x0175, "W"}, {0x0178, "Y"},  {0x017E, "Z"}, {0x017F, "S"}};

// The next code point of `text` from `*pos`, advancing past it; U+FFFD for
// a byte that does not start a well-formed sequence (it separates).
char32_t NextCodePoint(std::string_view text, size_t* pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(*pos);
  size_t length = 0;
  char32_t value = 0;
  if (lead < 0x80) {
    ++*pos;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    value = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    value = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    value = lead & 0x07;
  } else {
    ++*pos;
    return 0xFFFD;
  }
  if (*pos + length > text.size()) {
    ++*pos;
    return 0xFFFD;
  }
  for (size_t i = 1; i < length; ++i) {
    if ((byte(*pos + i) & 0xC0) != 0x80) {
      ++*pos;
      return 0xFFFD;
    }
    value = (value << 6) | (byte(*pos + i) & 0x3F);
  }
  *pos += length;
  return value;
}

// What a code point contributes: its ASCII letters, "" to drop it (a
// combining accent of decomposed text), or "_" to separate.
std::string_view Fold(char32_t c) {
  static constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  static constexpr std::string_view kDigits = "0123456789";
  if (c >= 'a' && c <= 'z') return kUpper.substr(c - 'a', 1);
  if (c >= 'A' && c <= 'Z') return kUpper.substr(c - 'A', 1);
  if (c >= '0' && c <= '9') return kDigits.substr(c - '0', 1);
  if (c >= 0x00C0 && c <= 0x00FF) {
    std::string_view letters = kLatin1[c - 0x00C0];
    return letters.empty() ? "_" : letters;
  }
  if (c >= 0x0100 && c <= 0x017F) {
    for (const Range& range : kLatinExtendedA) {
      if (c <= range.last) return range.ascii;
    }
  }
  if (c >= 0x0300 && c <= 0x036F) return "";
  return "_";
}

// Folded, separators collapsed and trimmed, cut to `limit`, trimmed again
// (a cut may end on a separator).
std::string Component(std::string_view text, size_t limit) {
  std::string out;
  for (size_t pos = 0; pos < text.size();) {
    std::string_view folded = Fold(NextCodePoint(text, &pos));
    if (folded == "_" && (out.empty() || out.back() == '_')) continue;
    out.append(folded);
  }
  if (out.size() > limit) out.resize(limit);
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string Join(std::string_view stem, std::string_view extension) {
  std::string name(stem);
  if (!extension.empty()) {
    name += '.';
    name += extension;
  }
  return name;
}

}  // namespace

std::string EightDotThreeName(std::string_view stem_hint, std::string_view extension,
                              std::set<std::string>* taken) {
  std::string stem = Component(stem_hint, kStemLength);
  if (stem.empty()) stem = kEmptyStem;
  const std::string ext = Component(extension, kExtensionLength);
  std::string name = Join(stem, ext);
  // Each loop turn skips one name of `taken`, so a free one comes within
  // taken->size() + 1 tries, long before a suffix needs 8 digits.
  for (uint64_t n = 1; taken->count(name) != 0; ++n) {
    const std::string suffix = std::to_string(n);
    name = Join(stem.substr(0, kStemLength - suffix.size()) + suffix, ext);
  }
  taken->insert(name);
  return name;
}

}  // namespace navette::adapters::mssante::xdm
