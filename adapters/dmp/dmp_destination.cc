#include "adapters/dmp/dmp_destination.h"

#include <utility>

#include <fmt/format.h>

#include "absl/time/clock.h"
#include "adapters/dmp/soap/soap_request.h"
#include "adapters/dmp/xds/metadata_update.h"
#include "adapters/dmp/xds/provide_and_register.h"

namespace navette::adapters::dmp {
namespace {

using navette::document::DmpReceipt;

// A ZAM's ERR-8 is short; the history keeps the whole reason.
constexpr size_t kLabelLength = 200;

google::protobuf::Any Pack(const DmpReceipt& receipt) {
  google::protobuf::Any any;
  any.PackFrom(receipt);
  return any;
}

// The DMP's texts (codeContext, fault reasons) may quote the request, the
// patient's INS included: they go into the history, and only the code into
// the engine's log.
std::string LogDetail(std::string_view code) {
  return fmt::format("{} (the DMP's text is in the message's history)", code);
}

DeliveryResult Refuse(std::string_view code, const std::string& reason) {
  DeliveryResult result =
      DeliveryResult::Permanent(fmt::format("{}: {}", code, reason), RefusedReceipt(code, reason));
  result.log_detail = LogDetail(code);
  return result;
}

DeliveryResult Retry(std::string_view code, const std::string& reason) {
  DeliveryResult result = DeliveryResult::Transient(fmt::format("{}: {}", code, reason));
  result.log_detail = LogDetail(code);
  return result;
}

// A failure of navette's own making before anything was sent: the message
// cannot become a valid request.
DeliveryResult RefuseStatus(std::string_view code, const absl::Status& status) {
  return Refuse(code, std::string(status.message()));
}

// What an ITI-57 update's outcome makes of the message: delivered with the
// entry's new state as its receipt, retried, or refused.
DeliveryResult ConcludeUpdate(const soap::Outcome& outcome, const DmpEntry& entry,
                              DmpReceipt::Operation operation, uint32_t entry_version,
                              std::string delivered, const std::string& set_id) {
  if (outcome.kind == soap::OutcomeKind::kTransient) return Retry(outcome.code, outcome.reason);
  if (outcome.kind != soap::OutcomeKind::kDelivered) return Refuse(outcome.code, outcome.reason);
  DmpReceipt receipt;
  receipt.set_accepted(true);
  receipt.set_operation(operation);
  receipt.set_entry_uuid(entry.entry_uuid);
  receipt.set_unique_id(entry.unique_id);
  receipt.set_entry_version(entry_version);
  return DeliveryResult::Delivered(std::move(delivered), Pack(receipt), set_id);
}

}  // namespace

google::protobuf::Any RefusedReceipt(std::string_view code, std::string_view label) {
  DmpReceipt receipt;
  receipt.set_accepted(false);
  receipt.set_error_code(std::string(code));
  receipt.set_error_label(std::string(label.substr(0, kLabelLength)));
  return Pack(receipt);
}

absl::StatusOr<std::unique_ptr<Destination>> DmpDestination::Create(
    std::string name, DmpSettings settings, vihf::VihfSigner signer,
    const DocumentHistory* documents, const Clock* clock, uint32_t connections) {
  if (documents == nullptr || clock == nullptr) {
    return absl::FailedPreconditionError("the dmp destination needs the document history");
  }
  std::unique_ptr<DmpDestination> destination(new DmpDestination(
      std::move(name), std::move(settings), std::move(signer), documents, clock));
  for (uint32_t i = 0; i < std::max<uint32_t>(connections, 1); ++i) {
    auto repository = transport::DmpClient::Create(destination->settings_.repository_url,
                                                   destination->settings_.tls);
    if (!repository.ok()) return repository.status();
    auto registry = transport::DmpClient::Create(destination->settings_.registry_url,
                                                 destination->settings_.tls);
    if (!registry.ok()) return registry.status();
    destination->clients_.push_back({std::move(*repository), std::move(*registry)});
  }
  return std::unique_ptr<Destination>(std::move(destination));
}

DmpDestination::DmpDestination(std::string name, DmpSettings settings, vihf::VihfSigner signer,
                               const DocumentHistory* documents, const Clock* clock)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      signer_(std::move(signer)),
      documents_(documents),
      clock_(*clock) {}

DmpDestination::Clients& DmpDestination::NextClients() {
  return clients_[next_client_.fetch_add(1, std::memory_order_relaxed) % clients_.size()];
}

DeliveryResult DmpDestination::Deliver(const DeliveryRequest& request) {
  const navette::Envelope& envelope = request.message->envelope();
  if (!envelope.has_document()) {
    return Refuse("DOCUMENT_ABSENT",
                  "the dmp destination takes documents: the message's source has no profile");
  }
  if (std::optional<Refusal> refusal = RefusePatient(request.identity, settings_.allow_test_ins)) {
    return Refuse(refusal->code, refusal->reason);
  }
  Job job{request, envelope.document(), *request.identity, ""};
  const navette::document::Document& record = job.record;
  if (record.flags().modif_conf_code() || record.action() == navette::document::DELETE) {
    return ChangeRegistered(job);
  }
  return Register(job);
}

DeliveryResult DmpDestination::Register(const Job& job) {
  const navette::document::Document& record = job.record;
  const navette::Envelope& envelope = job.request.message->envelope();
  if (record.cda().id().empty() || record.cda().set_id().empty()) {
    return Refuse("CDA_ABSENT",
                  "the route must build the CDA (build_cda) before a dmp "
                  "destination: the message carries no CDA navette emitted");
  }
  const std::string& cda = envelope.raw();
  auto metadata = MetadataOf(cda, record, job.identity, settings_);
  if (!metadata.ok()) return RefuseStatus("METADONNEES", metadata.status());

  std::string replaced;
  if (!record.cda().parent_id().empty()) {
    auto receipts = documents_->Receipts(record.cda().set_id(), name_);
    if (!receipts.ok()) return DeliveryResult::Transient(std::string(receipts.status().message()));
    std::optional<DmpEntry> previous = EntryAfter(*receipts, record.cda().parent_id());
    if (!previous) {
      // Emitted by navette (build_cda found it) but not registered yet: its
      // own delivery may still be on its way.
      return DeliveryResult::Transient(
          "the version this one replaces is not registered in the DMP yet: waiting for it");
    }
    if (previous->entry_uuid.empty()) {
      return Refuse("ENTRYUUID_INCONNU",
                    "the version this one replaces was registered by an attempt whose answer "
                    "was lost: its entryUUID is unknown, so the replacement cannot name it");
    }
    replaced = previous->entry_uuid;
  }
  const xds::SubmissionSet set =
      NewSubmissionSet(settings_, absl::FromUnixMicros(clock_.NowMicros()));
  auto body = xds::BuildProvideAndRegister(*metadata, cda, set, replaced);
  if (!body.ok()) return RefuseStatus("METADONNEES", body.status());
  const soap::MtomPart part{body->content_id, "text/xml", cda};
  auto outcome = Exchange(job, *metadata, body->xml, &part);
  if (!outcome.ok()) return RefuseStatus("REQUETE", outcome.status());

  DmpReceipt receipt;
  receipt.set_accepted(true);
  receipt.set_operation(replaced.empty() ? DmpReceipt::REGISTER : DmpReceipt::REPLACE);
  receipt.set_unique_id(metadata->unique_id);
  receipt.set_entry_version(1);
  switch (outcome->kind) {
    case soap::OutcomeKind::kDelivered:
      receipt.set_entry_uuid(body->entry_uuid);
      return DeliveryResult::Delivered(
          fmt::format("registered in the DMP as {}{}", body->entry_uuid,
                      outcome->reason.empty() ? "" : " (" + outcome->reason + ")"),
          Pack(receipt), record.cda().set_id());
    case soap::OutcomeKind::kDuplicate:
      if (outcome->code == "XDSDuplicateUniqueIdInRegistry") {
        // The same bytes under the same uniqueId are already in the DMP: an
        // earlier attempt whose answer was lost (a timeout, a crash).
        receipt.set_recovered_duplicate(true);
        return DeliveryResult::Delivered(
            "already registered in the DMP (same uniqueId and bytes): an earlier attempt's "
            "answer was lost",
            Pack(receipt), record.cda().set_id());
      }
      return Refuse(outcome->code, outcome->reason);
    case soap::OutcomeKind::kTransient:
      return Retry(outcome->code, outcome->reason);
    case soap::OutcomeKind::kPermanent:
      break;
  }
  return Refuse(outcome->code, outcome->reason);
}

DeliveryResult DmpDestination::ChangeRegistered(Job& job) {
  const std::string& target = job.record.document_id();
  if (target.empty()) {
    return Refuse("DOCUMENT_INCONNU",
                  "the message does not name the document it changes "
                  "(TXA-12, or the CDA's id)");
  }
  auto version = documents_->FindVersion(target);
  if (!version.ok()) return DeliveryResult::Transient(std::string(version.status().message()));
  if (!version->has_value()) {
    return Refuse("DOCUMENT_INCONNU",
                  fmt::format("document {} was never emitted by navette: nothing to change in "
                              "the DMP",
                              target));
  }
  job.set_id = (*version)->set_id();
  auto receipts = documents_->Receipts(job.set_id, name_);
  if (!receipts.ok()) return DeliveryResult::Transient(std::string(receipts.status().message()));
  std::optional<DmpEntry> entry = EntryAfter(*receipts);
  if (!entry) {
    return Refuse("DOCUMENT_INCONNU",
                  fmt::format("document {} was never registered in the DMP by destination '{}'",
                              target, name_));
  }
  if (entry->entry_uuid.empty()) {
    return Refuse("ENTRYUUID_INCONNU",
                  "the document was registered by an attempt whose answer was lost: its "
                  "entryUUID is unknown");
  }
  if (entry->deleted) {
    return Refuse("DOCUMENT_SUPPRIME", "the document is already deleted from the DMP");
  }
  return job.record.action() == navette::document::DELETE ? Delete(job, *entry)
                                                          : Remask(job, *entry);
}

DeliveryResult DmpDestination::Delete(const Job& job, const DmpEntry& entry) {
  auto bytes = documents_->DeliveredBytes(entry.message_id, entry.route);
  if (!bytes.ok()) return DeliveryResult::Transient(std::string(bytes.status().message()));
  auto metadata = MetadataOf(*bytes, job.record, job.identity, settings_);
  if (!metadata.ok()) return RefuseStatus("METADONNEES", metadata.status());
  xds::StatusChange change;
  change.entry_uuid = entry.entry_uuid;
  change.from = xds::AvailabilityStatus::kApproved;
  change.to = xds::AvailabilityStatus::kDeleted;
  change.patient = metadata->patient;
  change.author = metadata->author;
  auto body = xds::BuildStatusChange(
      change, NewSubmissionSet(settings_, absl::FromUnixMicros(clock_.NowMicros())));
  if (!body.ok()) return RefuseStatus("METADONNEES", body.status());
  auto outcome = Exchange(job, *metadata, *body, nullptr);
  if (!outcome.ok()) return RefuseStatus("REQUETE", outcome.status());
  return ConcludeUpdate(*outcome, entry, DmpReceipt::DELETE, entry.entry_version,
                        fmt::format("{} deleted from the DMP", entry.entry_uuid), job.set_id);
}

DeliveryResult DmpDestination::Remask(const Job& job, const DmpEntry& entry) {
  // The metadata are restated whole, with the bytes first sent (hash, size)
  // and the new masking flags of this message.
  auto bytes = documents_->DeliveredBytes(entry.message_id, entry.route);
  if (!bytes.ok()) return DeliveryResult::Transient(std::string(bytes.status().message()));
  auto metadata = MetadataOf(*bytes, job.record, job.identity, settings_);
  if (!metadata.ok()) return RefuseStatus("METADONNEES", metadata.status());
  xds::ConfidentialityChange change;
  change.entry_uuid = entry.entry_uuid;
  change.previous_version = std::to_string(entry.entry_version);
  change.repository_unique_id = settings_.repository_unique_id;
  auto body = xds::BuildConfidentialityChange(
      *metadata, *bytes, change,
      NewSubmissionSet(settings_, absl::FromUnixMicros(clock_.NowMicros())));
  if (!body.ok()) return RefuseStatus("METADONNEES", body.status());
  auto outcome = Exchange(job, *metadata, *body, nullptr);
  if (!outcome.ok()) return RefuseStatus("REQUETE", outcome.status());
  return ConcludeUpdate(*outcome, entry, DmpReceipt::CONFIDENTIALITY, entry.entry_version + 1,
                        fmt::format("masking of {} updated in the DMP", entry.entry_uuid),
                        job.set_id);
}

absl::StatusOr<soap::Outcome> DmpDestination::Exchange(const Job& job,
                                                       const xds::DocumentMetadata& metadata,
                                                       const std::string& body_xml,
                                                       const soap::MtomPart* document) {
  auto vihf_request = VihfRequestFor(
      metadata, job.record, settings_,
      std::chrono::system_clock::time_point(std::chrono::microseconds(clock_.NowMicros())));
  if (!vihf_request.ok()) return vihf_request.status();
  auto vihf = signer_.BuildSigned(settings_.vihf, std::move(*vihf_request));
  if (!vihf.ok()) return vihf.status();
  Clients& clients = NextClients();
  transport::DmpClient& client = document != nullptr ? *clients.repository : *clients.registry;
  auto request =
      document != nullptr
          ? soap::BuildProvideAndRegisterRequest(client.url(), *vihf, body_xml, {*document})
          : soap::BuildUpdateDocumentSetRequest(client.url(), *vihf, body_xml);
  if (!request.ok()) return request.status();
  return soap::ClassifyExchange(client.Post(request->http.content_type, request->http.bytes));
}

}  // namespace navette::adapters::dmp
