// N1 (non structured) CDA documents carrying a PDF (fr-specs.md §2.2), as the
// ANS examples DOC_NON_STRUCTURE_CDA-R2-N1.xml and
// BIO-CR-BIO_2021.01_CDA-R2-Niveau-1.xml build them: the full CI-SIS header
// with exactly three templateIds (HL7 France 2.16.840.1.113883.2.8.2.1,
// CI-SIS 1.2.250.1.213.1.1.1.1, IHE XDS-SD 1.3.6.1.4.1.19376.1.2.20) and
// component/nonXMLBody/text mediaType="application/pdf" representation="B64".
//
// The model follows the document type:
//
//   11490-0   LDL-SES   Lettre de liaison à la sortie de l'établissement de santé
//   34874-8   CR-OP     Compte rendu opératoire
//   57833-6   PRESC     Prescription de produits de santé
//   other     N1        the type's display name
//
// An N1 never carries a volet's templateId (the LDL-SES one,
// 1.2.250.1.213.1.1.1.29, belongs to the structured letter), so the volet's
// schematron section rules do not apply to it; the header schematron does.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "routes/cda/cda_header.h"

namespace navette::routes::cda {

struct N1Model {
  std::string_view name;   // LDL-SES, CR-OP, PRESC, N1
  std::string_view title;  // empty: the type's display name
};

N1Model N1ModelFor(std::string_view type_code);

// The three templateIds of every N1.
std::vector<TemplateId> N1TemplateIds();

// The CDA in UTF-8. `header.template_ids` is ignored (an N1 has its three);
// an empty `header.title` becomes the model's or the type's.
absl::StatusOr<std::string> BuildN1(HeaderInput header, std::string_view pdf);

}  // namespace navette::routes::cda
