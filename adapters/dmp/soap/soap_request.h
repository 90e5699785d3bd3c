// The HTTP requests navette sends to the DMP's XDS.b services, ready for the
// HTTP client (fr-specs §3.1, §3.6):
//
//   ITI-41 Provide and Register (TD2.1)   DocumentRepository_Service
//     wsa:Action urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b
//     MTOM/XOP (mtom_writer.h): the envelope, then each document as a binary
//     part whose Content-ID is the cid its xop:Include names.
//   ITI-57 Update Document Set (TD3.3a–d) DocumentRegistry_Service
//     wsa:Action urn:ihe:iti:2010:UpdateDocumentSet
//     plain SOAP 1.2: Content-Type application/soap+xml; charset=UTF-8;
//     action="…". The registry's WSDL (CNAM annexe, XDS.b_DocumentRegistry
//     .wsdl) has no MTOM policy and the CNAM TD3.3c/d samples are bare
//     envelopes, so nothing requires MTOM there.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/dmp/soap/mtom_part.h"
#include "adapters/dmp/soap/mtom_writer.h"

namespace navette::adapters::dmp::soap {

inline constexpr char kProvideAndRegisterAction[] =
    "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b";
inline constexpr char kUpdateDocumentSetAction[] = "urn:ihe:iti:2010:UpdateDocumentSet";

struct SoapRequest {
  HttpBody http;           // Content-Type header and body bytes
  std::string message_id;  // wsa:MessageID, to match the response's RelatesTo
};

// `body_xml` is xds::BuildProvideAndRegister's xml; `documents` the parts it
// names. InvalidArgument when an xop:Include names no document or a document
// is named by no xop:Include (the DMP would answer XDSMissingDocument or
// XDSMissingDocumentMetadata), and for BuildEnvelope's and PackMtom's errors.
absl::StatusOr<SoapRequest> BuildProvideAndRegisterRequest(const std::string& endpoint,
                                                           const std::string& signed_vihf,
                                                           const std::string& body_xml,
                                                           const std::vector<MtomPart>& documents);

// `body_xml` is xds::BuildStatusChange's or BuildConfidentialityChange's.
absl::StatusOr<SoapRequest> BuildUpdateDocumentSetRequest(const std::string& endpoint,
                                                          const std::string& signed_vihf,
                                                          const std::string& body_xml);

}  // namespace navette::adapters::dmp::soap
