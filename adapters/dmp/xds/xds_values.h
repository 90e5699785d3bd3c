// The string forms XDS metadata takes for the DMP (fr-specs.md §1.8, §3.4;
// dmp-mss-notes.md §3): HL7 v2 data types inside slot values and external
// identifiers, UTC times, entryUUIDs, the document hash. Pure functions.
//
//   patientId          <matricule>^^^&<INS OID>&ISO^NH
//   sourcePatientId    <ipp>^^^&<establishment OID>&ISO^PI
//   authorPerson (XCN) <id>^<family>^<given>^^^^^^&<OID>&ISO^D^^^IDNPS
//   authorInstitution  <name>^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^<Struct_IdNat>
//   authorSpecialty    <code>^<display>^<codingScheme>
//
// The samples append CX.7 (^^<date>) to patientId; the VIHF resource-id and
// the ITI-18 query use the form without it, and so does navette.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/dmp/xds/document_metadata.h"

namespace navette::adapters::dmp::xds {

// HL7 v2 escaping of one component (\ ^ & | ~), so that a name holding a
// delimiter cannot shift the fields after it.
std::string EscapeHl7(std::string_view text);

std::string InsCx(const PatientIdentity& patient);
// The IPP CX, or the INS CX when the CDA carried no IPP (fr-specs.md §1.8).
std::string SourcePatientCx(const PatientIdentity& patient);
std::string PersonXcn(const Person& person);
std::string InstitutionXon(const Author& author);
// "code^display^scheme"; empty for an empty code.
std::string CodedValue(const Code& code);

// An HL7 v3 TS ("20210401171000+0100", "202101040735+0100", "19790328") as
// an XDS UTC time: 14 digits when the TS has an hour (which then needs its
// UTC offset), the date alone otherwise. InvalidArgument names `field`.
absl::StatusOr<std::string> XdsTimeFromCda(std::string_view ts, std::string_view field);
// "YYYYMMDDHHMMSS" in UTC.
std::string XdsTime(absl::Time time);

// "urn:uuid:" + a random (version 4) UUID, from OpenSSL's CSPRNG: entryUUIDs
// must never collide across submissions and processes.
std::string NewEntryUuid();
bool IsEntryUuid(std::string_view value);
// Digits and dots, no empty or leading-zero component, at most 64
// characters: what the DMP takes as a uniqueId or sourceId.
bool IsOid(std::string_view value);

// SHA-1 of the bytes, 40 lower-case hex digits (the XDS hash slot).
std::string Sha1Hex(std::string_view bytes);

}  // namespace navette::adapters::dmp::xds
