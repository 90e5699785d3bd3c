#include "routes/codes/oru_codes.h"

#include <string>

#include <fmt/format.h>

#include "common/fmt_absl.h"

#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/message.h"

namespace navette::routes::codes {
namespace {

namespace hl7v2 = adapters::hl7v2;

// OBX[n]-field[1].component.
hl7v2::FieldPath ObxPath(int obx, int field, int component = 0) {
  hl7v2::FieldPath path = hl7v2::FieldPath::Of("OBX", field, 1, component);
  path.segment_index = obx;
  return path;
}

std::string GetOr(const hl7v2::Message& message, const hl7v2::FieldPath& path) {
  return message.Get(path).value_or("");
}

// Maps the OBX-3 of the `obx`-th OBX when it is a result's local code.
absl::Status MapObx(hl7v2::Message& message, int obx, const LoincTable& table, MappedCodes& found) {
  const std::string value_type = GetOr(message, ObxPath(obx, 2));
  if (value_type == "ED" || value_type == "RP") return absl::OkStatus();
  const std::string code = GetOr(message, ObxPath(obx, 3, 1));
  const std::string system = GetOr(message, ObxPath(obx, 3, 3));
  if (code.empty() || system == "MetaDMPMSS" || system == kLoincV2 ||
      GetOr(message, ObxPath(obx, 3, 6)) == kLoincV2) {
    return absl::OkStatus();
  }
  const Loinc* loinc = table.Find(system, code);
  if (loinc == nullptr) {
    found.AddUnmapped(code);
    return absl::OkStatus();
  }
  // The local code, text and system move as on the wire (escapes kept).
  const std::string raw_code = message.GetRaw(ObxPath(obx, 3, 1)).value_or("");
  const std::string raw_text = message.GetRaw(ObxPath(obx, 3, 2)).value_or("");
  const std::string raw_system = system.empty() ? "L" : *message.GetRaw(ObxPath(obx, 3, 3));
  for (auto [component, raw] : {std::pair{4, &raw_code}, {5, &raw_text}, {6, &raw_system}}) {
    if (absl::Status set = message.SetRaw(ObxPath(obx, 3, component), *raw); !set.ok()) return set;
  }
  for (auto [component, value] : {std::pair{1, std::string_view(loinc->code)},
                                  {2, std::string_view(loinc->display)},
                                  {3, kLoincV2}}) {
    if (absl::Status set = message.Set(ObxPath(obx, 3, component), value); !set.ok()) return set;
  }
  ++found.mapped;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<MappedCodes> MapOruCodes(std::string_view raw, std::string_view charset,
                                        const LoincTable& table) {
  auto decoded = hl7v2::DecodeMessage(raw, charset);
  if (!decoded.ok()) return absl::InvalidArgumentError(decoded.status().message());
  auto message = hl7v2::Message::Parse(decoded->text);
  if (!message.ok()) return absl::InvalidArgumentError(message.status().message());
  MappedCodes found;
  int obx = 0;
  for (size_t i = 0; i < message->segment_count(); ++i) {
    if (message->segment_id(i) != "OBX") continue;
    ++obx;
    if (absl::Status mapped = MapObx(*message, obx, table, found); !mapped.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("OBX[{}]-3 cannot be written: {}", obx, mapped.message()));
    }
  }
  if (found.mapped == 0) return found;
  auto encoded = hl7v2::EncodeFromUtf8(message->Serialize(), decoded->charset);
  if (!encoded.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("a LOINC label cannot be written in the message's charset: {}",
                    encoded.status().message()));
  }
  found.output = std::move(*encoded);
  return found;
}

}  // namespace navette::routes::codes
