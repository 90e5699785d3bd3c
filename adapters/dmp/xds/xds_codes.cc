#include "adapters/dmp/xds/xds_codes.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace navette::adapters::dmp::xds {
namespace {

constexpr char kClassSystem[] = "1.2.250.1.213.1.1.4.1";          // TRE_A03 (JDV_J57)
constexpr char kIheFormatSystem[] = "1.3.6.1.4.1.19376.1.2.3";    // TRE_A11
constexpr char kAnsFormatSystem[] = "1.2.250.1.213.1.1.4.2.282";  // TRE_A06
constexpr char kN1Template[] = "1.3.6.1.4.1.19376.1.2.20";        // IHE XDS-SD

struct TypeClass {
  std::string_view type;   // JDV_J07 code
  std::string_view label;  // for the reader of this table
  std::string_view class_code;
  std::string_view class_display;
};

// The document types navette produces or relays (fr-specs.md §2.4; labels
// from JDV_J07_XdsTypeCode_CISIS). Reports are 10, imaging 31,
// prescriptions 42 (fr-specs.md §2.4, after ANS ASS_X04/ASS_X16, which the
// corpus does not hold).
constexpr TypeClass kTypeClasses[] = {
    {"11490-0", "Lettre de liaison à la sortie d'un établissement de soins", "10", "Compte rendu"},
    {"11502-2", "CR d'examens biologiques", "10", "Compte rendu"},
    {"34874-8", "CR opératoire", "10", "Compte rendu"},
    {"34112-3", "CR hospitalier (séjour)", "10", "Compte rendu"},
    {"11488-4", "CR ou fiche de consultation ou de visite", "10", "Compte rendu"},
    {"18748-4", "CR d'imagerie médicale", "31", "Imagerie médicale"},
    {"57833-6", "Prescription de produits de santé", "42", "Prescription"},
    {"57832-8", "Prescription de soins", "42", "Prescription"},
};

struct ModelFormat {
  std::string_view template_id;
  std::string_view format_code;
  std::string_view system;
  std::string_view display;
};

// Structured models (fr-specs.md §2.4; ANS CorresModeleCDA-XdsFormatCode).
// The CR-BIO model carries two templateIds; either one is enough.
constexpr ModelFormat kModelFormats[] = {
    {"1.2.250.1.213.1.1.1.29", "urn:asip:ci-sis:ldl-ses:2017", kAnsFormatSystem,
     "Lettre de liaison à la sortie d'un établissement de santé"},
    {"1.2.250.1.213.1.1.1.55", "urn:ihe:lab:xd-lab:2008", kIheFormatSystem,
     "CR d'examens biologiques"},
    {"1.3.6.1.4.1.19376.1.3.3", "urn:ihe:lab:xd-lab:2008", kIheFormatSystem,
     "CR d'examens biologiques"},
    {"1.2.250.1.213.1.1.1.45", "urn:ihe:rad:CDA:ImagingReportStructuredHeadings:2013",
     kIheFormatSystem, "CR d'imagerie médicale"},
};

struct MediaFormat {
  std::string_view media_type;
  std::string_view format_code;
  std::string_view display;
};

// N1 bodies (fr-specs.md §2.2; the iti-fr codes as the DMP's TD3.1
// response shows them).
constexpr MediaFormat kMediaFormats[] = {
    {"application/pdf", "urn:ihe:iti:xds-sd:pdf:2008", "Document à corps non structuré en Pdf/A-1"},
    {"text/plain", "urn:ihe:iti:xds-sd:text:2008", "Document à corps non structuré en texte brut"},
    {"text/rtf", "urn:ihe:iti-fr:xds-sd:rtf:2010", "Document à corps non structuré en format rtf"},
    {"image/jpeg", "urn:ihe:iti-fr:xds-sd:jpeg:2010",
     "Document à corps non structuré en format jpeg"},
    {"image/tiff", "urn:ihe:iti-fr:xds-sd:tiff:2010",
     "Document à corps non structuré en format tiff"},
};

}  // namespace

absl::StatusOr<Code> ClassCodeForType(std::string_view type_code) {
  for (const TypeClass& row : kTypeClasses) {
    if (row.type == type_code) {
      return Code{std::string(row.class_code), std::string(row.class_display), kClassSystem};
    }
  }
  return absl::NotFoundError(absl::StrCat("no DMP classCode known for document type \"",
                                          std::string(type_code), "\" (ClinicalDocument/code)"));
}

absl::StatusOr<Code> FormatCodeFor(const std::vector<std::string>& template_ids,
                                   std::string_view n1_media_type) {
  const auto has = [&](std::string_view id) {
    return std::find(template_ids.begin(), template_ids.end(), id) != template_ids.end();
  };
  if (has(kN1Template)) {
    for (const MediaFormat& row : kMediaFormats) {
      if (row.media_type == n1_media_type) {
        return Code{std::string(row.format_code), std::string(row.display), kIheFormatSystem};
      }
    }
    return absl::NotFoundError(absl::StrCat("no DMP formatCode for an N1 body of mediaType \"",
                                            std::string(n1_media_type),
                                            "\" (nonXMLBody/text/@mediaType)"));
  }
  for (const ModelFormat& row : kModelFormats) {
    if (has(row.template_id)) {
      return Code{std::string(row.format_code), std::string(row.display), std::string(row.system)};
    }
  }
  return absl::NotFoundError(absl::StrCat("no DMP formatCode for the CDA templateIds [",
                                          absl::StrJoin(template_ids, ", "), "]"));
}

std::vector<Code> ConfidentialityCodes(std::string_view cda_confidentiality,
                                       const Masking& masking) {
  static constexpr std::string_view kHl7Labels[][2] = {
      {"N", "Normal"}, {"R", "Restreint"}, {"V", "Très restreint"}};
  std::vector<Code> codes;
  std::string label;
  for (const auto& row : kHl7Labels) {
    if (row[0] == cda_confidentiality) label = std::string(row[1]);
  }
  codes.push_back({std::string(cda_confidentiality), label, kHl7ConfidentialitySystem});
  // Labels from JDV_J08_XdsConfidentialityCode_CISIS.
  if (masking.masque_ps) {
    codes.push_back({"MASQUE_PS", "Masqué aux professionnels de santé", kDmpMaskingSystem});
  }
  if (masking.invisible_patient) {
    codes.push_back({"INVISIBLE_PATIENT", "Non visible par le patient", kDmpMaskingSystem});
  }
  if (masking.invisible_rep_legaux) {
    codes.push_back({"INVISIBLE_REPRESENTANTS_LEGAUX",
                     "Non visible par les représentants légaux du patient", kDmpMaskingSystem});
  }
  return codes;
}

}  // namespace navette::adapters::dmp::xds
