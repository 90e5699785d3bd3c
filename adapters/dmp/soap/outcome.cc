#include "adapters/dmp/soap/outcome.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/dmp/soap/mtom_reader.h"

namespace navette::adapters::dmp::soap {
namespace {

// The codes navette knows: IHE ITI TF-3 Table 4.2.4.1-2 (NIST toolkit's
// TransactionDefinedErrorCodes.txt) and the DMP codes seen in public
// material (dmp-mss-notes §4; annex A7-1 of SEL-MP-037 is not public).
const absl::flat_hash_map<std::string_view, OutcomeKind>& KnownCodes() {
  static const auto* table = new absl::flat_hash_map<std::string_view, OutcomeKind>{
      {"XDSRegistryBusy", OutcomeKind::kTransient},
      {"XDSRepositoryBusy", OutcomeKind::kTransient},
      {"XDSRegistryNotAvailable", OutcomeKind::kTransient},
      {"XDSRepositoryNotAvailable", OutcomeKind::kTransient},
      {"XDSRegistryOutOfResources", OutcomeKind::kTransient},
      {"XDSRepositoryOutOfResources", OutcomeKind::kTransient},
      {"XDSRegistryError", OutcomeKind::kTransient},
      {"XDSRepositoryError", OutcomeKind::kTransient},
      {"XDSDuplicateUniqueIdInRegistry", OutcomeKind::kDuplicate},
      {"XDSNonIdenticalHash", OutcomeKind::kDuplicate},
      {"XDSNonIdenticalSize", OutcomeKind::kDuplicate},
      {"XDSRegistryMetadataError", OutcomeKind::kPermanent},
      {"XDSRepositoryMetadataError", OutcomeKind::kPermanent},
      {"XDSUnknownPatientId", OutcomeKind::kPermanent},
      {"XDSPatientIdDoesNotMatch", OutcomeKind::kPermanent},
      {"XDSMissingDocument", OutcomeKind::kPermanent},
      {"XDSMissingDocumentMetadata", OutcomeKind::kPermanent},
      {"XDSRegistryDuplicateUniqueIdInMessage", OutcomeKind::kPermanent},
      {"XDSRepositoryDuplicateUniqueIdInMessage", OutcomeKind::kPermanent},
      {"XDSDocumentUniqueIdError", OutcomeKind::kPermanent},
      {"XDSUnknownRepositoryId", OutcomeKind::kPermanent},
      {"XDSRegistryDeprecatedDocumentError", OutcomeKind::kPermanent},
      {"InvalidDocumentContent", OutcomeKind::kPermanent},
      {"DMPClosed", OutcomeKind::kPermanent},
      {"DMPInvalidCertificate", OutcomeKind::kPermanent},
      {"DMPIdentityCertificationFailure", OutcomeKind::kPermanent},
  };
  return *table;
}

bool IsKnown(std::string_view code) { return KnownCodes().contains(code); }

// Gravity for combining several errors: permanent > transient > duplicate.
int Gravity(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kPermanent:
      return 3;
    case OutcomeKind::kTransient:
      return 2;
    case OutcomeKind::kDuplicate:
      return 1;
    case OutcomeKind::kDelivered:
      return 0;
  }
  return 3;
}

std::string Describe(const RegistryError& error) {
  std::string text = error.error_code.empty() ? "(no errorCode)" : error.error_code;
  if (!IsKnown(error.error_code)) absl::StrAppend(&text, " (not in navette's table)");
  if (!error.code_context.empty()) absl::StrAppend(&text, ": ", error.code_context);
  if (!error.location.empty()) absl::StrAppend(&text, " [at ", error.location, "]");
  if (error.IsWarning()) absl::StrAppend(&text, " (warning)");
  return text;
}

Outcome ClassifyFault(const SoapFault& fault) {
  std::vector<std::string> codes = {fault.code};
  codes.insert(codes.end(), fault.subcodes.begin(), fault.subcodes.end());
  Outcome outcome;
  outcome.reason = absl::StrCat("SOAP ", fault.version == SoapVersion::k12 ? "1.2" : "1.1",
                                " Fault ", absl::StrJoin(codes, "/"), ": ", fault.reason);
  // The innermost known subcode is the most specific word the server said.
  for (auto it = fault.subcodes.rbegin(); it != fault.subcodes.rend(); ++it) {
    if (IsKnown(*it)) {
      outcome.kind = ClassifyErrorCode(*it);
      outcome.code = *it;
      return outcome;
    }
  }
  outcome.code = fault.subcodes.empty() ? fault.code : fault.subcodes.back();
  outcome.kind = fault.code == "Receiver" || fault.code == "Server" ? OutcomeKind::kTransient
                                                                    : OutcomeKind::kPermanent;
  return outcome;
}

}  // namespace

std::string_view OutcomeKindName(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kDelivered:
      return "delivered";
    case OutcomeKind::kTransient:
      return "transient";
    case OutcomeKind::kPermanent:
      return "permanent";
    case OutcomeKind::kDuplicate:
      return "duplicate";
  }
  return "?";
}

OutcomeKind ClassifyErrorCode(std::string_view code) {
  auto it = KnownCodes().find(code);
  return it == KnownCodes().end() ? OutcomeKind::kPermanent : it->second;
}

Outcome ClassifyResponse(const DmpResponse& response) {
  if (response.fault.has_value()) return ClassifyFault(*response.fault);

  std::vector<std::string> described;
  for (const RegistryError& error : response.errors) described.push_back(Describe(error));
  const std::string listed = absl::StrJoin(described, "; ");
  Outcome outcome;
  if (response.status != RegistryStatus::kFailure) {
    outcome.kind = OutcomeKind::kDelivered;
    outcome.reason = std::string(RegistryStatusName(response.status));
    if (!listed.empty()) absl::StrAppend(&outcome.reason, " with ", listed);
    return outcome;
  }
  const RegistryError* deciding = nullptr;
  for (const RegistryError& error : response.errors) {
    if (error.IsWarning()) continue;
    if (deciding == nullptr || Gravity(ClassifyErrorCode(error.error_code)) >
                                   Gravity(ClassifyErrorCode(deciding->error_code))) {
      deciding = &error;
    }
  }
  if (deciding == nullptr) {
    outcome.kind = OutcomeKind::kPermanent;
    outcome.reason = absl::StrCat("Failure without an error",
                                  listed.empty() ? "" : absl::StrCat(" (", listed, ")"));
    return outcome;
  }
  outcome.kind = ClassifyErrorCode(deciding->error_code);
  outcome.code = deciding->error_code;
  outcome.reason = absl::StrCat("Failure: ", listed);
  return outcome;
}

Outcome ClassifyExchange(const Exchange& exchange) {
  if (!exchange.transport_error.empty() && exchange.credentials_refused) {
    return {.kind = OutcomeKind::kPermanent,
            .code = "TLS_CERTIFICATE_REFUSED",
            .reason = absl::StrCat("the DMP refused the establishment's TLS certificate: ",
                                   exchange.transport_error)};
  }
  if (!exchange.transport_error.empty()) {
    return {.kind = OutcomeKind::kTransient,
            .code = "transport",
            .reason = absl::StrCat("no answer from the DMP: ", exchange.transport_error)};
  }
  absl::StatusOr<std::string> xml = SoapXmlOfHttpBody(exchange.content_type, exchange.body);
  absl::StatusOr<DmpResponse> response =
      xml.ok() ? ParseDmpResponse(*xml) : absl::StatusOr<DmpResponse>(xml.status());
  // A readable SOAP answer says more than the status line (a Fault comes
  // with HTTP 500 or 400 whatever its cause).
  if (response.ok()) return ClassifyResponse(*response);

  const int status = exchange.http_status;
  Outcome outcome;
  outcome.code = absl::StrCat("HTTP ", status);
  outcome.reason =
      absl::StrCat("HTTP ", status, " without a DMP response (", response.status().message(), ")");
  const bool transient = (status >= 500 && status <= 599) || status == 408 || status == 429 ||
                         (status >= 200 && status <= 299);
  outcome.kind = transient ? OutcomeKind::kTransient : OutcomeKind::kPermanent;
  return outcome;
}

}  // namespace navette::adapters::dmp::soap
