#include "adapters/documents/message_readers.h"

#include "adapters/documents/hl7_fields.h"

namespace navette::adapters::documents {
namespace {

using navette::document::Action;

// An EI (TXA-12, TXA-13) as the record keeps a CDA id: the OID in EI.1 when
// EI.3 is empty (what the DMP needs), else "root^extension" (EI.3, EI.1).
std::string DocumentId(const hl7v2::Message& message, int field) {
  std::string first = FieldValue(message, "TXA", 1, field, 1, 1);
  std::string root = FieldValue(message, "TXA", 1, field, 1, 3);
  if (root.empty()) return first;
  return first.empty() ? root : root + "^" + first;
}

}  // namespace

Action ActionOfOrderControl(std::string_view orc1) {
  if (SameText(orc1, "NW")) return navette::document::CREATE;
  if (SameText(orc1, "RO")) return navette::document::REPLACE;
  if (SameText(orc1, "CA")) return navette::document::DELETE;
  return navette::document::ACTION_UNSPECIFIED;
}

Action ActionOfResultStatus(std::string_view obx11) {
  if (SameText(obx11, "F")) return navette::document::CREATE;
  if (SameText(obx11, "C")) return navette::document::REPLACE;
  if (SameText(obx11, "D")) return navette::document::DELETE;
  return navette::document::ACTION_UNSPECIFIED;
}

Action ActionOfEvent(std::string_view event) {
  if (SameText(event, "T02")) return navette::document::CREATE;
  if (SameText(event, "T10")) return navette::document::REPLACE;
  if (SameText(event, "T04")) return navette::document::DELETE;
  return navette::document::ACTION_UNSPECIFIED;
}

void ReadOru(const hl7v2::Message& message, Reading& reading) {
  navette::document::Document& record = reading.record;
  reading.order_control = FieldValue(message, "ORC", 1, 1);
  record.set_action(ActionOfOrderControl(reading.order_control));
  reading.type_location = Location("OBR", 1, 4);
  navette::document::Coded* type = record.mutable_type();
  type->set_code(FieldValue(message, "OBR", 1, 4, 1, 1));
  type->set_display(FieldValue(message, "OBR", 1, 4, 1, 2));
  type->set_system(FieldValue(message, "OBR", 1, 4, 1, 3));
  record.set_effective_time(FieldValue(message, "OBR", 1, 7, 1, 1));
}

void ReadMdm(const hl7v2::Message& message, Reading& reading) {
  navette::document::Document& record = reading.record;
  reading.is_mdm = true;
  reading.order_control = FieldValue(message, "ORC", 1, 1);
  reading.has_txa = CountSegments(message, "TXA") > 0;
  record.set_action(ActionOfEvent(reading.event));
  reading.type_location = Location("TXA", 1, 2);
  navette::document::Coded* type = record.mutable_type();
  type->set_code(FieldValue(message, "TXA", 1, 2, 1, 1));
  // TXA-2 is a bare code in the samples: its label and system come from
  // OBR-4 (or the document OBX-3, read with the observations) when they
  // name the same code.
  if (FieldValue(message, "OBR", 1, 4, 1, 1) == type->code()) {
    type->set_display(FieldValue(message, "OBR", 1, 4, 1, 2));
    type->set_system(FieldValue(message, "OBR", 1, 4, 1, 3));
  }
  record.set_effective_time(FieldValue(message, "TXA", 1, 4, 1, 1));
  record.set_document_id(DocumentId(message, 12));
  record.set_parent_document_id(DocumentId(message, 13));
}

}  // namespace navette::adapters::documents
