// The parts of ORU^R01 and MDM^T02/T10/T04 that differ: where the action,
// the document type, the ids and the time are read. The rest (PID, PV1, PRT,
// OBX) is read the same for both (contract.cc).
#pragma once

#include "adapters/documents/reading.h"
#include "adapters/hl7v2/message.h"

namespace navette::adapters::documents {

// ORU^R01 (HL7 2.5): action from ORC-1, type OBR-4, time OBR-7 (else the
// document OBX-14, read later). The document id comes from the CDA itself.
void ReadOru(const hl7v2::Message& message, Reading& reading);

// MDM (HL7 2.6): action from the event (T02, T10, T04), type TXA-2 (its
// label from OBR-4 or the document OBX-3), time TXA-4, ids TXA-12 and TXA-13.
void ReadMdm(const hl7v2::Message& message, Reading& reading);

// The action an ORC-1, OBX-11 or MDM event code stands for;
// ACTION_UNSPECIFIED for another value.
navette::document::Action ActionOfOrderControl(std::string_view orc1);
navette::document::Action ActionOfResultStatus(std::string_view obx11);
navette::document::Action ActionOfEvent(std::string_view event);

}  // namespace navette::adapters::documents
