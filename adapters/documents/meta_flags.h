// The MetaDMPMSS OBX that follow the document(s) (fr-specs.md §5.3):
// OBX-3 <code>^<label>^MetaDMPMSS with OBX-5 Y|N^^expandedYes-NoIndicator for
// the flags (MASQUE_PS ... ACK_LECTURE_MSS), the NTE that may follow
// DESTMSSANTEPAT, and the ED bodies CORPSMAIL_PS / CORPSMAIL_PATIENT.
#pragma once

#include "adapters/documents/reading.h"
#include "adapters/hl7v2/message.h"

namespace navette::adapters::documents {

// Whether OBX `occurrence` is a MetaDMPMSS one (OBX-3.3, any case).
bool IsMetaObx(const hl7v2::Message& message, int occurrence);

// Reads MetaDMPMSS OBX `occurrence` into reading.record (flags, mail bodies)
// and notes its location in reading.flag_locations. A flag whose OBX-5 is
// neither Y nor N is refused (103); an unknown code is noted and let pass. A
// mail body whose base64 is cut is decoded as far as it goes and noted.
void ReadMetaObx(const hl7v2::Message& message, int occurrence, Reading& reading);

// Reads the flag named `name` (DESTDMP, ...) of `flags` into *value; false
// for an unknown name. Also used by route matching on flags by name.
bool FlagByName(const navette::document::Flags& flags, std::string_view name, bool* value);

}  // namespace navette::adapters::documents
