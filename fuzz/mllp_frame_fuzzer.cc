// Fuzzes the MLLP frame decoder with arbitrary byte streams cut into
// arbitrary reads: decoding the stream in pieces must give exactly the events
// of decoding it in one read (TCP gives no boundaries), and no event may be
// larger than the decoder's limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "adapters/mllp/frame_decoder.h"

namespace {

using navette::adapters::mllp::DecoderEvent;
using navette::adapters::mllp::FrameDecoder;

// Small, so that the oversize path is reached as often as the normal one.
constexpr size_t kLimit = 256;

void Check(bool invariant) {
  if (!invariant) std::abort();
}

bool Same(const std::vector<DecoderEvent>& a, const std::vector<DecoderEvent>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].kind != b[i].kind || a[i].content != b[i].content ||
        a[i].total_bytes != b[i].total_bytes) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte chooses how the rest is cut into reads.
  const size_t step = 1 + data[0] % 17;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);

  FrameDecoder whole(kLimit);
  std::vector<DecoderEvent> at_once;
  whole.Feed(stream, at_once);

  FrameDecoder pieces(kLimit);
  std::vector<DecoderEvent> piecewise;
  for (size_t at = 0; at < stream.size(); at += step) {
    pieces.Feed(stream.substr(at, step), piecewise);
  }
  Check(Same(at_once, piecewise));
  Check(whole.failed() == pieces.failed() && whole.in_frame() == pieces.in_frame());
  for (const DecoderEvent& event : at_once) {
    if (event.kind == DecoderEvent::kFrame) Check(event.content.size() <= kLimit);
    if (event.kind == DecoderEvent::kOversize) Check(event.content.size() <= kLimit);
  }
  return 0;
}
