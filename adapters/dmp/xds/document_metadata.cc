#include "adapters/dmp/xds/document_metadata.h"

namespace navette::adapters::dmp::xds {
namespace {

// JDV_J02 codes are TRE_R02 secteur d'activité; JDV_J04, TRE_A01 cadre
// d'exercice (fr-specs.md §8).
constexpr char kFacilityTypeSystem[] = "1.2.250.1.71.4.2.4";
constexpr char kPracticeSettingSystem[] = "1.2.250.1.213.1.1.4.9";

}  // namespace

void ApplyHospitalDefaults(const ::navette::config::Hospital& hospital,
                           DocumentMetadata* metadata) {
  if (metadata->healthcare_facility_type.empty() && !hospital.facility_type_code().empty()) {
    metadata->healthcare_facility_type = {hospital.facility_type_code(),
                                          hospital.facility_type_display(), kFacilityTypeSystem};
  }
  if (metadata->practice_setting.empty()) {
    // The configuration's documented default.
    metadata->practice_setting =
        hospital.practice_setting_code().empty()
            ? Code{"ETABLISSEMENT", "Etablissement de santé", kPracticeSettingSystem}
            : Code{hospital.practice_setting_code(), hospital.practice_setting_display(),
                   kPracticeSettingSystem};
  }
}

void ApplyDocumentRecord(const ::navette::document::Document& record, DocumentMetadata* metadata) {
  const auto& flags = record.flags();
  metadata->masking.masque_ps = metadata->masking.masque_ps || flags.masque_ps();
  metadata->masking.invisible_patient =
      metadata->masking.invisible_patient || flags.invisible_patient();
  metadata->masking.invisible_rep_legaux =
      metadata->masking.invisible_rep_legaux || flags.invisible_rep_legaux();
  if (metadata->patient.ipp.empty() && !record.patient().ipp().id().empty() &&
      !record.patient().ipp().authority_oid().empty()) {
    metadata->patient.ipp = record.patient().ipp().id();
    metadata->patient.ipp_oid = record.patient().ipp().authority_oid();
  }
  if (metadata->title.empty()) metadata->title = record.title();
}

}  // namespace navette::adapters::dmp::xds
