#include "routes/patient_key.h"

namespace navette::routes {
namespace {

using adapters::hl7v2::FieldPath;

// PID[1]-3[repetition].component
FieldPath Pid3(int repetition, int component) {
  FieldPath path;
  path.segment = "PID";
  path.segment_index = 1;
  path.field = 3;
  path.repetition = repetition;
  path.component = component;
  return path;
}

std::string KeyOf(const adapters::hl7v2::MessageView& message, int repetition) {
  std::string_view id = message.Get(Pid3(repetition, 1)).value_or("");
  if (id.empty()) return "";
  std::string key(id);
  key.push_back('\x1f');  // cannot occur in HL7 text: no ambiguity
  key.append(message.Get(Pid3(repetition, 4)).value_or(""));
  return key;
}

}  // namespace

std::string PatientKey(const adapters::hl7v2::MessageView& message) {
  // A patient has a handful of identifiers; the bound guards against a
  // pathological message, not a real one.
  constexpr int kMostRepetitions = 32;
  for (int repetition = 1; repetition <= kMostRepetitions; ++repetition) {
    if (!message.Get(Pid3(repetition, 0))) break;
    if (message.Get(Pid3(repetition, 5)).value_or("") == "PI") return KeyOf(message, repetition);
  }
  return KeyOf(message, 1);
}

}  // namespace navette::routes
