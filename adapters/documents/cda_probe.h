// A first look at a CDA R2 document (libxml2): is it well-formed XML with a
// ClinicalDocument root, which body level it has, and its id. Not a
// validation: build_cda validates against CDA_extended.xsd (routes/cda/).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "proto/document.pb.h"

namespace navette::adapters::documents {

struct CdaProbe {
  navette::document::Part::Kind kind = navette::document::Part::KIND_UNSPECIFIED;
  // ClinicalDocument/id: "root", or "root^extension" when it has one.
  std::string id;
};

// InvalidArgument saying what is wrong (not XML, not a ClinicalDocument, no
// body); never quotes the content.
absl::StatusOr<CdaProbe> ProbeCda(std::string_view bytes);

}  // namespace navette::adapters::documents
