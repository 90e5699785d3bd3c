#include "tests/dmp-sim/dmp_transactions.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "adapters/dmp/xds/xds_codes.h"
#include "adapters/dmp/xds/xds_values.h"

namespace navette::testing::dmp_sim {
namespace {

namespace xds = ::navette::adapters::dmp::xds;

// code^codingScheme of the one classification under `scheme`.
std::string Coded(const RimObject& entry, const char* scheme) {
  std::vector<const RimClassification*> codes = entry.ClassifiedBy(scheme);
  if (codes.empty()) return "";
  return absl::StrCat(codes.front()->node_representation, "^", codes.front()->coding_scheme);
}

std::vector<std::string> ConfidentialityCodes(const RimObject& entry) {
  std::vector<std::string> codes;
  for (const RimClassification* code : entry.ClassifiedBy(xds::kConfidentialityScheme)) {
    codes.push_back(absl::StrCat(code->node_representation, "^", code->coding_scheme));
  }
  return codes;
}

std::string FirstExternalId(const RimObject& object, const char* scheme) {
  auto found = object.external_ids.find(scheme);
  return found == object.external_ids.end() || found->second.empty() ? "" : found->second.front();
}

}  // namespace

std::vector<XdsError> ApplyProvideAndRegister(const CheckedRequest& request,
                                              DmpRegistry* registry) {
  std::vector<NewEntry> entries;
  for (const RimObject& entry : request.submission.entries) {
    NewEntry candidate;
    StoredEntry& stored = candidate.entry;
    stored.entry_uuid = entry.id;
    stored.unique_id = FirstExternalId(entry, xds::kEntryUniqueIdScheme);
    stored.patient_id = FirstExternalId(entry, xds::kEntryPatientIdScheme);
    stored.class_code = Coded(entry, xds::kClassCodeScheme);
    stored.type_code = Coded(entry, xds::kTypeCodeScheme);
    stored.format_code = Coded(entry, xds::kFormatCodeScheme);
    stored.confidentiality_codes = ConfidentialityCodes(entry);
    // The checks found the part through the entry's xdsb:Document and made
    // a declared hash and size those of the part; lenient mode lets them be
    // absent, so the registry computes its own, as a repository does.
    const auto document = request.submission.documents.find(entry.id);
    const auto* part = document == request.submission.documents.end()
                           ? nullptr
                           : request.mtom.FindByHref(document->second);
    if (part == nullptr) {
      return {{"XDSMissingDocument",
               absl::StrCat("DocumentEntry ", entry.id, " has no attached document"), entry.id}};
    }
    stored.bytes = part->bytes;
    stored.size = part->bytes.size();
    stored.hash = xds::Sha1Hex(part->bytes);
    for (const RimObject& association : request.submission.associations) {
      if (association.association_type == xds::kReplaces && association.source == entry.id) {
        candidate.replaces_entry_uuid = association.target;
      }
    }
    entries.push_back(std::move(candidate));
  }
  return registry->Register(std::move(entries));
}

std::vector<XdsError> ApplyUpdateDocumentSet(const CheckedRequest& request, DmpRegistry* registry) {
  const Submission& submission = request.submission;
  int changes = 0;
  for (const RimObject& association : submission.associations) {
    if (association.association_type != xds::kUpdateAvailabilityStatus) continue;
    ++changes;
    const std::optional<EntryStatus> from = EntryStatusFromUrn(association.Slot("OriginalStatus"));
    const std::optional<EntryStatus> to = EntryStatusFromUrn(association.Slot("NewStatus"));
    if (!from || !to) {
      return {
          {"XDSMetadataUpdateError",
           absl::StrCat("OriginalStatus '", association.Slot("OriginalStatus"), "' / NewStatus '",
                        association.Slot("NewStatus"), "': not a status the DMP knows"),
           association.id}};
    }
    if (std::optional<XdsError> error = registry->UpdateStatus(association.target, *from, *to)) {
      return {*std::move(error)};
    }
  }
  for (const RimObject& entry : submission.entries) {
    if (entry.lid.empty() || entry.lid == entry.id) continue;
    ++changes;
    int previous_version = 0;
    for (const RimObject& association : submission.associations) {
      if (association.association_type == xds::kHasMember && association.target == entry.id) {
        if (!absl::SimpleAtoi(association.Slot("PreviousVersion"), &previous_version)) {
          previous_version = -1;
        }
      }
    }
    if (std::optional<XdsError> error = registry->UpdateConfidentiality(
            entry.lid, previous_version, ConfidentialityCodes(entry))) {
      return {*std::move(error)};
    }
  }
  if (changes == 0) {
    return {{"XDSMetadataUpdateError",
             "no UpdateAvailabilityStatus association and no new entry version", ""}};
  }
  return {};
}

}  // namespace navette::testing::dmp_sim
