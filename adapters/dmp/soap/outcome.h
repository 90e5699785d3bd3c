// What a DMP exchange means for the message (fr-specs §3.7), as one pure
// function of what the HTTP client saw:
//
//   what came back                                       kind
//   ---------------------------------------------------  ----------
//   RegistryResponse Success / PartialSuccess            kDelivered  (warnings in the reason)
//   no answer (timeout, refused, TLS failure)            kTransient
//   the server refused our certificate (TLS alert)       kPermanent  (TLS_CERTIFICATE_REFUSED)
//   HTTP 5xx, 408, 429 without a readable SOAP answer    kTransient
//   HTTP 2xx whose body is not a DMP response            kTransient  (*)
//   other HTTP 4xx without a readable SOAP answer        kPermanent
//   SOAP Fault Receiver (1.1 Server)                     kTransient
//   SOAP Fault Sender, VersionMismatch, MustUnderstand…  kPermanent  (DMPInvalidCertificate, …)
//   Failure, RegistryError codes:
//     XDSRegistryBusy, XDSRepositoryBusy, …NotAvailable,
//     …OutOfResources, XDSRegistryError,
//     XDSRepositoryError                                 kTransient  (the caller bounds retries)
//     XDSDuplicateUniqueIdInRegistry, XDSNonIdenticalHash,
//     XDSNonIdenticalSize                                kDuplicate
//     metadata, patient and DMP codes (XDSUnknownPatientId,
//     DMPClosed, …) and any code not in the table         kPermanent
//
// A Fault's subcode decides before its code when it is in the table (a
// Receiver fault with subcode DMPClosed is permanent). With several
// RegistryErrors (warnings ignored) the gravest decides: permanent over
// transient over duplicate — a retry cannot fix a permanent one, and a
// transient one means the duplicate may not be the whole story.
//
// kDuplicate is left to the caller: after a request whose answer was lost, a
// duplicate uniqueId most likely means the first attempt was stored (count
// it delivered, or check with ITI-18); on a first attempt it is a permanent
// error. NonIdenticalHash/Size say that *other* bytes are stored under that
// uniqueId; `code` lets the caller tell them apart.
// (*) A 2xx with an unreadable body may hide a stored document; retrying is
// safe because the resubmission then comes back kDuplicate.
#pragma once

#include <string>
#include <string_view>

#include "adapters/dmp/soap/registry_response.h"

namespace navette::adapters::dmp::soap {

enum class OutcomeKind { kDelivered, kTransient, kPermanent, kDuplicate };

struct Outcome {
  OutcomeKind kind = OutcomeKind::kPermanent;
  // The deciding DMP/IHE code, fault (sub)code or "HTTP 503"; "" when
  // delivered without remark.
  std::string code;
  // For logs and the dead-letter: every code with its codeContext and
  // location, or the fault's reason, or the HTTP status and parse error.
  std::string reason;
};

// How the HTTP client's attempt ended.
struct Exchange {
  // Not empty: no HTTP response at all (timeout, connection refused, TLS
  // handshake failure); the rest is ignored.
  std::string transport_error;
  // With transport_error: the server refused the establishment's
  // certificate during the handshake (a TLS alert: certificate required,
  // bad certificate, unknown CA, expired, revoked). Retrying cannot help
  // until the certificate is fixed: permanent, not transient.
  bool credentials_refused = false;
  int http_status = 0;
  std::string content_type;  // the response's Content-Type header
  std::string body;
};

Outcome ClassifyExchange(const Exchange& exchange);
Outcome ClassifyResponse(const DmpResponse& response);
// The table's verdict on one RegistryError code or fault subcode;
// kPermanent for a code it does not know.
OutcomeKind ClassifyErrorCode(std::string_view code);

std::string_view OutcomeKindName(OutcomeKind kind);

}  // namespace navette::adapters::dmp::soap
