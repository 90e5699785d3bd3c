#include "adapters/documents/contract_rules.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "adapters/documents/hl7_fields.h"
#include "adapters/documents/message_readers.h"

namespace navette::adapters::documents {
namespace {

using navette::document::Action;
using navette::document::Part;

// The document types each profile sends (OBR-4 / TXA-2, LOINC). dpi, the
// patient record, sends any type.
constexpr std::array<std::string_view, 2> kSglTypes = {
    "11502-2",  // CR d'examens biologiques (CR-BIO)
    "11526-1",  // CR d'anatomie et de cytologie pathologiques
};
constexpr std::array<std::string_view, 1> kRisTypes = {
    "18748-4",  // CR d'imagerie médicale (CR-IMG)
};
// What a dpi source may send as a PDF alone (build_cda wraps it in its N1).
constexpr std::array<std::string_view, 3> kPdfTypes = {
    "11490-0",  // lettre de liaison à la sortie
    "34874-8",  // compte rendu opératoire
    "57833-6",  // prescription de sortie
};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

std::string_view ActionWord(Action action) {
  switch (action) {
    case navette::document::CREATE:
      return "create";
    case navette::document::REPLACE:
      return "replace";
    case navette::document::DELETE:
      return "delete";
    default:
      return "no action";
  }
}

void CheckParts(Reading& reading) {
  const auto& parts = reading.record.parts();
  if (parts.empty()) {
    reading.violations.push_back(
        Refuse(kSegmentSequenceError, "OBX", "no document OBX (OBX-2 ED carrying the CDA or PDF)"));
    return;
  }
  const int first = reading.document_obx.front().occurrence;
  const int count = parts.size();
  if (reading.is_mdm && count > 1) {
    reading.violations.push_back(
        Refuse(kNonConformantCardinality, Location("OBX", reading.document_obx[1].occurrence, 5),
               fmt::format("an MDM carries one document; {} document OBX found", count)));
  }
  if (!reading.is_mdm && count > 2) {
    reading.violations.push_back(Refuse(
        kNonConformantCardinality, Location("OBX", reading.document_obx[2].occurrence, 5),
        fmt::format("an ORU carries one or two CDA (N1 and/or N3); {} document OBX found", count)));
  }
  if (!reading.is_mdm && count == 2 && parts[0].kind() == parts[1].kind() &&
      parts[0].kind() != Part::KIND_UNSPECIFIED) {
    reading.violations.push_back(
        Refuse(kNonConformantCardinality, Location("OBX", reading.document_obx[1].occurrence, 5),
               "the two CDA of an ORU must be one N1 and one N3 of the same document"));
  }
  if (parts[0].kind() != Part::PDF) return;
  if (!reading.is_mdm) {
    reading.violations.push_back(Refuse(kDataTypeError, Location("OBX", first, 5),
                                        "an ORU carries CDA documents, not a PDF alone"));
  } else if (reading.profile != Profile::kDpi) {
    reading.violations.push_back(
        Refuse(kDataTypeError, Location("OBX", first, 5),
               fmt::format("a PDF alone (no CDA) is accepted from a dpi source only, not {}",
                           ProfileName(reading.profile))));
  } else if (!Contains(kPdfTypes, reading.record.type().code())) {
    reading.violations.push_back(
        Refuse(kTableValueNotFound, reading.type_location,
               "a PDF alone is accepted for a discharge letter (11490-0), an operative report "
               "(34874-8) or a discharge prescription (57833-6) only"));
  }
}

void CheckType(Reading& reading) {
  const std::string& code = reading.record.type().code();
  const std::string field = reading.is_mdm ? "TXA-2" : "OBR-4";
  if (code.empty()) {
    reading.violations.push_back(Refuse(kRequiredFieldMissing, reading.type_location,
                                        fmt::format("{} (document type) is required", field)));
    return;
  }
  bool sends = reading.profile == Profile::kDpi ||
               (reading.profile == Profile::kSgl && Contains(kSglTypes, code)) ||
               (reading.profile == Profile::kRis && Contains(kRisTypes, code));
  if (!sends) {
    reading.violations.push_back(
        Refuse(kTableValueNotFound, reading.type_location,
               fmt::format("{} (document type) {} is not a type the {} profile sends", field, code,
                           ProfileName(reading.profile))));
  }
}

void CheckAction(Reading& reading) {
  const Action action = reading.record.action();
  std::string source;
  if (reading.is_mdm) {
    source = fmt::format("the event {}", reading.event);
    Action ordered = ActionOfOrderControl(reading.order_control);
    if (!reading.order_control.empty() && ordered != action) {
      reading.violations.push_back(Refuse(
          kApplicationError, Location("ORC", 1, 1),
          fmt::format("ORC-1 (order control) {} means {} but {} means {}", reading.order_control,
                      ActionWord(ordered), source, ActionWord(action)),
          kOtherApplicationError));
    }
  } else {
    source = fmt::format("ORC-1 (order control) {}", reading.order_control);
    if (reading.order_control.empty()) {
      reading.violations.push_back(Refuse(kRequiredFieldMissing, Location("ORC", 1, 1),
                                          "ORC-1 (order control) is required: NW, RO or CA"));
      return;
    }
    if (action == navette::document::ACTION_UNSPECIFIED) {
      reading.violations.push_back(Refuse(kTableValueNotFound, Location("ORC", 1, 1),
                                          "ORC-1 (order control) must be NW, RO or CA"));
      return;
    }
  }
  for (const DocumentObx& obx : reading.document_obx) {
    Action status = ActionOfResultStatus(obx.result_status);
    if (status == navette::document::ACTION_UNSPECIFIED) {
      reading.violations.push_back(
          Refuse(kTableValueNotFound, Location("OBX", obx.occurrence, 11),
                 fmt::format("OBX[{}]-11 (result status) of the document must be F, C or D",
                             obx.occurrence)));
    } else if (status != action) {
      reading.violations.push_back(Refuse(
          kApplicationError, Location("OBX", obx.occurrence, 11),
          fmt::format("OBX[{}]-11 (result status) {} means {} but {} means {}", obx.occurrence,
                      obx.result_status, ActionWord(status), source, ActionWord(action)),
          kOtherApplicationError));
    }
  }
}

void CheckMdmIds(Reading& reading) {
  if (!reading.is_mdm) return;
  if (!reading.has_txa) {
    reading.violations.push_back(
        Refuse(kSegmentSequenceError, "TXA", "an MDM needs its TXA segment"));
    return;
  }
  if (reading.record.action() == navette::document::REPLACE &&
      reading.record.parent_document_id().empty()) {
    reading.violations.push_back(
        Refuse(kRequiredFieldMissing, Location("TXA", 1, 13),
               "TXA-13 (parent document number) is required in an MDM^T10 (replacement)"));
  }
}

bool HasSender(const navette::document::Document& record) {
  return std::any_of(record.participants().begin(), record.participants().end(),
                     [](const navette::document::Participant& participant) {
                       return participant.role() == navette::document::Participant::SENDER;
                     });
}

void CheckDestinations(Reading& reading) {
  const navette::document::Flags& flags = reading.record.flags();
  if (flags.dest_dmp() && !HasSender(reading.record)) {
    reading.violations.push_back(
        Refuse(kSegmentSequenceError, reading.flag_locations["DESTDMP"],
               "DESTDMP=Y needs the sender: no PRT with PRT-4 SB (the DMP's author)"));
  }
  // The volet's MSSanté rules (règles de gestion MSSanté): to the
  // professionals only if MASQUE_PS=N, to the patient only if
  // INVISIBLE_PATIENT=N and CONNEXION_SECRETE=N; other combinations are
  // errors.
  if (flags.dest_mssante_ps() && flags.masque_ps()) {
    reading.violations.push_back(
        Refuse(kApplicationError, reading.flag_locations["DESTMSSANTEPS"],
               "DESTMSSANTEPS=Y sends the document to professionals, which MASQUE_PS=Y forbids",
               kOtherApplicationError));
  }
  if (flags.dest_mssante_pat() && flags.invisible_patient()) {
    reading.violations.push_back(
        Refuse(kApplicationError, reading.flag_locations["DESTMSSANTEPAT"],
               "DESTMSSANTEPAT=Y sends the document to the patient, which INVISIBLE_PATIENT=Y "
               "forbids",
               kOtherApplicationError));
  }
  if (flags.dest_mssante_pat() && flags.connexion_secrete()) {
    reading.violations.push_back(
        Refuse(kApplicationError, reading.flag_locations["DESTMSSANTEPAT"],
               "DESTMSSANTEPAT=Y sends the document to the patient, which CONNEXION_SECRETE=Y "
               "forbids",
               kOtherApplicationError));
  }
}

}  // namespace

void CheckRules(Reading& reading) {
  CheckParts(reading);
  CheckType(reading);
  CheckAction(reading);
  CheckMdmIds(reading);
  CheckDestinations(reading);
}

}  // namespace navette::adapters::documents
