// Base64 (RFC 4648 alphabet) as HL7 ED values carry it: padding optional.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace navette::adapters::documents {

// The decoded bytes; nullopt when `text` is not base64 (a character outside
// the alphabet, padding before the end, or a length that cannot encode
// whole bytes).
std::optional<std::string> DecodeBase64(std::string_view text);

// What decodes of a cut value: the bytes of the longest prefix that is
// valid base64 (whole groups of four, then a last group of two or three).
std::string DecodeBase64Prefix(std::string_view text);

}  // namespace navette::adapters::documents
