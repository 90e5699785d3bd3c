// What the dmp destination reads from a message before it speaks to the
// DMP: whether the patient may have this document in their DMP, the XDS
// metadata of the CDA, the VIHF's values, and where the document stands in
// the DMP after the earlier messages about it (their receipts). Pure
// functions of their inputs: the destination does the I/O.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/dmp/dmp_settings.h"
#include "adapters/dmp/vihf/vihf_settings.h"
#include "adapters/dmp/xds/document_metadata.h"
#include "adapters/document_history.h"
#include "proto/document.pb.h"
#include "proto/identity.pb.h"

namespace navette::adapters::dmp {

// Why a document may not go to this patient's DMP: `code` goes into the
// negative acknowledgement (ZAM^Z01 ERR), `reason` into the history.
struct Refusal {
  std::string code;
  std::string reason;
};

// Only a qualified INS reaches the DMP (production OIDs unless the identity
// environment is a test one), and never for a patient opposed to it
// (ZFA-9 IO, fr-specs.md §3.8). `identity` is what attach_ins found; null
// when the route has no attach_ins.
std::optional<Refusal> RefusePatient(const navette::identity::Identity* identity,
                                     bool allow_test_ins);

// The CDA's XDS metadata, completed with the hospital's values and the
// record's masking flags and IPP; refused when its INS is not the
// patient's qualified one.
absl::StatusOr<xds::DocumentMetadata> MetadataOf(std::string_view cda,
                                                 const navette::document::Document& record,
                                                 const navette::identity::Identity& identity,
                                                 const DmpSettings& settings);

// The VIHF's per-request values. The person responsible is the sender
// (PRT SB), else vihf.responsible_id, else the CDA's author.
absl::StatusOr<vihf::VihfRequest> VihfRequestFor(const xds::DocumentMetadata& metadata,
                                                 const navette::document::Document& record,
                                                 const DmpSettings& settings,
                                                 std::chrono::system_clock::time_point now);

// A submission set with a fresh uniqueId (2.25.<UUID as an integer>: unique
// across attempts, restarts and installations).
xds::SubmissionSet NewSubmissionSet(const DmpSettings& settings, absl::Time now);

// A document version as the DMP holds it after the receipts read so far.
struct DmpEntry {
  std::string entry_uuid;  // empty when the registration's answer was lost
  std::string unique_id;
  uint32_t entry_version = 1;
  bool deleted = false;
  // The message and route that registered it: the bytes sent then.
  uint64_t message_id = 0;
  std::string route;
};

// The entry of version `unique_id` (empty: the latest version registered)
// after every receipt; nullopt when none registered it.
std::optional<DmpEntry> EntryAfter(std::span<const KeptReceipt> receipts,
                                   std::string_view unique_id = {});

}  // namespace navette::adapters::dmp
