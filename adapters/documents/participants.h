// The PRT participations of a document message (PRT pre-adopted from v2.9):
// SB the sender, RCT each MSSanté recipient (a professional, or the patient
// by INS), REPLY the reply-to address. Other roles are left out.
#pragma once

#include "adapters/documents/reading.h"
#include "adapters/hl7v2/message.h"

namespace navette::adapters::documents {

// Appends the participants to reading.record; a PRT-4 role the contract does
// not define is refused (103 at PRT^n^4).
void ReadParticipants(const hl7v2::Message& message, Reading& reading);

}  // namespace navette::adapters::documents
