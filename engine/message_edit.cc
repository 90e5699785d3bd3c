#include "engine/message_edit.h"

#include <utility>
#include <variant>

#include <fmt/format.h>

#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/field_diff.h"
#include "adapters/mllp/client.h"
#include "adapters/mllp/frame_intake.h"

namespace navette::engine {

absl::StatusOr<EditedMessage> BuildEditedMessage(
    const store::StoredMessage& original, std::string_view corrected_text, std::string_view actor,
    std::optional<adapters::documents::Profile> profile,
    std::chrono::system_clock::time_point now) {
  namespace hl7v2 = adapters::hl7v2;
  const navette::Envelope& before = original.envelope();
  const std::string text = adapters::mllp::NormalizeSegmentTerminators(corrected_text);
  // The charset the corrected text declares (MSH-18), else the original's:
  // what TakeFrame would assume for it with the original as default.
  auto charset = hl7v2::MessageCharset(text, before.charset());
  if (!charset.ok()) return absl::InvalidArgumentError(charset.status().message());
  auto bytes = hl7v2::EncodeFromUtf8(text, *charset);
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(fmt::format("the edited message cannot be written in {}: {}",
                                                  hl7v2::CharsetName(*charset),
                                                  std::string(bytes.status().message())));
  }
  // The fields changed, compared as text: the original decoded as shown.
  auto shown = hl7v2::DecodeMessage(before.raw(), before.charset());
  if (!shown.ok()) {
    return absl::FailedPreconditionError(
        fmt::format("the original cannot be read as text to compare: {}",
                    std::string(shown.status().message())));
  }
  auto changes = hl7v2::FieldChangeSummary(shown->text, text);
  if (!changes.ok()) return changes.status();
  if (changes->empty()) {
    return absl::InvalidArgumentError("the edited message changes no field of the original");
  }

  adapters::mllp::DecoderEvent frame;
  frame.kind = adapters::mllp::DecoderEvent::kFrame;
  frame.total_bytes = bytes->size();
  frame.content = *std::move(bytes);
  const std::string peer = fmt::format("edit by {}", actor);
  adapters::mllp::FrameOrigin origin{.source = before.source(),
                                     .peer = peer,
                                     .default_charset = before.charset(),
                                     .max_message_bytes = 0,
                                     .received_at = now,
                                     .profile = profile};
  auto taken = adapters::mllp::TakeFrame(std::move(frame), origin);
  if (auto* refusal = std::get_if<adapters::mllp::Refusal>(&taken)) {
    return absl::InvalidArgumentError(
        fmt::format("the edited message is refused: {}", refusal->reason));
  }
  EditedMessage edited;
  edited.envelope = std::get<navette::Envelope>(std::move(taken));
  edited.changes = *std::move(changes);
  return edited;
}

}  // namespace navette::engine
