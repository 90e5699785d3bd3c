#include "adapters/documents/document_parts.h"

#include <fmt/format.h>

#include "adapters/documents/base64.h"
#include "adapters/documents/cda_probe.h"
#include "adapters/documents/hl7_fields.h"

namespace navette::adapters::documents {

using navette::document::Part;

void ReadDocumentObx(const hl7v2::Message& message, int occurrence, Reading& reading) {
  auto obx5 = [&](int component) {
    return FieldValue(message, "OBX", occurrence, 5, 1, component);
  };
  const std::string location = Location("OBX", occurrence, 5);
  reading.document_obx.push_back(
      DocumentObx{occurrence, FieldValue(message, "OBX", occurrence, 11)});

  Part part;
  part.set_location(fmt::format("OBX[{}]-5", occurrence));
  if (!SameText(obx5(4), "Base64")) {
    reading.violations.push_back(
        Refuse(kDataTypeError, Location("OBX", occurrence, 5),
               fmt::format("OBX[{}]-5.4 (encoding) of the document must be Base64", occurrence)));
    *reading.record.add_parts() = std::move(part);
    return;
  }
  // Base64 never holds escape sequences, but Get unescaped it anyway.
  std::string data = obx5(5);
  std::optional<std::string> bytes = DecodeBase64(data);
  if (!bytes) {
    reading.violations.push_back(
        Refuse(kDataTypeError, location,
               fmt::format("OBX[{}]-5.5 (document data) is not valid base64", occurrence)));
    *reading.record.add_parts() = std::move(part);
    return;
  }
  part.set_content(*std::move(bytes));
  if (part.content().starts_with("%PDF-")) {
    part.set_kind(Part::PDF);
    part.set_media_type("application/pdf");
  } else {
    part.set_media_type("text/xml");
    auto probe = ProbeCda(part.content());
    if (!probe.ok()) {
      reading.violations.push_back(Refuse(kDataTypeError, location,
                                          fmt::format("OBX[{}]-5.5 (document data): {}", occurrence,
                                                      std::string(probe.status().message()))));
    } else {
      part.set_kind(probe->kind);
      if (reading.record.document_id().empty()) reading.record.set_document_id(probe->id);
    }
  }
  *reading.record.add_parts() = std::move(part);
}

}  // namespace navette::adapters::documents
