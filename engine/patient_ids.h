// The patient identifiers a message names, for the search index: its
// PID-3 repetitions whose CX.5 is "PI" (an IPP) or "INS" / "NH" (an INS),
// CX.1 as written. Read at ingress from the PID segment alone, by its
// separators (MSH-1, MSH-2): no parse of the whole message, whose OBX may
// hold megabytes of base64. A message without PID (an ACK) names none.
#pragma once

#include <string_view>

#include "store/store.h"

namespace navette::engine {

store::PatientIds PatientIdsOf(std::string_view raw);

}  // namespace navette::engine
