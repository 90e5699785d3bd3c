#include "routes/ins/attach_ins_step.h"

#include <optional>

#include <fmt/format.h>

#include "common/fmt_absl.h"

#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/message.h"
#include "routes/ins/document_patient.h"
#include "store/keys.h"

namespace navette::routes::ins {
namespace {

namespace hl7v2 = adapters::hl7v2;

absl::StatusOr<std::string> Encode(const hl7v2::Message& message, hl7v2::Charset charset) {
  return hl7v2::EncodeFromUtf8(message.Serialize(), charset);
}

}  // namespace

absl::StatusOr<AttachInsOutcome> AttachIns(std::string_view raw, std::string_view charset,
                                           const IdentityReader& reader, Environment environment) {
  auto decoded = hl7v2::DecodeMessage(raw, charset);
  if (!decoded.ok()) return absl::InvalidArgumentError(decoded.status().message());
  auto message = hl7v2::Message::Parse(decoded->text);
  if (!message.ok()) return absl::InvalidArgumentError(message.status().message());
  auto document = ReadDocumentPatient(*message);
  if (!document.ok()) return document.status();

  AttachInsOutcome outcome;
  auto missing = [&](std::string reason) -> absl::StatusOr<AttachInsOutcome> {
    outcome.kind = AttachInsOutcome::Kind::kMissing;
    outcome.reason = std::move(reason);
    if (document->ins) {
      hl7v2::Message stripped = *message;
      absl::Status removed = RemoveInsFromPid(stripped);
      if (!removed.ok()) return absl::InvalidArgumentError(removed.message());
      auto payload = Encode(stripped, decoded->charset);
      if (!payload.ok()) return absl::InvalidArgumentError(payload.status().message());
      outcome.payload_without_ins = std::move(*payload);
    }
    return outcome;
  };

  std::optional<ResolvedIdentity> resolved;
  if (!document->patient_key.empty()) {
    auto by_ipp = Resolve(reader, document->patient_key);
    if (!by_ipp.ok()) return by_ipp.status();
    if (!by_ipp->has_value()) {
      outcome.patient = document->patient_key;
      return missing("patient unknown to the identity store");
    }
    resolved = std::move(*by_ipp);
    outcome.patient = resolved->patient;
  } else if (document->ins) {
    // No IPP: the INS names the patient, if it is one (a wrong key or an
    // OID this environment refuses would find, or wait for, nobody).
    const identity::Ins& ins = *document->ins;
    if (auto checked = CheckIns(ins.matricule(), ins.oid(), environment); !checked.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("no IPP in PID-3 and the INS ({}) cannot name the patient: {}",
                      document->ins_field, checked.status().message()));
    }
    outcome.by_ins = true;
    outcome.patient = store::InsParkKey(ins.oid(), ins.matricule());
    auto by_ins = ResolveByIns(reader, ins);
    if (absl::IsFailedPrecondition(by_ins.status())) {
      return missing(std::string(by_ins.status().message()));
    }
    if (!by_ins.ok()) return by_ins.status();
    if (!by_ins->has_value()) return missing("INS unknown to the identity store (no IPP in PID-3)");
    resolved = std::move(*by_ins);
  } else {
    return missing("no patient identifier in PID-3 (neither an IPP nor an INS)");
  }
  const identity::Identity& stored = resolved->identity;
  if (std::string why = WhyNoIns(stored); !why.empty()) return missing(std::move(why));

  if (document->ins) {
    if (auto disagreement = FindDisagreement(*document, stored)) {
      outcome.kind = AttachInsOutcome::Kind::kMismatch;
      outcome.reason = std::move(*disagreement);
      return outcome;
    }
  }
  const hl7v2::Message before = *message;
  absl::Status attached = AttachIdentityToPid(*message, stored);
  if (!attached.ok()) {
    // A document or a stored identity that cannot be written: this
    // document fails, not the routing of every message behind it.
    return absl::InvalidArgumentError(
        fmt::format("the INS cannot be attached: {}", attached.message()));
  }
  auto payload = Encode(*message, decoded->charset);
  if (!payload.ok()) {
    // The store's traits hold a character the document's charset lacks.
    return absl::InvalidArgumentError(
        fmt::format("the identity cannot be written in the document's charset: {}",
                    payload.status().message()));
  }
  outcome.kind = AttachInsOutcome::Kind::kAttached;
  outcome.payload = std::move(*payload);
  outcome.identity = stored;
  outcome.written_fields = ChangedPidFields(before, *message);
  return outcome;
}

std::string DescribeAttached(const AttachInsOutcome& outcome) {
  std::string fields;
  for (const std::string& field : outcome.written_fields) {
    fields += (fields.empty() ? "" : ", ") + field;
  }
  return fmt::format("{}{}", outcome.by_ins ? "patient found by its INS; " : "",
                     fields.empty() ? "the document already carried the INS and traits of the "
                                      "identity store: nothing written"
                                    : "INS and traits written into " + fields);
}

}  // namespace navette::routes::ins
