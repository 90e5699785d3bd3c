// Completing an incoming CDA (a CR-BIO from the lab, a CR-IMG from the RIS):
// navette adds what the hospital can supply and the header lacks, and
// changes nothing else.
//
//   lacking                                   added
//   the INS in recordTarget/patientRole       the identity's INS as the first id, and the
//                                               strict traits it lacks (record_target.h)
//   custodian's organisation id               1.2.250.1.71.4.2.2 + "1" + hospital FINESS
//   (or the whole custodian)
//   healthCareFacility code                   the hospital's facility type (JDV_J02)
//   (or location, or componentOf)
//
// The ids, setId, versionNumber and relatedDocument the producer wrote are
// kept: a replacement the producer built stays its replacement.
//
// The body stays byte-identical: libxml2 re-serialisation would change its
// bytes (attribute quotes, empty elements, character references), so only
// the header is edited and serialised, and the input's bytes from the body's
// <component start tag (the ClinicalDocument's last child) to the end are
// appended unchanged. The input must therefore be UTF-8, as CI-SIS requires.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/config.pb.h"
#include "proto/document.pb.h"
#include "proto/identity.pb.h"

namespace navette::routes::cda {

struct CompletedCda {
  std::string xml;
  // What was added, for the history ("INS", "birth date", "custodian id",
  // "healthCareFacility code"); empty when the CDA lacked nothing.
  std::vector<std::string> added;
  // As the document says them.
  std::string id;  // id/@root (an OID), or "root^extension"
  bool id_has_extension = false;
  std::string set_id;
  uint32_t version = 1;
  std::string parent_id;  // relatedDocument/parentDocument/id, if any
  std::string type_code;  // code/@code
  std::vector<std::string> template_ids;
};

// InvalidArgument names what is wrong: not well-formed, not a
// ClinicalDocument, not UTF-8, no recordTarget/patientRole, no body, traits
// that disagree with the identity. `identity` may be null (no INS to add).
// `encounter` gives the times of a componentOf navette must add.
absl::StatusOr<CompletedCda> CompleteCda(std::string_view xml, const identity::Identity* identity,
                                         const navette::config::Hospital& hospital,
                                         const navette::document::Encounter& encounter);

// The byte offset of the start tag of the root element's last child element
// (the CDA body), found by scanning the markup (comments, processing
// instructions, CDATA and quoted attribute values skipped); nullopt when the
// root has no child element.
std::optional<size_t> LastRootChildOffset(std::string_view xml);

}  // namespace navette::routes::cda
