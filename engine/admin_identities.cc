// GET /v1/identities: what the identity feed recorded about a patient, for an
// analyst asking why a document waits (docs/identity.md).
//
//   ?ipp=X   the records of IPP X, under every assigning authority
//   ?ins=X   the records carrying INS X (15 characters; spaces ignored),
//            under any of the INS OIDs
//
// Both may be given: the records found either way. A record merged into
// another brings the survivor too. Each comes with its history of changes
// and the documents parked under it. An identity is health data: the
// payload role sees it, and each lookup is audited as view_identity with the
// ADTs and documents it showed (never the IPP or INS asked for).
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>
#include <httplib.h>

#include "engine/admin_listener.h"
#include "engine/admin_responses.h"
#include "engine/admin_server.h"
#include "engine/admin_views.h"
#include "proto/admin.pb.h"
#include "routes/ins/identity_reader.h"
#include "routes/ins/ins_number.h"
#include "store/keys.h"
#include "store/message_id.h"
#include "store/store.h"

namespace navette::engine {
namespace {

using google::protobuf::util::TimeUtil;

// Every OID an INS may be filed under (routes/ins/ins_number.h).
constexpr std::string_view kInsOids[] = {routes::ins::kInsNirOid, routes::ins::kInsNiaOid,
                                         routes::ins::kInsNirTestOid, routes::ins::kInsNirDemoOid};

// A merge chain longer than this is a loop in a corrupt store, not a patient.
constexpr int kMaxMergeHops = 16;

std::string WithoutSpaces(std::string text) {
  std::erase(text, ' ');
  return text;
}

// The shape of a matricule (routes/ins/ins_number.h checks its key when it
// is read from a message; a lookup needs only to keep other text out of the
// index's key space).
bool LooksLikeIns(std::string_view ins) {
  if (ins.size() != 15) return false;
  for (size_t i = 0; i < ins.size(); ++i) {
    const char c = ins[i];
    if (!(c >= '0' && c <= '9') && !(i == 6 && (c == 'A' || c == 'B'))) return false;
  }
  return true;
}

// A patient key's IPP and authority (routes/patient_key.h).
std::pair<std::string, std::string> SplitKey(const std::string& patient) {
  const size_t separator = patient.find('\x1f');
  if (separator == std::string::npos) return {patient, ""};
  return {patient.substr(0, separator), patient.substr(separator + 1)};
}

admin::IdentityDetail ToIdentityDetail(const identity::Identity& record) {
  admin::IdentityDetail detail;
  detail.set_ipp(record.ipp());
  detail.set_authority(record.authority());
  detail.set_status(std::string(routes::ins::StatusWord(record.status())));
  detail.set_doubtful(record.doubtful());
  detail.set_fictitious(record.fictitious());
  if (record.has_ins()) {
    detail.set_ins_matricule(record.ins().matricule());
    detail.set_ins_oid(record.ins().oid());
  }
  *detail.mutable_traits() = record.traits();
  *detail.mutable_used_names() = record.used_names();
  detail.set_reliability_code(record.reliability_code());
  *detail.mutable_dmp() = record.dmp();
  if (!record.merged_into().empty()) {
    auto [ipp, authority] = SplitKey(record.merged_into());
    detail.set_merged_into_ipp(ipp);
    detail.set_merged_into_authority(authority);
  }
  *detail.mutable_updated_at() = TimeUtil::MicrosecondsToTimestamp(record.updated_at_us());
  if (record.updated_by() != 0) detail.set_updated_by(store::FormatMessageId(record.updated_by()));
  return detail;
}

// Builds the answer to one lookup, and the ids its audit entry names.
class IdentityLookup {
 public:
  explicit IdentityLookup(const store::Store& store) : store_(store) {}

  absl::Status Find(const std::string& ipp, const std::string& ins) {
    if (!ipp.empty()) {
      auto records = store_.FindIdentitiesByIpp(ipp);
      if (!records.ok()) return records.status();
      for (const store::IdentityRecord& record : *records) Add(record.patient, "ipp");
    }
    if (!ins.empty()) {
      for (std::string_view oid : kInsOids) {
        auto patients = store_.FindPatientsByIns(oid, ins);
        if (!patients.ok()) return patients.status();
        for (const std::string& patient : *patients) Add(patient, "ins");
      }
    }
    // Merged records bring their survivors, which bring theirs.
    for (size_t i = 0; i < pending_.size(); ++i) {
      auto [patient, matched_by, hops] = pending_[i];
      auto record = store_.GetIdentity(patient);
      if (!record.ok()) return record.status();
      if (!record->has_value()) continue;  // an index entry ahead of its record: none
      absl::Status added = AddRecord(patient, matched_by, **record);
      if (!added.ok()) return added;
      const std::string& survivor = (*record)->merged_into();
      if (!survivor.empty() && hops < kMaxMergeHops)
        pending_.push_back({survivor, "merge", hops + 1});
    }
    if (!ins.empty()) {
      for (std::string_view oid : kInsOids) {
        absl::Status listed =
            AddParked(store::InsParkKey(oid, ins), *response_.mutable_parked_without_identity());
        if (!listed.ok()) return listed;
      }
    }
    return absl::OkStatus();
  }

  const admin::IdentitiesResponse& response() const { return response_; }
  const std::vector<uint64_t>& shown_ids() const { return shown_ids_; }
  size_t parked_count() const { return seen_parked_.size(); }

 private:
  struct Pending {
    std::string patient;
    std::string matched_by;
    int hops = 0;
  };

  void Add(const std::string& patient, const char* matched_by) {
    pending_.push_back({patient, matched_by, 0});
  }

  absl::Status AddRecord(const std::string& patient, const std::string& matched_by,
                         const identity::Identity& record) {
    if (!seen_patients_.insert(patient).second) return absl::OkStatus();
    admin::IdentityDetail* detail = response_.add_identities();
    *detail = ToIdentityDetail(record);
    detail->set_matched_by(matched_by);
    if (record.updated_by() != 0) shown_ids_.push_back(record.updated_by());
    auto history = store_.GetIdentityHistory(patient);
    if (!history.ok()) return history.status();
    for (const identity::IdentityChange& change : *history) {
      admin::IdentityEvent* event = detail->add_history();
      *event->mutable_at() = TimeUtil::MicrosecondsToTimestamp(change.at_us());
      event->set_message_id(store::FormatMessageId(change.message_id()));
      event->set_trigger(change.trigger());
      event->set_summary(change.summary());
    }
    absl::Status listed = AddParked(patient, *detail->mutable_parked());
    if (listed.ok() && record.has_ins()) {
      listed = AddParked(store::InsParkKey(record.ins().oid(), record.ins().matricule()),
                         *detail->mutable_parked());
    }
    return listed;
  }

  // The messages parked under `key` not listed yet, appended to `out`.
  absl::Status AddParked(const std::string& key,
                         google::protobuf::RepeatedPtrField<admin::MessageSummary>& out) {
    auto parked = store_.ListParked(key);
    if (!parked.ok()) return parked.status();
    for (uint64_t id : *parked) {
      if (!seen_parked_.insert(id).second) continue;
      auto state = store_.GetState(id);
      if (!state.ok()) return state.status();
      *out.Add() = ToSummary(id, *state);
      shown_ids_.push_back(id);
    }
    return absl::OkStatus();
  }

  const store::Store& store_;
  std::vector<Pending> pending_;
  std::set<std::string> seen_patients_;
  std::set<uint64_t> seen_parked_;
  admin::IdentitiesResponse response_;
  std::vector<uint64_t> shown_ids_;
};

}  // namespace

void AdminServer::RegisterIdentitiesRoute() {
  server_->Get("/v1/identities", [this](const httplib::Request& request,
                                        httplib::Response& response) {
    if (!AcceptOnlyParams(request, response, {"ipp", "ins"})) return;
    const std::string ipp = request.get_param_value("ipp");
    const std::string ins = WithoutSpaces(request.get_param_value("ins"));
    if (ipp.empty() && ins.empty()) {
      return SendError(response, 400, "ipp= or ins= is required: the patient to show");
    }
    if (!ins.empty() && !LooksLikeIns(ins)) {
      return SendError(response, 400,
                       "ins must be the 15 characters of the INS, key included: digits, with A "
                       "or B in the 7th place for Corsica");
    }
    if (std::any_of(ipp.begin(), ipp.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
      return SendError(response, 400, "ipp holds a control character");
    }
    if (!MaySeePayload(request)) {
      return SendError(response, 403,
                       fmt::format("an identity is health data, shown to the {} role and above "
                                   "(engine.admin.payload_role)",
                                   RoleName(payload_role_.load())));
    }
    IdentityLookup lookup(store_);
    if (absl::Status found = lookup.Find(ipp, ins); !found.ok()) {
      return SendError(response, found);
    }
    const admin::IdentitiesResponse& body = lookup.response();
    const std::string detail = fmt::format(
        "by {}: {} record{}, {} parked",
        !ipp.empty() && !ins.empty() ? "ipp and ins"
        : ipp.empty()                ? "ins"
                                     : "ipp",
        body.identities_size(), body.identities_size() == 1 ? "" : "s", lookup.parked_count());
    if (absl::Status audited = Audit(request, "view_identity", lookup.shown_ids(), detail);
        !audited.ok()) {
      return SendError(response, 500,
                       "the identity is not shown: its view cannot be recorded in the audit trail");
    }
    SendJson(response, 200, ToJson(body));
  });
}

}  // namespace navette::engine
