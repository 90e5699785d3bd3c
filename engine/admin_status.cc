// What the web console asks besides messages (docs/console.md), each open to
// scripts alike:
//
//   GET /v1/whoami   the caller's user and role, and whether it sees payloads
//   GET /v1/status   each destination's queue, dead letters, circuit and last
//                    error, the parked count, the intake's pause: counts, no
//                    patient data (viewer role)
//   GET /v1/parked   ?limit= the documents waiting for an identity, grouped
//                    by patient (the payload role: a group names its patient;
//                    audited as view_parked with the documents shown)
#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>
#include <httplib.h>

#include "engine/admin_listener.h"
#include "engine/admin_responses.h"
#include "engine/admin_server.h"
#include "engine/admin_views.h"
#include "routes/ins/identity_reader.h"
#include "store/keys.h"
#include "store/message_id.h"

namespace navette::engine {
namespace {

constexpr size_t kDefaultParkedLimit = 1000;
constexpr size_t kMaxParkedLimit = 10000;

// The patient a parked key names: a patient key is the IPP, '\x1f', the
// authority; an InsParkKey starts with '\x1f' (store/keys.h).
void DescribeParkKey(const std::string& key, admin::ParkedPatient& patient) {
  if (key.starts_with('\x1f')) {
    // '\x1f' "INS" '\x1f' oid '\x1f' matricule
    const size_t last = key.rfind('\x1f');
    patient.set_ins(key.substr(last + 1));
    return;
  }
  const size_t separator = key.find('\x1f');
  patient.set_ipp(key.substr(0, separator));
  if (separator != key.npos) patient.set_authority(key.substr(separator + 1));
}

}  // namespace

void AdminServer::RegisterStatusRoutes() {
  server_->Get("/v1/whoami", [this](const httplib::Request& request, httplib::Response& response) {
    if (!AcceptOnlyParams(request, response, {})) return;
    // The access check let the request in: its token is known.
    const std::optional<Principal> caller = Caller(request);
    if (!caller) return SendError(response, 401, "a valid token is required");
    admin::WhoAmIResponse body;
    body.set_user(caller->user);
    body.set_role(std::string(RoleName(caller->role)));
    body.set_payload_role(std::string(RoleName(payload_role_.load())));
    body.set_may_see_payload(caller->role >= payload_role_.load());
    SendJson(response, 200, body);
  });

  server_->Get("/v1/status", [this](const httplib::Request& request, httplib::Response& response) {
    if (!AcceptOnlyParams(request, response, {})) return;
    if (!status_reader_) return SendError(response, 503, "the engine is starting");
    admin::StatusResponse body = status_reader_();
    auto parked = store_.CountParked();
    if (!parked.ok()) return SendError(response, 500, std::string(parked.status().message()));
    body.mutable_parked()->set_messages(parked->messages);
    if (parked->oldest_id != 0) {
      const int64_t age_us = google::protobuf::util::TimeUtil::TimestampToMicroseconds(
                                 google::protobuf::util::TimeUtil::GetCurrentTime()) -
                             static_cast<int64_t>(store::MessageIdTimeUs(parked->oldest_id));
      body.mutable_parked()->set_oldest_age_seconds(std::max<int64_t>(0, age_us) / 1e6);
    }
    SendJson(response, 200, body);
  });

  server_->Get("/v1/parked", [this](const httplib::Request& request, httplib::Response& response) {
    if (!AcceptOnlyParams(request, response, {"limit"})) return;
    size_t limit = kDefaultParkedLimit;
    if (request.has_param("limit")) {
      const std::string text = request.get_param_value("limit");
      char* end = nullptr;
      const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || value < 1 || value > kMaxParkedLimit) {
        return SendError(response, 400,
                         fmt::format("limit must be a number from 1 to {}", kMaxParkedLimit));
      }
      limit = value;
    }
    if (!MaySeePayload(request)) {
      return SendError(response, 403,
                       fmt::format("the parked documents name their patients: shown to the {} "
                                   "role and above (engine.admin.payload_role)",
                                   RoleName(payload_role_.load())));
    }
    bool truncated = false;
    auto entries = store_.ListAllParked(limit, &truncated);
    if (!entries.ok()) return SendError(response, 500, std::string(entries.status().message()));
    admin::ParkedResponse body;
    body.set_truncated(truncated);
    std::vector<uint64_t> shown;
    const std::string* current_key = nullptr;
    admin::ParkedPatient* patient = nullptr;
    for (const store::ParkedEntry& entry : *entries) {
      auto state = store_.GetState(entry.id);
      if (absl::IsNotFound(state.status())) continue;  // removed since the scan
      if (!state.ok()) return SendError(response, 500, std::string(state.status().message()));
      if (current_key == nullptr || *current_key != entry.patient) {
        current_key = &entry.patient;
        patient = body.add_patients();
        DescribeParkKey(entry.patient, *patient);
        auto record = store_.GetIdentity(entry.patient);
        if (!record.ok()) return SendError(response, 500, std::string(record.status().message()));
        if (record->has_value()) {
          patient->set_identity_status(std::string(routes::ins::StatusWord((*record)->status())));
          if ((*record)->has_ins()) patient->set_ins((*record)->ins().matricule());
        }
      }
      *patient->add_messages() = ToSummary(entry.id, *state);
      shown.push_back(entry.id);
    }
    if (absl::Status audited = Audit(request, "view_parked", shown); !audited.ok()) {
      return SendError(response, 500,
                       "the parked documents are not shown: their view cannot be recorded in the "
                       "audit trail");
    }
    SendJson(response, 200, body);
  });
}

}  // namespace navette::engine
