// Incremental decoder of the MLLP framing (HL7 v2 Minimal Lower Layer
// Protocol, release 2 block format):
//
//   <VT 0x0B> content <FS 0x1C><CR 0x0D>
//
// The content is one HL7 message (segments ending with CR). Frames follow
// each other on the byte stream; TCP gives no boundaries, so a frame can
// arrive split over any number of reads and one read can hold several frames.
//
// How deviations are treated, and why:
//   - CR, LF, space and tab between frames are ignored: some senders end a
//     frame with an extra newline.
//   - Any other byte between frames, a VT inside a frame, or an FS not
//     followed by CR is kGarbage: the stream can no longer be trusted to be
//     in step, so the decoder stops (every later byte is ignored) and the
//     connection must be closed.
//   - Content longer than the limit is not kept: the decoder keeps a prefix
//     (enough to read MSH and refuse the message properly), discards the rest
//     up to the end block and reports kOversize, after which the next frame is
//     decoded normally, so the connection stays usable.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace navette::adapters::mllp {

struct DecoderEvent {
  enum Kind { kFrame, kOversize, kGarbage };
  Kind kind = kFrame;
  // kFrame: the whole content. kOversize: its first min(limit, 64 KiB) bytes.
  // kGarbage: empty.
  std::string content;
  // Content bytes of the frame (for kGarbage: received so far in the frame).
  size_t total_bytes = 0;
  // kGarbage only: what was wrong, for the log (never content).
  std::string reason;
};

class FrameDecoder {
 public:
  // The most bytes of content kept for a kOversize event.
  static constexpr size_t kOversizePrefixBytes = 64 * 1024;

  explicit FrameDecoder(size_t max_content_bytes) : max_content_bytes_(max_content_bytes) {}

  // Decodes `bytes`, appending one event per complete frame or error to `out`.
  void Feed(std::string_view bytes, std::vector<DecoderEvent>& out);

  // A frame has started and not ended (used to report truncation on close).
  bool in_frame() const { return state_ == State::kInFrame || state_ == State::kAfterEndBlock; }
  // Content bytes received so far in the current frame.
  size_t frame_bytes() const { return frame_bytes_; }
  // A kGarbage event was emitted; further input is ignored.
  bool failed() const { return state_ == State::kFailed; }

 private:
  enum class State { kBetweenFrames, kInFrame, kAfterEndBlock, kFailed };

  void Fail(std::string reason, std::vector<DecoderEvent>& out);
  void AppendContent(std::string_view bytes);

  const size_t max_content_bytes_;
  State state_ = State::kBetweenFrames;
  std::string content_;  // kept content of the current frame
  size_t frame_bytes_ = 0;
};

}  // namespace navette::adapters::mllp
