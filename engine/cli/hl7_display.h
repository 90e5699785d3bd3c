// How the CLI prints an HL7 v2 message for a person (`messages show`): one
// segment a line, each field longer than kFoldOver bytes folded to its first
// kFoldKeep bytes and a note of its size (a base64 OBX-5 carrying a CDA
// document is hundreds of kilobytes on one line), and every control
// character escaped (navette::Printable) so that a sender cannot drive the
// operator's terminal.
//
//   OBX|1|ED|11502-2^CR^LN||^TEXT^XML^Base64^PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0iVVRGLTgiPz4…
//     … (609005 bytes, use --raw to see all)|||||F
//
// (shown on two lines here; printed on one). The segments are split first
// (on CR or LF), then each is folded and escaped, so that the terminators do
// not come out as \x0D.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace navette::engine::cli {

// A field is folded when longer than this many bytes...
inline constexpr size_t kFoldOver = 256;
// ...to its first this many bytes (cut on a UTF-8 character boundary).
inline constexpr size_t kFoldKeep = 64;

// The lines to print for `text` (UTF-8, segments ended by CR or LF), without
// their line ends; empty segments are skipped. `raw`: no folding (the
// escaping stays).
std::vector<std::string> DisplaySegments(std::string_view text, bool raw);

}  // namespace navette::engine::cli
