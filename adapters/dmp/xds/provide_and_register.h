// The body of an IHE XDS.b ITI-41 request for one document sent to the DMP
// (TD2.1 « Alimentation », fr-specs.md §3.1, §3.4–3.6):
//
//   xdsb:ProvideAndRegisterDocumentSetRequest
//     lcm:SubmitObjectsRequest/rim:RegistryObjectList
//       rim:RegistryPackage     the SubmissionSet (id urn:uuid)
//       rim:ExtrinsicObject     the DocumentEntry (id = its entryUUID)
//       rim:Association         HasMember SubmissionSet -> entry, SubmissionSetStatus Original
//       rim:Association         RPLC entry -> the replaced version's entryUUID (replacements)
//     xdsb:Document id=<entryUUID>
//       xop:Include href="cid:<content_id>"   the MTOM part holds the exact bytes
//
// The SOAP envelope, the VIHF and the MTOM packaging are built elsewhere;
// this is the element that goes into soap:Body. The XAdES signature entry of
// the CNAM samples is not produced (whether the DMP requires it from an
// establishment is open, fr-specs.md §3.4).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "adapters/dmp/xds/document_metadata.h"

namespace navette::adapters::dmp::xds {

struct ProvideAndRegisterRequest {
  std::string xml;         // UTF-8, with its XML declaration
  std::string entry_uuid;  // keep it: a replacement or ITI-57 names it
  std::string submission_set_uuid;
  std::string content_id;  // the MTOM part's Content-ID, without "cid:" or <>
  std::string hash;        // SHA-1 hex of the document's bytes, as sent
  size_t size = 0;
};

// `document_bytes` are the exact bytes the MTOM part will carry (hash and
// size are theirs). `replaced_entry_uuid`, when not empty, is the DMP
// entryUUID (urn:uuid:..., not the uniqueId OID) of the version this one
// replaces. `content_id` may be empty: one is made from the entryUUID.
// InvalidArgument names the field the DMP would refuse.
absl::StatusOr<ProvideAndRegisterRequest> BuildProvideAndRegister(
    const DocumentMetadata& document, std::string_view document_bytes, const SubmissionSet& set,
    std::string_view replaced_entry_uuid = {}, std::string_view content_id = {});

}  // namespace navette::adapters::dmp::xds
