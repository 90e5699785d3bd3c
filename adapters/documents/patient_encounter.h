// The patient (PID, per PAM-FR) and the encounter (PV1) of a document message.
#pragma once

#include "adapters/hl7v2/message.h"
#include "proto/document.pb.h"

namespace navette::adapters::documents {

// PID-3 repetitions: CX.5 PI is the IPP, CX.5 INS or NH the INS (unchecked
// here: attach_ins checks it). PID-5 the repetition of type L, PID-7, PID-8,
// PID-11 the repetition of type BDL (XAD.9, the birthplace code).
navette::document::Patient ReadPatient(const hl7v2::Message& message);

// PV1-2, PV1-3, PV1-19 (CX.1 and CX.4 as sent), PV1-44, PV1-45.
navette::document::Encounter ReadEncounter(const hl7v2::Message& message);

}  // namespace navette::adapters::documents
