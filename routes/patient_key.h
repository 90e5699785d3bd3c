// The key that per-patient delivery ordering groups messages by, and that the
// identity store files a patient under: the patient's IPP (identifiant
// permanent du patient), read from PID-3.
//
// PID-3 repeats; the IPP is the repetition whose identifier type code
// (CX-5) is "PI" (PAM-FR). When no repetition says so, the first repetition
// that is not an INS (CX-5 "INS", or "NH" as XDS writes it) is used: an INS is
// the patient's national number, not the hospital's, and keying on it would
// file the same patient under two keys depending on whether the sender
// attached it. The key is CX-1 and the assigning authority (CX-4), as on the
// wire, together, so that two facilities' numbering cannot collide. Empty
// when the message has no such identifier (it is then ordered with nothing).
//
// The same rule reads any CX list: MRG-1 (the prior identifier of a merge or
// an identifier change) gives the key of the record it names.
//
// The key stays in the store and in memory only; it is never logged nor put
// in a metric label.
#pragma once

#include <string>

#include "adapters/hl7v2/message.h"
#include "adapters/hl7v2/message_view.h"

namespace navette::routes {

// PatientKeyOf(message, "PID", 3).
std::string PatientKey(const adapters::hl7v2::MessageView& message);
std::string PatientKey(const adapters::hl7v2::Message& message);

// The key read from field `field` of the first `segment` segment.
std::string PatientKeyOf(const adapters::hl7v2::MessageView& message, std::string segment,
                         int field);
// The same on a message being rewritten; the same key for the same text.
std::string PatientKeyOf(const adapters::hl7v2::Message& message, std::string segment, int field);

// Which repetition (1-based) of that field the key is read from, so that
// callers can read its other components; 0 when the field has none.
int PatientKeyRepetition(const adapters::hl7v2::Message& message, std::string segment, int field);

}  // namespace navette::routes
