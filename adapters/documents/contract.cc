#include "adapters/documents/contract.h"

#include <fmt/format.h>

#include "adapters/documents/contract_rules.h"
#include "adapters/documents/document_parts.h"
#include "adapters/documents/hl7_fields.h"
#include "adapters/documents/message_readers.h"
#include "adapters/documents/meta_flags.h"
#include "adapters/documents/participants.h"
#include "adapters/documents/patient_encounter.h"
#include "adapters/documents/reading.h"

namespace navette::adapters::documents {
namespace {

std::string Msh(const hl7v2::Message& message, int field, int component = 0) {
  return FieldValue(message, "MSH", 1, field, 1, component);
}

// Every OBX after the order: the MetaDMPMSS ones, and the documents (OBX-2
// ED). Other OBX (results sent alongside) are not the contract's.
void ReadObservations(const hl7v2::Message& message, Reading& reading) {
  int count = CountSegments(message, "OBX");
  for (int obx = 1; obx <= count; ++obx) {
    if (IsMetaObx(message, obx)) {
      ReadMetaObx(message, obx, reading);
    } else if (SameText(FieldValue(message, "OBX", obx, 2), "ED")) {
      navette::document::Coded* type = reading.record.mutable_type();
      if (type->display().empty() && FieldValue(message, "OBX", obx, 3, 1, 1) == type->code()) {
        type->set_display(FieldValue(message, "OBX", obx, 3, 1, 2));
        type->set_system(FieldValue(message, "OBX", obx, 3, 1, 3));
      }
      if (reading.record.effective_time().empty()) {
        reading.record.set_effective_time(FieldValue(message, "OBX", obx, 14, 1, 1));
      }
      ReadDocumentObx(message, obx, reading);
    }
  }
}

}  // namespace

std::string_view ProfileName(Profile profile) {
  switch (profile) {
    case Profile::kDpi:
      return "dpi";
    case Profile::kRis:
      return "ris";
    case Profile::kSgl:
      return "sgl";
  }
  return "dpi";
}

std::optional<Profile> ProfileOf(navette::config::Source::Profile profile) {
  switch (profile) {
    case navette::config::Source::DPI:
      return Profile::kDpi;
    case navette::config::Source::RIS:
      return Profile::kRis;
    case navette::config::Source::SGL:
      return Profile::kSgl;
    default:
      return std::nullopt;
  }
}

bool CoveredByContract(std::string_view message_code) {
  return SameText(message_code, "ORU") || SameText(message_code, "MDM");
}

ContractResult ReadDocument(const hl7v2::Message& message, Profile profile) {
  Reading reading;
  reading.profile = profile;
  navette::document::Document& record = reading.record;
  record.set_profile(std::string(ProfileName(profile)));
  record.set_message_type(Msh(message, 9));
  record.set_control_id(Msh(message, 10));
  record.set_sending_application(Msh(message, 3));
  record.set_sending_facility(Msh(message, 4));

  const std::string type = Msh(message, 9, 1);
  reading.event = Msh(message, 9, 2);
  if (SameText(type, "ORU") && SameText(reading.event, "R01")) {
    ReadOru(message, reading);
  } else if (SameText(type, "MDM") &&
             ActionOfEvent(reading.event) != navette::document::ACTION_UNSPECIFIED) {
    ReadMdm(message, reading);
  } else {
    bool known_type = SameText(type, "MDM") || SameText(type, "ORU");
    Violation violation =
        Refuse(known_type ? kUnsupportedEventCode : kUnsupportedMessageType, Location("MSH", 1, 9),
               "MSH-9 (message type): the document contract takes ORU^R01 and MDM^T02, T10 or T04");
    return ContractResult{std::move(record), {std::move(violation)}};
  }
  if (CountSegments(message, "PID") == 0) {
    reading.violations.push_back(
        Refuse(kSegmentSequenceError, "PID", "the message has no PID segment"));
  }
  *record.mutable_patient() = ReadPatient(message);
  *record.mutable_encounter() = ReadEncounter(message);
  ReadParticipants(message, reading);
  ReadObservations(message, reading);
  CheckRules(reading);
  return ContractResult{std::move(reading.record), std::move(reading.violations)};
}

ContractResult ReadDocument(std::string_view utf8, Profile profile) {
  auto message = hl7v2::Message::Parse(utf8);
  if (!message.ok()) {
    ContractResult result;
    result.violations.push_back(
        Refuse(kSegmentSequenceError, "", std::string(message.status().message())));
    return result;
  }
  return ReadDocument(*message, profile);
}

std::string ApplicationError(int application_code) {
  switch (application_code) {
    case 0:
      return "";
    case 900:
      return "900^Version de document incorrecte^applicationErrorCondition";
    case 901:
      return "901^Auteur non autorise^applicationErrorCondition";
    case 902:
      return "902^Patient inconnu^applicationErrorCondition";
    case 903:
      return "903^INS absent^applicationErrorCondition";
    case 904:
      return "904^INS ou traits incoherents^applicationErrorCondition";
    case 905:
      return "905^Traits incomplets^applicationErrorCondition";
    default:
      return fmt::format("{}^Autre erreur^applicationErrorCondition", application_code);
  }
}

hl7v2::AckError AckErrorOf(const Violation& violation) {
  hl7v2::AckError error;
  error.condition_code = violation.condition;
  error.text = violation.reason;
  error.location = violation.location;
  error.application_error = ApplicationError(violation.application_code);
  return error;
}

}  // namespace navette::adapters::documents
