// The contract's rules across fields, run on what the readers found
// (docs/document-contract.md lists each with its ACK and ERR):
//   - one or two CDA in an ORU (N1 and/or N3, not twice the same level), one
//     document in an MDM; a PDF alone only in an MDM from a dpi source, for a
//     discharge letter, an operative report or a discharge prescription;
//   - the document type is present and one the profile sends;
//   - the action agrees between ORC-1, each document OBX-11 and the MDM event;
//   - an MDM^T10 names the version it replaces (TXA-13);
//   - DESTDMP=Y needs a sender (PRT SB);
//   - DESTMSSANTEPAT=Y cannot go with INVISIBLE_PATIENT=Y.
#pragma once

#include "adapters/documents/reading.h"

namespace navette::adapters::documents {

// Appends to reading.violations what breaks a rule.
void CheckRules(Reading& reading);

}  // namespace navette::adapters::documents
