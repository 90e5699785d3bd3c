#include "adapters/documents/patient_encounter.h"

#include <string>

#include "adapters/documents/hl7_fields.h"

namespace navette::adapters::documents {
namespace {

// A patient has a handful of ids, names and addresses; the bound guards
// against a pathological message, not a real one.
constexpr int kMostRepetitions = 32;

std::string Pid(const hl7v2::Message& message, int field, int repetition = 1, int component = 0,
                int subcomponent = 0) {
  return FieldValue(message, "PID", 1, field, repetition, component, subcomponent);
}

// The first repetition of PID-`field` whose component `component` is `value`
// (case-insensitive); 0 when there is none.
int RepetitionOfType(const hl7v2::Message& message, int field, int component,
                     std::initializer_list<std::string_view> values) {
  for (int repetition = 1; repetition <= kMostRepetitions; ++repetition) {
    if (!message.Get(hl7v2::FieldPath::Of("PID", field, repetition))) break;
    std::string type = Pid(message, field, repetition, component);
    for (std::string_view value : values) {
      if (SameText(type, value)) return repetition;
    }
  }
  return 0;
}

void ReadCx(const hl7v2::Message& message, int repetition, navette::document::Identifier* id) {
  id->set_id(Pid(message, 3, repetition, 1));
  id->set_authority_name(Pid(message, 3, repetition, 4, 1));
  id->set_authority_oid(Pid(message, 3, repetition, 4, 2));
  id->set_type(Pid(message, 3, repetition, 5));
}

}  // namespace

navette::document::Patient ReadPatient(const hl7v2::Message& message) {
  navette::document::Patient patient;
  if (int ipp = RepetitionOfType(message, 3, 5, {"PI"}); ipp != 0) {
    ReadCx(message, ipp, patient.mutable_ipp());
  }
  if (int ins = RepetitionOfType(message, 3, 5, {"INS", "NH"}); ins != 0) {
    ReadCx(message, ins, patient.mutable_ins());
  }
  // PAM-FR: the birth name is the repetition of type L; a lone name without
  // a type is read as it.
  int name = RepetitionOfType(message, 5, 7, {"L"});
  if (name == 0 && !Pid(message, 5, 1, 1).empty()) name = 1;
  if (name != 0) {
    patient.set_birth_name(Pid(message, 5, name, 1));
    patient.set_given_name(Pid(message, 5, name, 2));
    patient.set_given_names(Pid(message, 5, name, 3));
  }
  patient.set_birth_date(Pid(message, 7, 1, 1));
  patient.set_sex(Pid(message, 8));
  if (int birthplace = RepetitionOfType(message, 11, 7, {"BDL"}); birthplace != 0) {
    patient.set_birthplace_code(Pid(message, 11, birthplace, 9));
  }
  return patient;
}

navette::document::Encounter ReadEncounter(const hl7v2::Message& message) {
  navette::document::Encounter encounter;
  auto pv1 = [&](int field, int component = 0) {
    return FieldValue(message, "PV1", 1, field, 1, component);
  };
  encounter.set_patient_class(pv1(2));
  encounter.set_assigned_location(pv1(3));
  encounter.set_visit_number(pv1(19, 1));
  encounter.set_visit_authority(pv1(19, 4));
  encounter.set_admit_time(pv1(44, 1));
  encounter.set_discharge_time(pv1(45, 1));
  return encounter;
}

}  // namespace navette::adapters::documents
