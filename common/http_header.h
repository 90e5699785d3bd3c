// Whether a configured HTTP header may be sent as is: the configuration check
// and the http destination apply the same rule.
#pragma once

#include <string_view>

namespace navette {

// A header name is an HTTP token and a value holds no line break: anything
// else would let one configured header smuggle others in.
inline bool IsValidHttpHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == ':' || c == ';') return false;
  }
  return value.find_first_of("\r\n") == std::string_view::npos;
}

}  // namespace navette
