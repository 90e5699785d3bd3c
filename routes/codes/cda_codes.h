// Local lab codes to LOINC in a CDA R2 document's structured body (a CR-BIO
// N3).
//
// Every observation/code of the structuredBody is looked at:
//
//   <code code="GLU" codeSystem="1.2.250.1.2.3.4" displayName="Glycémie"/>
//     a local code the table maps becomes
//   <code code="2345-7" codeSystem="2.16.840.1.113883.6.1" codeSystemName="LOINC"
//         displayName="Glucose ..."><translation code="GLU" codeSystem="1.2.250.1.2.3.4"
//         displayName="Glycémie"/></code>
//
//   <code><originalText>..</originalText><translation code="1234" codeSystem=".."/></code>
//     (no code of its own, the local code in a translation, as the CI-SIS
//     asks for a code with no LOINC yet) gets the LOINC as its code,
//     translations kept.
//
// The original stays a <translation> (CD allows it after originalText and
// qualifier), so that the document stays valid against CDA_extended.xsd. A
// code already LOINC, or with a LOINC translation, is left alone; a local
// code the table lacks is listed in `unmapped`. Section codes and coded
// values are not touched.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "routes/codes/loinc_table.h"
#include "routes/codes/mapped_codes.h"

namespace navette::routes::codes {

// `xml` is the document's bytes (its own encoding declaration); the output
// is UTF-8. InvalidArgument when it is not well-formed XML.
absl::StatusOr<MappedCodes> MapCdaCodes(std::string_view xml, const LoincTable& table);

}  // namespace navette::routes::codes
