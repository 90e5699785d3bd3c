// The document OBX (OBX-2 ED): its OBX-5 encapsulated data read into a Part.
//
// OBX-5 is ^TEXT^XML^Base64^<data> (ORU samples) or ^text^XML^Base64^<data>
// (MDM samples): the components are compared case-insensitively. The bytes
// are base64-decoded, then told apart by what they are, not by what OBX-5
// declares: "%PDF-" at the start is a PDF; anything else must be a CDA R2
// (well-formed XML whose root is ClinicalDocument), level 1 when its body is
// a nonXMLBody, level 3 when it is a structuredBody.
#pragma once

#include "adapters/documents/reading.h"
#include "adapters/hl7v2/message.h"

namespace navette::adapters::documents {

// Reads OBX `occurrence` as a document: appends its Part to reading.record
// (also when its content is refused, with the bytes decoded, so that the
// record shows what came) and a violation when the data is not base64 or
// not a CDA or PDF. The CDA's ClinicalDocument/id fills record.document_id
// when no TXA-12 did.
void ReadDocumentObx(const hl7v2::Message& message, int occurrence, Reading& reading);

}  // namespace navette::adapters::documents
