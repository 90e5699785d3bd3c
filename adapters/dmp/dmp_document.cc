#include "adapters/dmp/dmp_document.h"

#include <sstream>

#include <fmt/format.h>

#include "absl/numeric/int128.h"
#include "absl/strings/str_replace.h"
#include "adapters/dmp/vihf/vihf_builder.h"
#include "adapters/dmp/xds/cda_metadata.h"
#include "adapters/dmp/xds/xds_values.h"

namespace navette::adapters::dmp {
namespace {

using navette::document::DmpReceipt;
using navette::document::Participant;

constexpr std::string_view kTestInsOids[] = {"1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"};
constexpr std::string_view kProductionInsOids[] = {"1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9"};

bool OneOf(std::string_view value, std::span<const std::string_view> values) {
  for (std::string_view candidate : values) {
    if (value == candidate) return true;
  }
  return false;
}

std::string NameOf(const std::string& family, const std::string& given) {
  if (given.empty()) return family;
  if (family.empty()) return given;
  return fmt::format("{} {}", family, given);
}

}  // namespace

std::optional<Refusal> RefusePatient(const navette::identity::Identity* identity,
                                     bool allow_test_ins) {
  if (identity == nullptr) {
    return Refusal{"INS_ABSENT",
                   "the route reached the DMP without the patient's identity: run attach_ins "
                   "before a dmp destination (only a qualified INS may reach the DMP)"};
  }
  if (identity->status() != navette::identity::QUALIFIED || identity->ins().matricule().empty()) {
    return Refusal{"INS_NON_QUALIFIEE",
                   "the patient's identity is not qualified: only a "
                   "qualified INS may reach the DMP"};
  }
  const std::string& oid = identity->ins().oid();
  if (OneOf(oid, kTestInsOids) && !allow_test_ins) {
    return Refusal{"INS_OID_TEST",
                   fmt::format("the INS is under the test OID {}, refused in production "
                               "(identity.environment: test accepts it)",
                               oid)};
  }
  if (!OneOf(oid, kTestInsOids) && !OneOf(oid, kProductionInsOids)) {
    return Refusal{"INS_OID", fmt::format("{} is not an INS authority OID", oid)};
  }
  if (identity->dmp().feeding() == "IO") {
    return Refusal{"OPPOSITION_ALIMENTATION",
                   "the patient is opposed to feeding their DMP (ZFA-9 IO): nothing sent"};
  }
  return std::nullopt;
}

absl::StatusOr<xds::DocumentMetadata> MetadataOf(std::string_view cda,
                                                 const navette::document::Document& record,
                                                 const navette::identity::Identity& identity,
                                                 const DmpSettings& settings) {
  auto metadata = xds::ReadCdaMetadata(cda);
  if (!metadata.ok()) return metadata.status();
  xds::ApplyHospitalDefaults(settings.hospital, &*metadata);
  xds::ApplyDocumentRecord(record, &*metadata);
  if (metadata->patient.ins != identity.ins().matricule() ||
      metadata->patient.ins_oid != identity.ins().oid()) {
    return absl::FailedPreconditionError(
        "the CDA's recordTarget does not carry the patient's qualified INS (the identity "
        "store's): build the CDA after attach_ins");
  }
  return metadata;
}

absl::StatusOr<vihf::VihfRequest> VihfRequestFor(const xds::DocumentMetadata& metadata,
                                                 const navette::document::Document& record,
                                                 const DmpSettings& settings,
                                                 std::chrono::system_clock::time_point now) {
  vihf::VihfRequest request;
  request.assertion_id = "_" + xds::NewEntryUuid().substr(sizeof("urn:uuid:") - 1);
  request.issue_instant = now;
  if (!metadata.author.institution_id.empty()) {
    // In indirect mode the structure must be the documents' authorInstitution.
    request.structure_id = metadata.author.institution_id;
  } else {
    auto structure = vihf::StructureIdFromFiness(settings.hospital.finess());
    if (!structure.ok()) return structure.status();
    request.structure_id = *structure;
  }
  for (const Participant& participant : record.participants()) {
    if (participant.role() == Participant::SENDER && !participant.person().id().id().empty()) {
      request.responsible_id = participant.person().id().id();
      request.responsible_name =
          NameOf(participant.person().family(), participant.person().given());
      break;
    }
  }
  if (request.responsible_id.empty() && !settings.responsible_id.empty()) {
    request.responsible_id = settings.responsible_id;
    request.responsible_name = settings.vihf.software_name;
  }
  if (request.responsible_id.empty() && !metadata.author.person.id.empty()) {
    request.responsible_id = metadata.author.person.id;
    request.responsible_name = NameOf(metadata.author.person.family, metadata.author.person.given);
  }
  if (request.responsible_id.empty()) {
    return absl::FailedPreconditionError(
        "no person responsible for the VIHF: the message names no sender (PRT SB), the CDA's "
        "author has no id, and dmp.vihf.responsible_id is not set");
  }
  if (request.responsible_name.empty()) request.responsible_name = settings.vihf.software_name;
  request.patient_ins = metadata.patient.ins;
  request.patient_ins_oid = metadata.patient.ins_oid;
  return request;
}

xds::SubmissionSet NewSubmissionSet(const DmpSettings& settings, absl::Time now) {
  // A fresh random UUID, as for an entryUUID, written as an integer.
  const std::string hex =
      absl::StrReplaceAll(xds::NewEntryUuid().substr(sizeof("urn:uuid:") - 1), {{"-", ""}});
  const absl::uint128 value = absl::MakeUint128(std::stoull(hex.substr(0, 16), nullptr, 16),
                                                std::stoull(hex.substr(16), nullptr, 16));
  std::ostringstream oid;
  oid << "2.25." << value;  // ITU-T X.667: an OID from a UUID
  xds::SubmissionSet set;
  set.source_id = settings.source_id;
  set.unique_id = oid.str();
  set.time = now;
  set.content_type = settings.content_type;
  set.allow_test_ins = settings.allow_test_ins;
  return set;
}

std::optional<DmpEntry> EntryAfter(std::span<const KeptReceipt> receipts,
                                   std::string_view unique_id) {
  std::optional<DmpEntry> latest;
  std::optional<DmpEntry> wanted;
  for (const KeptReceipt& kept : receipts) {
    DmpReceipt receipt;
    if (!kept.receipt.body().UnpackTo(&receipt) || !receipt.accepted()) continue;
    switch (receipt.operation()) {
      case DmpReceipt::REGISTER:
      case DmpReceipt::REPLACE:
        latest = DmpEntry{receipt.entry_uuid(), receipt.unique_id(), 1, false,
                          kept.message_id,      kept.receipt.route()};
        break;
      case DmpReceipt::DELETE:
        if (latest && latest->entry_uuid == receipt.entry_uuid()) latest->deleted = true;
        break;
      case DmpReceipt::CONFIDENTIALITY:
        if (latest && latest->entry_uuid == receipt.entry_uuid()) {
          latest->entry_version = receipt.entry_version();
        }
        break;
      default:
        break;
    }
    if (latest && latest->unique_id == unique_id) wanted = latest;
  }
  return unique_id.empty() ? latest : wanted;
}

}  // namespace navette::adapters::dmp
