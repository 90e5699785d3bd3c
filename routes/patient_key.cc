#include "routes/patient_key.h"

#include <optional>
#include <string_view>

namespace navette::routes {
namespace {

using adapters::hl7v2::FieldPath;

// A patient has a handful of identifiers; the bound guards against a
// pathological message, not a real one.
constexpr int kMostRepetitions = 32;

// SEG[1]-field[repetition].component
FieldPath CxPath(const std::string& segment, int field, int repetition, int component) {
  return FieldPath::Of(segment, field, repetition, component);
}

bool IsIns(std::string_view type) { return type == "INS" || type == "NH"; }

// The wire text at a path, for both kinds of message: MessageView and
// Message give the same text for the same message, so both get the same key.
std::optional<std::string_view> RawAt(const adapters::hl7v2::MessageView& message,
                                      const FieldPath& path) {
  return message.Get(path);
}
std::optional<std::string> RawAt(const adapters::hl7v2::Message& message, const FieldPath& path) {
  return message.GetRaw(path);
}

template <typename AnyMessage>
int FindRepetition(const AnyMessage& message, const std::string& segment, int field) {
  int first_other = 0;
  for (int repetition = 1; repetition <= kMostRepetitions; ++repetition) {
    // Component 1 exists in every repetition there is.
    if (!RawAt(message, CxPath(segment, field, repetition, 1))) break;
    auto type = RawAt(message, CxPath(segment, field, repetition, 5));
    std::string_view type_code = type ? std::string_view(*type) : std::string_view();
    if (type_code == "PI") return repetition;
    if (first_other == 0 && !IsIns(type_code)) first_other = repetition;
  }
  return first_other;
}

template <typename AnyMessage>
std::string KeyOf(const AnyMessage& message, const std::string& segment, int field) {
  int repetition = FindRepetition(message, segment, field);
  if (repetition == 0) return "";
  auto id = RawAt(message, CxPath(segment, field, repetition, 1));
  if (!id || id->empty()) return "";
  std::string key(*id);
  key.push_back('\x1f');  // cannot occur in HL7 text: no ambiguity
  if (auto authority = RawAt(message, CxPath(segment, field, repetition, 4)))
    key.append(*authority);
  return key;
}

}  // namespace

std::string PatientKey(const adapters::hl7v2::MessageView& message) {
  return PatientKeyOf(message, "PID", 3);
}

std::string PatientKey(const adapters::hl7v2::Message& message) {
  return PatientKeyOf(message, "PID", 3);
}

std::string PatientKeyOf(const adapters::hl7v2::MessageView& message, std::string segment,
                         int field) {
  return KeyOf(message, segment, field);
}

std::string PatientKeyOf(const adapters::hl7v2::Message& message, std::string segment, int field) {
  return KeyOf(message, segment, field);
}

int PatientKeyRepetition(const adapters::hl7v2::Message& message, std::string segment, int field) {
  return FindRepetition(message, segment, field);
}

}  // namespace navette::routes
