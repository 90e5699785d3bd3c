#include "adapters/dmp/xds/registry_objects.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "adapters/dmp/xds/xds_codes.h"
#include "adapters/dmp/xds/xds_values.h"

namespace navette::adapters::dmp::xds {
namespace {

constexpr std::string_view kTestInsOids[] = {"1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"};
constexpr std::string_view kProductionInsOids[] = {"1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9"};

absl::Status Invalid(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("XDS ", std::string(field), ": ", std::string(why)));
}

bool Contains(const std::string_view (&list)[2], std::string_view value) {
  return value == list[0] || value == list[1];
}

bool IsXdsTime(std::string_view value) {
  if (value.size() != 8 && value.size() != 14) return false;
  for (char c : value) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// sourcePatientInfo (fr-specs.md §1.8): PID-3 the local id, PID-5 the birth
// name (type L), PID-7, PID-8.
std::vector<std::string> SourcePatientInfo(const PatientIdentity& patient) {
  std::vector<std::string> lines;
  lines.push_back(absl::StrCat("PID-3|", SourcePatientCx(patient)));
  lines.push_back(absl::StrCat("PID-5|", EscapeHl7(patient.birth_name), "^",
                               EscapeHl7(patient.first_given_name), "^^^^^L"));
  if (!patient.birth_date.empty()) lines.push_back(absl::StrCat("PID-7|", patient.birth_date));
  if (!patient.sex.empty()) lines.push_back(absl::StrCat("PID-8|", patient.sex));
  return lines;
}

}  // namespace

absl::Status CheckSubmissionSet(const SubmissionSet& set, const PatientIdentity& patient,
                                const Author& author) {
  if (!IsOid(set.source_id)) return Invalid("XDSSubmissionSet.sourceId", "not an OID");
  if (!IsOid(set.unique_id)) return Invalid("XDSSubmissionSet.uniqueId", "not an OID");
  if (set.content_type.empty() || set.content_type.scheme.empty()) {
    return Invalid("XDSSubmissionSet.contentTypeCode", "missing (JDV_J59 code and scheme)");
  }
  if (patient.ins.size() != 15) {
    return Invalid("patientId", "the INS matricule must have 15 characters");
  }
  if (Contains(kTestInsOids, patient.ins_oid)) {
    if (!set.allow_test_ins) {
      return Invalid("patientId", absl::StrCat("INS OID ", patient.ins_oid,
                                               " is a test/demonstration OID; only the DMP "
                                               "test platform takes it"));
    }
  } else if (!Contains(kProductionInsOids, patient.ins_oid)) {
    return Invalid("patientId", absl::StrCat("\"", patient.ins_oid, "\" is not an INS OID"));
  }
  if (author.person.id.empty() || author.person.oid.empty()) {
    return Invalid("authorPerson", "no identifier");
  }
  if (author.person.family.empty()) {
    return Invalid("authorPerson", "no family name (the DMP refuses nameless authors)");
  }
  if (author.institution_id.empty()) return Invalid("authorInstitution", "no identifier");
  return absl::OkStatus();
}

absl::Status CheckDocument(const DocumentMetadata& document) {
  // The DMP cannot take OID^extension (fr-specs.md §2.1, §3.4).
  if (!IsOid(document.unique_id)) {
    return Invalid("XDSDocumentEntry.uniqueId",
                   absl::StrCat("\"", document.unique_id,
                                "\" is not an OID; the DMP takes an OID-only ClinicalDocument/id"));
  }
  if (document.type.empty() || document.type.scheme.empty()) return Invalid("typeCode", "missing");
  if (document.format.empty() || document.format.scheme.empty()) {
    return Invalid("formatCode", "missing");
  }
  if (document.healthcare_facility_type.empty()) {
    return Invalid("healthcareFacilityTypeCode", "missing (JDV_J02)");
  }
  if (document.practice_setting.empty()) {
    return Invalid("practiceSettingCode", "missing (JDV_J04)");
  }
  if (document.confidentiality != "N" && document.confidentiality != "R" &&
      document.confidentiality != "V") {
    return Invalid("confidentialityCode",
                   absl::StrCat("\"", document.confidentiality, "\" is not N, R or V"));
  }
  if (!IsXdsTime(document.creation_time)) {
    return Invalid("creationTime", "not a UTC time YYYYMMDD[HHMMSS]");
  }
  for (const auto* time : {&document.service_start_time, &document.service_stop_time}) {
    if (!time->empty() && !IsXdsTime(*time)) {
      return Invalid("serviceStartTime/serviceStopTime", "not a UTC time YYYYMMDD[HHMMSS]");
    }
  }
  if (document.class_code.empty()) {
    if (absl::StatusOr<Code> found = ClassCodeForType(document.type.code); !found.ok()) {
      return found.status();
    }
  }
  return absl::OkStatus();
}

xmlNode* WriteSubmissionSet(RimWriter* writer, xmlNode* list, std::string_view id,
                            const SubmissionSet& set, const PatientIdentity& patient,
                            const Author& author) {
  xmlNode* package = writer->Element(list, writer->rim(), "RegistryPackage");
  RimWriter::SetAttribute(package, "id", id);
  writer->Slot(package, "submissionTime", {XdsTime(set.time)});
  writer->Name(package, set.title);
  writer->AuthorClassification(package, kSetAuthorScheme, id, author);
  writer->CodedClassification(package, kContentTypeScheme, id, set.content_type);
  writer->NodeClassification(package, kSubmissionSetNode, id);
  writer->ExternalIdentifier(package, kSetPatientIdScheme, id, InsCx(patient),
                             "XDSSubmissionSet.patientId");
  writer->ExternalIdentifier(package, kSetSourceIdScheme, id, set.source_id,
                             "XDSSubmissionSet.sourceId");
  writer->ExternalIdentifier(package, kSetUniqueIdScheme, id, set.unique_id,
                             "XDSSubmissionSet.uniqueId");
  return package;
}

xmlNode* WriteDocumentEntry(RimWriter* writer, xmlNode* list, const EntryIdentity& entry,
                            const DocumentMetadata& document) {
  const std::string& id = entry.id;
  xmlNode* object = writer->Element(list, writer->rim(), "ExtrinsicObject");
  RimWriter::SetAttribute(object, "id", id);
  if (!entry.lid.empty()) RimWriter::SetAttribute(object, "lid", entry.lid);
  RimWriter::SetAttribute(object, "mimeType", document.mime_type);
  RimWriter::SetAttribute(object, "objectType", kDocumentEntryObjectType);
  if (!entry.lid.empty()) {
    RimWriter::SetAttribute(object, "status",
                            "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved");
  }

  writer->Slot(object, "creationTime", {document.creation_time});
  writer->Slot(object, "hash", {entry.hash});
  writer->Slot(object, "languageCode", {document.language});
  if (!document.legal_authenticator.empty()) {
    writer->Slot(object, "legalAuthenticator", {PersonXcn(document.legal_authenticator)});
  }
  if (!entry.repository_unique_id.empty()) {
    writer->Slot(object, "repositoryUniqueId", {entry.repository_unique_id});
  }
  if (!document.service_start_time.empty()) {
    writer->Slot(object, "serviceStartTime", {document.service_start_time});
  }
  if (!document.service_stop_time.empty()) {
    writer->Slot(object, "serviceStopTime", {document.service_stop_time});
  }
  writer->Slot(object, "size", {std::to_string(entry.size)});
  writer->Slot(object, "sourcePatientId", {SourcePatientCx(document.patient)});
  writer->Slot(object, "sourcePatientInfo", SourcePatientInfo(document.patient));
  if (!entry.uri.empty()) writer->Slot(object, "URI", {entry.uri});
  writer->Name(object, document.title);

  writer->AuthorClassification(object, kEntryAuthorScheme, id, document.author);
  Code class_code = document.class_code;
  if (class_code.empty()) class_code = ClassCodeForType(document.type.code).value_or(Code{});
  writer->CodedClassification(object, kClassCodeScheme, id, class_code);
  for (const Code& code : ConfidentialityCodes(document.confidentiality, document.masking)) {
    writer->CodedClassification(object, kConfidentialityScheme, id, code);
  }
  writer->CodedClassification(object, kFormatCodeScheme, id, document.format);
  writer->CodedClassification(object, kFacilityTypeScheme, id, document.healthcare_facility_type);
  writer->CodedClassification(object, kPracticeSettingScheme, id, document.practice_setting);
  writer->CodedClassification(object, kTypeCodeScheme, id, document.type);
  writer->ExternalIdentifier(object, kEntryPatientIdScheme, id, InsCx(document.patient),
                             "XDSDocumentEntry.patientId");
  writer->ExternalIdentifier(object, kEntryUniqueIdScheme, id, document.unique_id,
                             "XDSDocumentEntry.uniqueId");
  return object;
}

}  // namespace navette::adapters::dmp::xds
