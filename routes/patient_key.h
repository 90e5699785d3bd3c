// The key that per-patient delivery ordering groups messages by: the
// patient's IPP (identifiant permanent du patient), read from PID-3.
//
// PID-3 repeats; the IPP is the repetition whose identifier type code
// (CX-5) is "PI" (PAM-FR). When no repetition says so, the first one is
// used. The key is CX-1 and the assigning authority (CX-4) together, so that
// two facilities' numbering cannot collide. Empty when the message has no
// PID-3 (it is then ordered with nothing).
//
// The key stays in the store (delivery tasks) and in memory only; it is
// never logged nor put in a metric label.
#pragma once

#include <string>

#include "adapters/hl7v2/message_view.h"

namespace navette::routes {

std::string PatientKey(const adapters::hl7v2::MessageView& message);

}  // namespace navette::routes
