#include "routes/ins/attach_ins_step.h"

#include <fmt/format.h>

#include "common/fmt_absl.h"

#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/message.h"
#include "routes/ins/document_patient.h"

namespace navette::routes::ins {
namespace {

namespace hl7v2 = adapters::hl7v2;

absl::StatusOr<std::string> Encode(const hl7v2::Message& message, hl7v2::Charset charset) {
  return hl7v2::EncodeFromUtf8(message.Serialize(), charset);
}

}  // namespace

absl::StatusOr<AttachInsOutcome> AttachIns(const navette::Envelope& envelope,
                                           const IdentityReader& reader) {
  // The envelope's charset is MSH-18's, or the source's default when empty.
  auto decoded = hl7v2::DecodeMessage(envelope.raw(), envelope.charset());
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
  if (document->patient_key.empty()) return missing("no patient identifier (IPP) in PID-3");
  auto resolved = Resolve(reader, document->patient_key);
  if (!resolved.ok()) return resolved.status();
  if (!resolved->has_value()) {
    outcome.patient = document->patient_key;
    return missing("patient unknown to the identity store");
  }
  outcome.patient = (*resolved)->patient;
  const identity::Identity& stored = (*resolved)->identity;
  if (std::string why = WhyNoIns(stored); !why.empty()) return missing(std::move(why));

  if (document->ins) {
    if (auto disagreement = FindDisagreement(*document, stored)) {
      outcome.kind = AttachInsOutcome::Kind::kMismatch;
      outcome.reason = std::move(*disagreement);
      return outcome;
    }
  }
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
  return outcome;
}

}  // namespace navette::routes::ins
