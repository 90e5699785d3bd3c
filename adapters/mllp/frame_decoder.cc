#include "adapters/mllp/frame_decoder.h"

#include <algorithm>

#include <fmt/format.h>

#include "adapters/mllp/frame.h"

namespace navette::adapters::mllp {
namespace {

bool IsBlankBetweenFrames(char c) { return c == '\r' || c == '\n' || c == ' ' || c == '\t'; }

unsigned Byte(char c) { return static_cast<unsigned char>(c); }

}  // namespace

void FrameDecoder::Feed(std::string_view bytes, std::vector<DecoderEvent>& out) {
  size_t i = 0;
  while (i < bytes.size() && state_ != State::kFailed) {
    switch (state_) {
      case State::kBetweenFrames: {
        char c = bytes[i++];
        if (c == kStartBlock) {
          state_ = State::kInFrame;
          content_.clear();
          frame_bytes_ = 0;
        } else if (!IsBlankBetweenFrames(c)) {
          Fail(fmt::format("byte 0x{:02X} before a start block (0x0B)", Byte(c)), out);
        }
        break;
      }
      case State::kInFrame: {
        // Copy the run of content up to the next control byte in one go.
        size_t stop = bytes.find_first_of(std::string_view("\x0B\x1C", 2), i);
        size_t end = stop == std::string_view::npos ? bytes.size() : stop;
        AppendContent(bytes.substr(i, end - i));
        i = end;
        if (stop == std::string_view::npos) break;
        if (bytes[i++] == kStartBlock) {
          Fail(fmt::format("start block (0x0B) inside a frame after {} bytes", frame_bytes_), out);
        } else {
          state_ = State::kAfterEndBlock;
        }
        break;
      }
      case State::kAfterEndBlock: {
        char c = bytes[i++];
        if (c != kCarriageReturn) {
          Fail(fmt::format("end block (0x1C) followed by 0x{:02X} instead of 0x0D after {} bytes",
                           Byte(c), frame_bytes_),
               out);
          break;
        }
        DecoderEvent event;
        event.kind =
            frame_bytes_ > max_content_bytes_ ? DecoderEvent::kOversize : DecoderEvent::kFrame;
        event.content = std::move(content_);
        event.total_bytes = frame_bytes_;
        out.push_back(std::move(event));
        content_.clear();
        frame_bytes_ = 0;
        state_ = State::kBetweenFrames;
        break;
      }
      case State::kFailed:
        break;
    }
  }
}

void FrameDecoder::Fail(std::string reason, std::vector<DecoderEvent>& out) {
  DecoderEvent event;
  event.kind = DecoderEvent::kGarbage;
  event.total_bytes = frame_bytes_;
  event.reason = std::move(reason);
  out.push_back(std::move(event));
  content_.clear();
  content_.shrink_to_fit();
  state_ = State::kFailed;
}

void FrameDecoder::AppendContent(std::string_view bytes) {
  frame_bytes_ += bytes.size();
  if (frame_bytes_ <= max_content_bytes_) {
    content_.append(bytes);
    return;
  }
  // Over the limit: keep only the prefix an oversize refusal needs.
  size_t keep = std::min(max_content_bytes_, kOversizePrefixBytes);
  if (content_.size() < keep) {
    content_.append(bytes.substr(0, keep - content_.size()));
  } else if (content_.size() > keep) {
    content_.resize(keep);
    content_.shrink_to_fit();
  }
}

}  // namespace navette::adapters::mllp
