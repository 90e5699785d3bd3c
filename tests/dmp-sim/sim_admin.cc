#include "tests/dmp-sim/sim_admin.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/dmp-sim/dmp_metadata_checks.h"

namespace navette::testing::dmp_sim {
namespace {

constexpr char kJson[] = "application/json";

// Keys in the order written (ordered_json); invalid UTF-8 in a stored value
// (a sender's bug) is replaced, not thrown.
std::string Dump(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void AnswerJson(httplib::Response& response, int status, const nlohmann::ordered_json& json) {
  response.status = status;
  response.set_content(Dump(json), kJson);
}

bool SamePatient(const StoredEntry& entry, std::string_view patient_cx) {
  const InsOfCx wanted = SplitPatientCx(patient_cx);
  const InsOfCx stored = SplitPatientCx(entry.patient_id);
  return wanted.matricule == stored.matricule && wanted.oid == stored.oid;
}

}  // namespace

absl::StatusOr<std::vector<CannedAnswer>> ParseFaultLines(std::string_view body) {
  std::vector<CannedAnswer> answers;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(absl::string_view(body.data(), body.size()), '\n')) {
    ++number;
    const absl::string_view spelling = absl::StripAsciiWhitespace(line);
    if (spelling.empty()) continue;
    absl::StatusOr<CannedAnswer> answer =
        ParseCannedAnswer(std::string_view(spelling.data(), spelling.size()));
    if (!answer.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", number, ": ", answer.status().message()));
    }
    answers.push_back(*std::move(answer));
  }
  return answers;
}

std::string DocumentsJson(const std::vector<StoredEntry>& entries) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const StoredEntry& entry : entries) {
    list.push_back({
        {"entryUUID", entry.entry_uuid},
        {"uniqueId", entry.unique_id},
        {"patientId", entry.patient_id},
        {"classCode", entry.class_code},
        {"typeCode", entry.type_code},
        {"formatCode", entry.format_code},
        {"confidentialityCodes", entry.confidentiality_codes},
        {"status", EntryStatusUrn(entry.status)},
        {"version", entry.version},
        {"replacedBy", entry.replaced_by},
        {"hash", entry.hash},
        {"size", entry.size},
    });
  }
  return Dump(list);
}

SimAdminServer::SimAdminServer(DmpRegistry& registry, FaultQueue& faults, std::string host,
                               int port)
    : registry_(registry), faults_(faults), host_(std::move(host)), requested_port_(port) {}

SimAdminServer::~SimAdminServer() { Stop(); }

absl::Status SimAdminServer::Start() {
  if (server_ != nullptr) return absl::FailedPreconditionError("the admin endpoint is started");
  server_ = std::make_unique<httplib::Server>();
  server_->Get("/health", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok\n", "text/plain");
  });
  server_->Get("/documents", [this](const httplib::Request& request, httplib::Response& response) {
    std::vector<StoredEntry> entries = registry_.Entries();
    if (request.has_param("patient")) {
      const std::string patient = request.get_param_value("patient");
      std::erase_if(entries,
                    [&patient](const StoredEntry& entry) { return !SamePatient(entry, patient); });
    }
    response.set_content(DocumentsJson(entries), kJson);
  });
  server_->Post("/faults", [this](const httplib::Request& request, httplib::Response& response) {
    absl::StatusOr<std::vector<CannedAnswer>> answers = ParseFaultLines(request.body);
    if (!answers.ok()) {
      AnswerJson(response, 400, {{"error", std::string(answers.status().message())}});
      return;
    }
    for (CannedAnswer& answer : *answers) faults_.Push(std::move(answer));
    AnswerJson(response, 200, {{"queued", faults_.size()}});
  });
  server_->Get("/faults", [this](const httplib::Request&, httplib::Response& response) {
    AnswerJson(response, 200, {{"queued", faults_.size()}});
  });
  server_->Delete("/faults", [this](const httplib::Request&, httplib::Response& response) {
    AnswerJson(response, 200, {{"cleared", faults_.Clear()}});
  });
  absl::StatusOr<int> bound = serving_.Start(*server_, host_, requested_port_, "admin endpoint");
  if (!bound.ok()) {
    server_.reset();
    return bound.status();
  }
  port_ = *bound;
  return absl::OkStatus();
}

void SimAdminServer::Stop() {
  if (server_ == nullptr) return;
  serving_.Stop(*server_);
  server_.reset();
}

}  // namespace navette::testing::dmp_sim
