#include "routes/ins/identity_reader.h"

#include <set>

#include <fmt/format.h>

#include "common/fmt_absl.h"

namespace navette::routes::ins {

absl::StatusOr<std::optional<ResolvedIdentity>> Resolve(const IdentityReader& reader,
                                                        std::string patient) {
  // A merge of a merged IPP makes a chain of two; more means a loop.
  constexpr int kMostLinks = 8;
  for (int link = 0; link <= kMostLinks; ++link) {
    auto record = reader.Get(patient);
    if (!record.ok()) return record.status();
    if (!record->has_value()) return std::nullopt;
    if ((*record)->merged_into().empty()) {
      return ResolvedIdentity{std::move(patient), std::move(**record)};
    }
    patient = (*record)->merged_into();
  }
  return absl::DataLossError(
      fmt::format("identity store: more than {} merge links from one IPP (a loop?)", kMostLinks));
}

absl::StatusOr<std::optional<ResolvedIdentity>> ResolveByIns(const IdentityReader& reader,
                                                             const identity::Ins& ins) {
  auto patients = reader.FindByIns(ins);
  if (!patients.ok()) return patients.status();
  std::optional<ResolvedIdentity> found;
  std::set<std::string> survivors;  // the records that stand for each one found
  for (std::string& patient : *patients) {
    auto resolved = Resolve(reader, std::move(patient));
    if (!resolved.ok()) return resolved.status();
    if (!resolved->has_value()) continue;  // the index is written with the record
    survivors.insert((*resolved)->patient);
    if (!found) found = std::move(*resolved);
  }
  if (survivors.size() > 1) {
    return absl::FailedPreconditionError(
        fmt::format("the INS is carried by {} identities of the identity store (a duplicate the "
                    "DPI must merge, A40)",
                    survivors.size()));
  }
  return found;
}

bool CanCarryIns(const identity::Identity& identity) { return WhyNoIns(identity).empty(); }

std::string WhyNoIns(const identity::Identity& identity) {
  if (identity.fictitious()) return "identity marked fictitious";
  if (identity.doubtful()) return "identity marked doubtful";
  if (identity.status() != identity::QUALIFIED) {
    return fmt::format("identity not qualified ({})", StatusWord(identity.status()));
  }
  if (identity.ins().matricule().empty()) return "qualified identity without an INS";
  // The INS travels with all five strict traits, or not at all.
  const auto* descriptor = identity::StrictTraits::descriptor();
  const auto* reflection = identity::StrictTraits::GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    if (reflection->GetString(identity.traits(), descriptor->field(i)).empty()) {
      return fmt::format("qualified identity without its strict trait {}",
                         descriptor->field(i)->name());
    }
  }
  return "";
}

std::string_view StatusWord(identity::IdentityStatus status) {
  switch (status) {
    case identity::PROVISIONAL:
      return "provisional";
    case identity::RECOVERED:
      return "recovered";
    case identity::VALIDATED:
      return "validated";
    case identity::QUALIFIED:
      return "qualified";
    default:
      return "no status";
  }
}

}  // namespace navette::routes::ins
