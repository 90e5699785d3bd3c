// Text that came from the network (an MSH-10, a peer's error body, a request
// path) made safe for one log line or a terminal: a sender must not be able to
// ring the bell, move the cursor, recolour an operator's terminal or forge a
// second log line.
//
//   byte or character                       written as
//   C0 controls (0x00-0x1F, TAB, CR, LF)    \xHH
//   DEL (0x7F)                              \x7F
//   C1 controls (U+0080-U+009F)             \u0080 .. \u009F
//   a byte that is not part of valid UTF-8  \xHH
//   a backslash                             itself, so that HL7 escapes such
//                                           as \T\ stay readable
//   anything else (valid UTF-8)             itself
//
// Header-only: used by every layer, the CLI included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace navette {

namespace printable_internal {

// Length of the valid UTF-8 sequence starting at text[i], 0 if invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
inline size_t Utf8SequenceLength(std::string_view text, size_t i, uint32_t* code_point) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t lead = byte(i);
  size_t length = 0;
  uint32_t value = 0;
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    value = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    value = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  if ((length == 3 && value < 0x800) || (length == 4 && value < 0x10000) || value > 0x10FFFF ||
      (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  *code_point = value;
  return length;
}

inline void AppendHex(std::string& out, std::string_view prefix, unsigned value, int digits) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.append(prefix);
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out.push_back(kHex[(value >> shift) & 0xF]);
}

}  // namespace printable_internal

// `text` with every control character and invalid byte escaped (table above).
// When `max_bytes` is non-zero, at most that many input bytes are shown,
// followed by "..." if more were cut.
inline std::string Printable(std::string_view text, size_t max_bytes = 0) {
  using printable_internal::AppendHex;
  const bool cut = max_bytes != 0 && text.size() > max_bytes;
  if (cut) text = text.substr(0, max_bytes);
  std::string out;
  out.reserve(text.size() + (cut ? 3 : 0));
  for (size_t i = 0; i < text.size();) {
    uint32_t code_point = 0;
    const size_t length = printable_internal::Utf8SequenceLength(text, i, &code_point);
    if (length == 0) {  // not UTF-8 (or a sequence cut by max_bytes)
      AppendHex(out, "\\x", static_cast<uint8_t>(text[i]), 2);
      ++i;
      continue;
    }
    if (code_point < 0x20 || code_point == 0x7F) {
      AppendHex(out, "\\x", code_point, 2);
    } else if (code_point >= 0x80 && code_point <= 0x9F) {
      AppendHex(out, "\\u", code_point, 4);
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  if (cut) out += "...";
  return out;
}

}  // namespace navette
