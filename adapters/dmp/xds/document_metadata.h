// What the ITI-41 builder needs to know about one document sent to the DMP
// (fr-specs.md §3.4): read from the CDA header by ReadCdaMetadata
// (cda_metadata.h), completed by the caller from the document record and the
// hospital's configuration. Plain values, no libxml2: a test or another
// source may fill it by hand.
//
// Times are XDS times: UTC, "YYYYMMDDHHMMSS" (or a date "YYYYMMDD" when the
// CDA gave only a date). Strings are UTF-8, not HL7-escaped (the builder
// escapes them when it writes a CX/XCN/XON).
#pragma once

#include <string>

#include "absl/time/time.h"
#include "proto/config.pb.h"
#include "proto/document.pb.h"

namespace navette::adapters::dmp::xds {

// A coded value as ebRIM carries it: Classification/@nodeRepresentation,
// its codingScheme slot and its Name.
struct Code {
  std::string code;
  std::string display;
  std::string scheme;  // codingScheme, an OID (or "URN", "ASTM")

  bool empty() const { return code.empty(); }
};

// A person (XCN): national identifier under its OID, and names.
struct Person {
  std::string id;   // PS_IdNat, e.g. "801234534765"
  std::string oid;  // "1.2.250.1.71.4.2.1"
  std::string family;
  std::string given;

  bool empty() const { return id.empty(); }
};

// The document's author (the first CDA author): authorPerson,
// authorInstitution, authorSpecialty, authorRole.
struct Author {
  Person person;
  std::string institution_name;
  std::string institution_id;   // Struct_IdNat, "1" + FINESS
  std::string institution_oid;  // "1.2.250.1.71.4.2.2"
  Code specialty;               // assignedAuthor/code (JDV_J01)
  Code role;                    // author/functionCode; optional
};

// The patient as recordTarget names them (fr-specs.md §1.7, §1.8).
struct PatientIdentity {
  std::string ins;               // matricule INS, 15 characters
  std::string ins_oid;           // 1.2.250.1.213.1.4.8 / .9 (.10 / .11 test, demo)
  std::string ipp;               // local patient id; optional
  std::string ipp_oid;           // the establishment's OID for the IPP
  std::string birth_name;        // family@qualifier=BR
  std::string first_given_name;  // given@qualifier=BR (premier prénom)
  std::string birth_date;        // birthTime, YYYYMMDD
  std::string sex;               // administrativeGenderCode: M, F, U
};

// The DMP masking flags (MetaDMPMSS, fr-specs.md §3.5), written as extra
// confidentialityCode classifications.
struct Masking {
  bool masque_ps = false;
  bool invisible_patient = false;
  bool invisible_rep_legaux = false;
};

struct DocumentMetadata {
  // ClinicalDocument/id: "root", or "root^extension" when the CDA has an
  // extension (the DMP refuses the latter: the builder says so).
  std::string unique_id;
  std::string title;
  Code type;        // ClinicalDocument/code (JDV_J07) -> typeCode
  Code class_code;  // empty: from the type (ClassCodeForType)
  Code format;      // from the templateIds, or the N1 mediaType
  std::string mime_type = "text/xml";
  std::string confidentiality = "N";  // CDA confidentialityCode: N, R, V
  std::string language = "fr-FR";
  std::string creation_time;  // effectiveTime, UTC
  std::string service_start_time;
  std::string service_stop_time;
  PatientIdentity patient;
  Author author;
  Person legal_authenticator;     // optional
  Code healthcare_facility_type;  // JDV_J02
  Code practice_setting;          // JDV_J04
  Masking masking;
};

// The submission set around the document: ids the caller owns.
struct SubmissionSet {
  std::string source_id;  // OID of the sending system (XDSSubmissionSet.sourceId)
  std::string unique_id;  // a new OID for each submission
  absl::Time time;        // submissionTime (the caller's clock)
  Code content_type;      // JDV_J59 contentTypeCode, e.g. 04 / 1.2.250.1.213.2.2
  std::string title;      // optional Name
  // The INS test and demonstration OIDs (.10, .11) are refused unless the
  // destination is the DMP's test platform (dmp-mss-notes.md §6.7).
  bool allow_test_ins = false;
};

// Fills what the CDA left empty with the establishment's configuration:
// healthcareFacilityTypeCode and practiceSettingCode (their code systems are
// fixed by JDV_J02 and JDV_J04).
void ApplyHospitalDefaults(const ::navette::config::Hospital& hospital, DocumentMetadata* metadata);

// Copies from the document record what the CDA does not carry: the masking
// flags, and the IPP when the CDA has none.
void ApplyDocumentRecord(const ::navette::document::Document& record, DocumentMetadata* metadata);

}  // namespace navette::adapters::dmp::xds
