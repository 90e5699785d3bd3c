// The dmp destination (docs/dmp.md): each document of a route to the
// patient's DMP, as the action of its message asks —
//
//   message                              request                     receipt operation
//   create (ORU NW/F, MDM^T02)           ITI-41                      REGISTER
//   replace (ORU RO/C, MDM^T10)          ITI-41 + RPLC of the        REPLACE
//                                        replaced version's entryUUID
//   delete (ORU CA/D, MDM^T04)           ITI-57 status Deleted       DELETE
//   flag MODIF_CONF_CODE = Y             ITI-57 new confidentiality  CONFIDENTIALITY
//
// each signed with a fresh VIHF, over mutual TLS. The DmpReceipt of each
// delivery is kept under the document's setId (DeliveryResult::
// receipt_document_key): a later replacement, deletion or masking of the
// document finds there the entryUUID the DMP gave it. A refusal comes back
// as a negative DmpReceipt (the DMP's code), from which the producer's
// ZAM^Z01 is built.
//
// Threading: Deliver runs on up to max_in_flight attempt threads; each
// takes its own pair of clients (a connection each), the signer is
// immutable, and the history is read-only.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/destination.h"
#include "adapters/dmp/dmp_document.h"
#include "adapters/dmp/dmp_settings.h"
#include "adapters/dmp/soap/mtom_part.h"
#include "adapters/dmp/soap/outcome.h"
#include "adapters/dmp/transport/dmp_client.h"
#include "adapters/dmp/vihf/vihf_signer.h"
#include "adapters/dmp/xds/document_metadata.h"
#include "adapters/document_history.h"
#include "common/clock.h"
#include "proto/document.pb.h"

namespace navette::adapters::dmp {

class DmpDestination final : public Destination {
 public:
  // `documents` and `clock` must outlive it; `connections` clients are made
  // for each service.
  static absl::StatusOr<std::unique_ptr<Destination>> Create(std::string name, DmpSettings settings,
                                                             vihf::VihfSigner signer,
                                                             const DocumentHistory* documents,
                                                             const Clock* clock,
                                                             uint32_t connections);

  DeliveryResult Deliver(const DeliveryRequest& request) override;

 private:
  struct Clients {
    std::unique_ptr<transport::DmpClient> repository;
    std::unique_ptr<transport::DmpClient> registry;
  };
  // One document's delivery, whatever its action.
  struct Job {
    const DeliveryRequest& request;
    const navette::document::Document& record;
    const navette::identity::Identity& identity;
    std::string set_id;  // the document's setId, under which its receipts are kept
  };

  DmpDestination(std::string name, DmpSettings settings, vihf::VihfSigner signer,
                 const DocumentHistory* documents, const Clock* clock);

  DeliveryResult Register(const Job& job);
  DeliveryResult Delete(const Job& job, const DmpEntry& entry);
  DeliveryResult Remask(const Job& job, const DmpEntry& entry);
  // Delete and Remask: the document a message names, as the DMP holds it.
  DeliveryResult ChangeRegistered(Job& job);

  // Signs a VIHF for `metadata` and posts `body` (an ITI-41 when `document`
  // is given, else an ITI-57) to the right service.
  absl::StatusOr<soap::Outcome> Exchange(const Job& job, const xds::DocumentMetadata& metadata,
                                         const std::string& body_xml,
                                         const soap::MtomPart* document);
  Clients& NextClients();

  const std::string name_;
  const DmpSettings settings_;
  const vihf::VihfSigner signer_;
  const DocumentHistory* const documents_;
  const Clock& clock_;
  std::vector<Clients> clients_;
  std::atomic<size_t> next_client_{0};
};

// The typed receipt's negative form, for a refusal before or by the DMP.
google::protobuf::Any RefusedReceipt(std::string_view code, std::string_view label);

}  // namespace navette::adapters::dmp
