#include "routes/codes/map_codes_step.h"

#include <utility>

#include <fmt/format.h>

#include "common/fmt_absl.h"
#include "routes/codes/cda_codes.h"
#include "routes/codes/oru_codes.h"

namespace navette::routes::codes {
namespace {

using OnUnmapped = navette::config::MapCodesStep::OnUnmapped;

constexpr std::string_view kHl7v2 = "application/hl7-v2";
constexpr std::string_view kXml = "text/xml";

// "A, B, C (and 4 more)".
std::string ListCodes(const std::vector<std::string>& codes, size_t cap) {
  std::string list;
  for (size_t i = 0; i < codes.size() && i < cap; ++i) list += (i == 0 ? "" : ", ") + codes[i];
  if (codes.size() > cap) list += fmt::format(" (and {} more)", codes.size() - cap);
  return list;
}

void Merge(MappedCodes& into, MappedCodes&& found) {
  into.mapped += found.mapped;
  for (std::string& code : found.unmapped) into.AddUnmapped(std::move(code));
}

}  // namespace

MapCodesStep::MapCodesStep(std::unique_ptr<WatchedLoincTable> table, std::string table_name,
                           OnUnmapped on_unmapped, const Clock& clock, kinds::StepMetrics* metrics)
    : table_(std::move(table)),
      table_name_(std::move(table_name)),
      on_unmapped_(on_unmapped),
      clock_(clock),
      metrics_(metrics) {}

std::string MapCodesStep::ParkKey(std::string_view route) {
  return fmt::format("map_codes:{}", route);
}

absl::StatusOr<StepOutcome> MapCodesStep::Run(const StepInput& input) const {
  const std::shared_ptr<const LoincTable> table = table_->Current();
  auto dead = [&](std::string_view what) {
    return StepOutcome::Dead(fmt::format("map_codes: {}", what), clock_.NowMicros());
  };
  StepOutcome outcome;
  MappedCodes total;
  if (input.content_type == kXml) {
    auto found = MapCdaCodes(input.document, *table);
    if (!found.ok()) return dead(std::string(found.status().message()));
    if (!found->output.empty()) outcome.output = std::move(found->output);
    Merge(total, std::move(*found));
  } else if (input.content_type.empty() || input.content_type == kHl7v2) {
    auto found = MapOruCodes(input.document, input.envelope->charset(), *table);
    if (!found.ok()) return dead(std::string(found.status().message()));
    if (!found->output.empty()) outcome.output = std::move(found->output);
    Merge(total, std::move(*found));
    if (input.record != nullptr) {
      std::optional<navette::document::Document> record;
      for (int i = 0; i < input.record->parts_size(); ++i) {
        const navette::document::Part& part = input.record->parts(i);
        if (part.kind() != navette::document::Part::CDA_N3) continue;
        auto in_part = MapCdaCodes(part.content(), *table);
        if (!in_part.ok()) {
          return dead(
              fmt::format("the CDA N3 of {}: {}", part.location(), in_part.status().message()));
        }
        if (!in_part->output.empty()) {
          if (!record) record = *input.record;
          record->mutable_parts(i)->set_content(std::move(in_part->output));
        }
        Merge(total, std::move(*in_part));
      }
      outcome.record = std::move(record);
    }
  } else {
    outcome.notes.push_back(
        fmt::format("map_codes: nothing mapped: a document of type {} holds no lab codes it reads",
                    input.content_type));
    return outcome;
  }

  outcome.notes.push_back(fmt::format("map_codes: {} code{} mapped to LOINC by {}", total.mapped,
                                      total.mapped == 1 ? "" : "s", table_name_));
  if (total.unmapped.empty()) return outcome;
  if (metrics_ != nullptr) metrics_->UnmappedCodes(total.unmapped.size());
  std::string unmapped = fmt::format("map_codes: {} local code{} not in {}: {}",
                                     total.unmapped.size(), total.unmapped.size() == 1 ? "" : "s",
                                     table_name_, ListCodes(total.unmapped, kListedCodes));
  if (on_unmapped_ == navette::config::MapCodesStep::PARK) {
    return StepOutcome::Park(std::move(unmapped), ParkKey(input.route), clock_.NowMicros());
  }
  if (on_unmapped_ == navette::config::MapCodesStep::DEAD) {
    return StepOutcome::Dead(std::move(unmapped), clock_.NowMicros());
  }
  outcome.notes.push_back(unmapped + " (delivered with the local codes)");
  return outcome;
}

}  // namespace navette::routes::codes
