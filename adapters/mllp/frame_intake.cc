#include "adapters/mllp/frame_intake.h"

#include <optional>

#include <fmt/format.h>

#include "adapters/hl7v2/ack.h"
#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/header.h"
#include "adapters/hl7v2/message_view.h"
#include "adapters/mllp/ack_control_id.h"

namespace navette::adapters::mllp {
namespace {

using hl7v2::AckCode;
using hl7v2::AckError;

constexpr int kSegmentSequenceError = 100;
constexpr int kRequiredFieldMissing = 101;
constexpr int kDataTypeError = 102;
constexpr int kTableValueNotFound = 103;
constexpr int kApplicationInternalError = 207;

Refusal Refuse(std::string_view kind, const navette::Hl7Header* header, int condition_code,
               std::string reason, std::string location = "", AckCode code = AckCode::kAR) {
  AckError error{condition_code, std::move(reason), std::move(location)};
  Refusal refusal;
  refusal.kind = kind;
  refusal.ack =
      hl7v2::BuildAck(header, code, &error, NextAckControlId(), std::chrono::system_clock::now());
  refusal.reason = std::move(error.text);
  if (header != nullptr) refusal.control_id = header->control_id();
  return refusal;
}

// The header of an oversize message, read from the MSH segment of the kept
// prefix; nullopt when MSH does not end within the prefix (a cut MSH-10 would
// acknowledge the wrong message).
std::optional<navette::Hl7Header> HeaderOfPrefix(std::string_view prefix) {
  size_t end = prefix.find_first_of("\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  auto view = hl7v2::MessageView::Parse(prefix.substr(0, end));
  if (!view.ok()) return std::nullopt;
  return hl7v2::ReadHeaderFields(*view);
}

Refusal RefuseOversize(const DecoderEvent& event, const FrameOrigin& origin) {
  std::optional<navette::Hl7Header> header = HeaderOfPrefix(event.content);
  return Refuse("too_large", header ? &*header : nullptr, kApplicationInternalError,
                fmt::format("message of {} bytes exceeds the limit of {} bytes", event.total_bytes,
                            origin.max_message_bytes));
}

// Reads the message under the source's profile: the record to carry in the
// envelope, or the refusal of the first violation (the others are in the
// log line's reason count). Values are read in UTF-8.
std::optional<Refusal> ApplyContract(navette::Envelope& envelope, hl7v2::Charset charset,
                                     documents::Profile profile,
                                     const navette::Hl7Header& raw_header) {
  auto text = hl7v2::DecodeToUtf8(envelope.raw(), charset);
  if (!text.ok()) {
    return Refuse("bad_encoding", &raw_header, kDataTypeError,
                  fmt::format("the message is not valid {}: {}", hl7v2::CharsetName(charset),
                              std::string(text.status().message())));
  }
  documents::ContractResult result = documents::ReadDocument(*text, profile);
  if (result.ok()) {
    *envelope.mutable_document() = std::move(result.record);
    return std::nullopt;
  }
  const documents::Violation& first = result.violations.front();
  AckError error = documents::AckErrorOf(first);
  Refusal refusal;
  refusal.kind = "contract";
  refusal.ack = hl7v2::BuildAck(&raw_header, first.ack, &error, NextAckControlId(),
                                std::chrono::system_clock::now());
  refusal.reason = result.violations.size() == 1
                       ? first.reason
                       : fmt::format("{} (and {} more contract violations)", first.reason,
                                     result.violations.size() - 1);
  refusal.control_id = raw_header.control_id();
  return refusal;
}

// Whether the message is one the document contract reads (ORU, MDM): MSH-9's
// first component, split on the message's own component separator.
bool CoveredByContract(const navette::Hl7Header& header) {
  const char separator =
      header.encoding_characters().size() > 1 ? header.encoding_characters()[1] : '^';
  const std::string& type = header.message_type();
  return documents::CoveredByContract(std::string_view(type).substr(0, type.find(separator)));
}

}  // namespace

std::variant<navette::Envelope, Refusal> TakeFrame(DecoderEvent event, const FrameOrigin& origin) {
  if (event.kind == DecoderEvent::kOversize) return RefuseOversize(event, origin);

  std::string_view content = event.content;
  if (content.find_last_not_of("\r\n") == std::string_view::npos) {
    return Refuse("empty", nullptr, kSegmentSequenceError, "empty message: no MSH segment");
  }
  auto view = hl7v2::MessageView::Parse(content);
  if (!view.ok()) {
    return Refuse("not_hl7", nullptr, kSegmentSequenceError, std::string(view.status().message()));
  }
  std::string location;
  auto raw_header = hl7v2::ReadHeader(*view, &location);
  if (!raw_header.ok()) {
    navette::Hl7Header partial = hl7v2::ReadHeaderFields(*view);
    return Refuse("bad_header", &partial, kRequiredFieldMissing,
                  std::string(raw_header.status().message()), location);
  }
  // From here on refusals echo the sender's own bytes: `raw_header`.
  const std::string declared = hl7v2::ReadCharset(*view);
  auto charset = hl7v2::CharsetFromName(declared.empty() ? origin.default_charset : declared);
  if (!charset.ok()) {
    if (declared.empty()) {
      return Refuse("bad_charset", &*raw_header, kApplicationInternalError,
                    fmt::format("MSH-18 is empty and the source's default_charset is unusable: {}",
                                std::string(charset.status().message())),
                    "", AckCode::kAE);
    }
    return Refuse(
        "bad_charset", &*raw_header, kTableValueNotFound,
        fmt::format("MSH-18 (character set): {}", std::string(charset.status().message())),
        "MSH^1^18");
  }
  auto header = hl7v2::DecodeHeaderFields(*view, *charset, &location);
  if (!header.ok()) {
    return Refuse("bad_encoding", &*raw_header, kDataTypeError,
                  std::string(header.status().message()), location);
  }

  navette::Envelope envelope;
  envelope.set_source(std::string(origin.source));
  envelope.set_received_at_us(
      std::chrono::duration_cast<std::chrono::microseconds>(origin.received_at.time_since_epoch())
          .count());
  envelope.set_content_type(std::string(kContentType));
  envelope.set_charset(std::string(hl7v2::CharsetName(*charset)));
  *envelope.mutable_hl7() = *std::move(header);
  envelope.set_peer(std::string(origin.peer));
  // Last: `view` points into the content that moves here.
  envelope.set_raw(std::move(event.content));
  if (origin.profile && CoveredByContract(envelope.hl7())) {
    if (auto refusal = ApplyContract(envelope, *charset, *origin.profile, *raw_header)) {
      return *std::move(refusal);
    }
  }
  return envelope;
}

std::string PublishAck(const navette::Hl7Header& header, std::string_view charset,
                       const absl::Status& status) {
  auto now = std::chrono::system_clock::now();
  std::string ack;
  if (status.ok()) {
    ack = hl7v2::BuildAck(&header, AckCode::kAA, nullptr, NextAckControlId(), now);
  } else if (absl::IsInvalidArgument(status)) {
    AckError error{kApplicationInternalError, std::string(status.message()), ""};
    ack = hl7v2::BuildAck(&header, AckCode::kAR, &error, NextAckControlId(), now);
  } else if (absl::IsResourceExhausted(status)) {
    // Intake paused: the engine's own words say why and when to send again.
    AckError error{kApplicationInternalError, std::string(status.message()), ""};
    ack = hl7v2::BuildAck(&header, AckCode::kAE, &error, NextAckControlId(), now);
  } else {
    AckError error{kApplicationInternalError, "message could not be stored; send it again", ""};
    ack = hl7v2::BuildAck(&header, AckCode::kAE, &error, NextAckControlId(), now);
  }
  // The header was decoded from `charset`, and navette's own text is ASCII:
  // encoding back cannot fail for an envelope TakeFrame built. Should it
  // fail anyway, the UTF-8 ACK still answers the message.
  auto encoding = hl7v2::CharsetFromName(charset);
  if (!encoding.ok()) return ack;
  auto encoded = hl7v2::EncodeFromUtf8(ack, *encoding);
  return encoded.ok() ? *std::move(encoded) : ack;
}

}  // namespace navette::adapters::mllp
