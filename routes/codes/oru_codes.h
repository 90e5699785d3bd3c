// Local lab codes to LOINC in an HL7 v2 ORU's result OBX-3.
//
// A result OBX is one that carries neither a document (OBX-2 ED or RP) nor a
// MetaDMPMSS flag (OBX-3.3). Its OBX-3 (CE: code^text^system^alt code^alt
// text^alt system), when the table maps it, becomes
//
//   loinc^loinc display^LN^local code^local text^local system
//
// the local code kept as the alternate identifier, its system "L" when the
// sender named none. A code already LOINC (OBX-3.3 or OBX-3.6 LN) is left
// alone; a local code the table lacks is listed in `unmapped`.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "routes/codes/loinc_table.h"
#include "routes/codes/mapped_codes.h"

namespace navette::routes::codes {

// `raw` in `charset` (the envelope's); the output is written back in it.
// InvalidArgument when the message cannot be read, or a LOINC label cannot
// be written in its charset.
absl::StatusOr<MappedCodes> MapOruCodes(std::string_view raw, std::string_view charset,
                                        const LoincTable& table);

}  // namespace navette::routes::codes
