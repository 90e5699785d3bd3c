// A structured letter (a discharge letter written as sections of text, no
// PDF) read from JSON into the canonical document record, for the HTTP and
// file sources that will carry such letters; build_cda renders its sections
// to a PDF (routes/cda/letter_pdf.h). The format is documented in
// docs/cda-building.md, "Structured letters (JSON)":
//
//   {
//     "document_id": "1.2.250.1.999.1.1.4.7",          optional (TXA-12)
//     "type": {"code": "11490-0", "display": "...", "system": "LN"},
//                                     optional, the discharge letter by default
//     "title": "Lettre de liaison ...",         optional, the type's display
//     "action": "create",             optional: create (default) or replace
//     "parent_document_id": "...",    required with replace (TXA-13)
//     "effective_time": "2026-12-03T10:15:00+01:00",
//     "patient": {"ipp": {"id": "123", "authority_oid": "1.2.250..."},
//                 "ins": {...}, "birth_name": "MARTIN", "given_name": "Françoise",
//                 "given_names": "...", "birth_date": "1949-03-28", "sex": "F",
//                 "birthplace_code": "42218"},
//     "author": {"id": {"id": "810000000001", "authority_oid": "1.2.250.1.71.4.2.1",
//                       "type": "RPPS"}, "family": "LEFÈVRE", "given": "Hélène",
//                "prefix": "DR"},
//     "organization": {"id": {...}, "name": "CH de Saint-Étienne"},
//     "recipients": [{"person": {...}, "organization": {...}, "address": "...",
//                     "is_patient": false}],
//     "encounter": {"admit_time": "...", "discharge_time": "...", ...},
//     "flags": {"dest_dmp": true, "dest_mssante_ps": true, ...},
//     "mail_body_ps": "...", "mail_body_patient": "...",
//     "sections": [{"title": "Motif d'hospitalisation", "text": "..."}]
//   }
//
// Object members are the fields of proto/document.proto of the same name;
// an unknown member is an error (a misspelt flag must not be dropped).
// Dates and times are HL7 (19490328, 20261203101500+0100) or ISO 8601
// (1949-03-28, 2026-12-03T10:15:00+01:00, Z for UTC) and are kept in the
// record in HL7 form, as the HL7v2 profiles leave them.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "proto/document.pb.h"

namespace navette::adapters::documents {

// The record, action CREATE unless "replace", the author and organization as
// the SENDER participant, the recipients as RECIPIENT. InvalidArgument naming
// the JSON path ("sections[2].text: not a string", "patient.birth_date: not
// a date") or the byte of a syntax error.
absl::StatusOr<navette::document::Document> ReadJsonLetter(std::string_view json);

}  // namespace navette::adapters::documents
