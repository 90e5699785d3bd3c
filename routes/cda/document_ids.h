// The ids of a CDA navette builds (fr-specs.md §2.1, §2.3):
//
//   id             TXA-12 (Document.document_id) when it is an OID; otherwise
//                  <hospital.oid_root>.1.<message id>
//   setId          a new document: <hospital.oid_root>.2.<message id>
//                  (never equal to id); a replacement: the setId of the
//                  version replaced
//   versionNumber  1; a replacement: the replaced version's + 1
//   parent         a replacement: the id of the version replaced (TXA-13),
//                  found among the versions navette emitted
//
// Derived from the message id, never from a counter or the clock, so that
// routing the same message again after a crash, or replaying it, emits the
// same ids. The ids are OIDs only (no @extension): the DMP takes nothing else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "proto/config.pb.h"
#include "proto/document.pb.h"
#include "routes/document_versions.h"

namespace navette::routes::cda {

struct CdaIds {
  std::string id;
  std::string set_id;
  uint32_t version = 1;
  std::string parent_id;
  // A replacement: the replaced version's setId and number, for
  // relatedDocument/parentDocument.
  std::string parent_set_id;
  uint32_t parent_version = 0;
};

// An OID: digits and dots, no leading zeros, at most 64 characters.
bool IsOid(std::string_view text);

// InvalidArgument (the document is dead): a replacement that names no
// previous version or one navette never emitted, an unusable OID root.
// Other errors are the store's (the router retries).
absl::StatusOr<CdaIds> AssignIds(const navette::document::Document& record,
                                 const navette::config::Hospital& hospital, uint64_t message_id,
                                 const DocumentVersions* versions);

}  // namespace navette::routes::cda
