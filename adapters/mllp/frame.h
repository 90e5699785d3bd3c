// MLLP frame bytes and the encoder; frame_decoder.h documents the framing and
// how the decoder treats peers that break it.
#pragma once

#include <string>
#include <string_view>

namespace navette::adapters::mllp {

inline constexpr char kStartBlock = 0x0B;      // VT
inline constexpr char kEndBlock = 0x1C;        // FS
inline constexpr char kCarriageReturn = 0x0D;  // CR, second byte of the end

// <VT> content <FS><CR>. The content is not checked: an HL7 message never
// holds VT or FS, and a caller that sends them gets what it asked for.
inline std::string EncodeFrame(std::string_view content) {
  std::string frame;
  frame.reserve(content.size() + 3);
  frame.push_back(kStartBlock);
  frame.append(content);
  frame.push_back(kEndBlock);
  frame.push_back(kCarriageReturn);
  return frame;
}

}  // namespace navette::adapters::mllp
