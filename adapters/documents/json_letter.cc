#include "adapters/documents/json_letter.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace navette::adapters::documents {
namespace {

using google::protobuf::FieldDescriptor;
using Json = nlohmann::json;
using navette::document::Document;

constexpr char kDischargeLetterCode[] = "11490-0";
constexpr char kDischargeLetterDisplay[] =
    "Lettre de liaison à la sortie d'un établissement de soins";

absl::Status Error(const std::string& path, const std::string& problem) {
  return absl::InvalidArgumentError(path + ": " + problem);
}

std::string Member(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "1949-03-28" or "19490328" as "19490328".
std::optional<std::string> HlDate(std::string_view text) {
  std::string out;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    out = std::string(text.substr(0, 4)) + std::string(text.substr(5, 2)) +
          std::string(text.substr(8, 2));
  } else {
    out = std::string(text);
  }
  if (out.size() != 8 || !AllDigits(out)) return std::nullopt;
  return out;
}

// An HL7 time (YYYYMMDD[HH[MM[SS]]][+-ZZZZ]) or an ISO 8601 one
// (YYYY-MM-DD[THH:MM[:SS]][Z|+-HH:MM]) as HL7.
std::optional<std::string> HlTime(std::string_view text) {
  const bool iso = text.size() >= 10 && text[4] == '-';
  std::string_view body = text;
  std::string zone;
  if (iso && !text.empty() && text.back() == 'Z') {
    body.remove_suffix(1);
    zone = "+0000";
  } else {
    // A zone's sign comes after the date (whose ISO form has hyphens).
    const size_t sign = text.find_first_of("+-", iso ? 10 : 8);
    if (sign != std::string_view::npos) {
      body = text.substr(0, sign);
      for (char c : text.substr(sign))
        if (c != ':') zone.push_back(c);
      if (zone.size() != 5 || !AllDigits(zone.substr(1))) return std::nullopt;
    }
  }
  std::string digits;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    const bool separator = iso && ((c == '-' && (i == 4 || i == 7)) || (c == 'T' && i == 10) ||
                                   (c == ':' && (i == 13 || i == 16)));
    if (!separator) digits.push_back(c);
  }
  if (!AllDigits(digits) || digits.size() < 8 || digits.size() > 14 || digits.size() % 2 != 0)
    return std::nullopt;
  return digits + zone;
}

// The members of `object` into `message`, by field name: strings, booleans
// and nested messages of the same shape. Repeated and enum fields are not
// read this way (the letter's own fields handle them).
absl::Status ReadMessage(const Json& object, const std::string& path,
                         google::protobuf::Message& message) {
  if (!object.is_object()) return Error(path, "not an object");
  const auto* descriptor = message.GetDescriptor();
  const auto* reflection = message.GetReflection();
  for (const auto& [key, value] : object.items()) {
    const std::string member = Member(path, key);
    const FieldDescriptor* field = descriptor->FindFieldByName(key);
    if (field == nullptr || field->is_repeated()) return Error(member, "unknown field");
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      if (!value.is_string()) return Error(member, "not a string");
      reflection->SetString(&message, field, value.get<std::string>());
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      if (!value.is_boolean()) return Error(member, "not true or false");
      reflection->SetBool(&message, field, value.get<bool>());
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (absl::Status s = ReadMessage(value, member, *reflection->MutableMessage(&message, field));
          !s.ok())
        return s;
    } else {
      return Error(member, "unknown field");
    }
  }
  return absl::OkStatus();
}

// Rewrites `*value` (at `path`) from HL7 or ISO to HL7 form.
absl::Status NormaliseTime(std::string* value, const std::string& path, bool date_only) {
  if (value->empty()) return absl::OkStatus();
  std::optional<std::string> hl7 = date_only ? HlDate(*value) : HlTime(*value);
  if (!hl7) {
    return Error(path, date_only ? "not a date (YYYY-MM-DD or YYYYMMDD)"
                                 : "not a date-time (ISO 8601 or HL7 YYYYMMDDHHMMSS+ZZZZ)");
  }
  *value = *std::move(hl7);
  return absl::OkStatus();
}

absl::Status ReadPatient(const Json& value, Document& document) {
  navette::document::Patient& patient = *document.mutable_patient();
  if (absl::Status s = ReadMessage(value, "patient", patient); !s.ok()) return s;
  if (absl::Status s = NormaliseTime(patient.mutable_birth_date(), "patient.birth_date", true);
      !s.ok())
    return s;
  const std::string& sex = patient.sex();
  if (!sex.empty() &&
      (sex.size() != 1 || std::string_view("MFUOAN").find(sex[0]) == std::string_view::npos)) {
    return Error("patient.sex", "not an HL7 administrative sex (M, F, U, O, A, N)");
  }
  return absl::OkStatus();
}

absl::Status ReadSections(const Json& value, Document& document) {
  if (!value.is_array()) return Error("sections", "not an array");
  if (value.empty()) return Error("sections", "no section: a letter needs at least one");
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string path = absl::StrCat("sections[", i, "]");
    const Json& item = value[i];
    if (!item.is_object()) return Error(path, "not an object");
    navette::document::Section& section = *document.add_sections();
    for (const char* required : {"title", "text"}) {
      if (!item.contains(required)) return Error(Member(path, required), "missing");
    }
    if (absl::Status s = ReadMessage(item, path, section); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ReadRecipients(const Json& value, Document& document) {
  if (!value.is_array()) return Error("recipients", "not an array");
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string path = absl::StrCat("recipients[", i, "]");
    navette::document::Participant& recipient = *document.add_participants();
    if (absl::Status s = ReadMessage(value[i], path, recipient); !s.ok()) return s;
    recipient.set_role(navette::document::Participant::RECIPIENT);
  }
  return absl::OkStatus();
}

absl::Status ReadAction(const Json& value, Document& document) {
  if (!value.is_string()) return Error("action", "not a string");
  const std::string action = value.get<std::string>();
  if (action == "create") {
    document.set_action(navette::document::CREATE);
  } else if (action == "replace") {
    document.set_action(navette::document::REPLACE);
  } else {
    return Error("action", "neither \"create\" nor \"replace\"");
  }
  return absl::OkStatus();
}

// The letter's top-level members, each read into the record.
absl::Status ReadLetter(const Json& root, Document& document) {
  if (!root.is_object()) return Error("(document)", "not a JSON object");
  navette::document::Participant sender;
  sender.set_role(navette::document::Participant::SENDER);
  bool has_sender = false;
  for (const auto& [key, value] : root.items()) {
    absl::Status status;
    if (key == "patient") {
      status = ReadPatient(value, document);
    } else if (key == "sections") {
      status = ReadSections(value, document);
    } else if (key == "recipients") {
      status = ReadRecipients(value, document);
    } else if (key == "action") {
      status = ReadAction(value, document);
    } else if (key == "author") {
      status = ReadMessage(value, key, *sender.mutable_person());
      has_sender = true;
    } else if (key == "organization") {
      status = ReadMessage(value, key, *sender.mutable_organization());
      has_sender = true;
    } else if (key == "type" || key == "encounter" || key == "flags" || key == "title" ||
               key == "document_id" || key == "parent_document_id" || key == "effective_time" ||
               key == "mail_body_ps" || key == "mail_body_patient") {
      // Plain fields of the record: read as ReadMessage reads any message.
      status = ReadMessage(Json::object({{key, value}}), "", document);
    } else {
      status = Error(key, "unknown field");
    }
    if (!status.ok()) return status;
  }
  if (!root.contains("sections")) return Error("sections", "missing");
  if (has_sender) *document.add_participants() = std::move(sender);

  if (document.action() == navette::document::ACTION_UNSPECIFIED)
    document.set_action(navette::document::CREATE);
  if (document.action() == navette::document::REPLACE && document.parent_document_id().empty())
    return Error("parent_document_id", "missing: a replacement names the document it replaces");
  if (document.type().code().empty()) {
    if (!document.type().display().empty() || !document.type().system().empty())
      return Error("type.code", "missing");
    document.mutable_type()->set_code(kDischargeLetterCode);
    document.mutable_type()->set_display(kDischargeLetterDisplay);
    document.mutable_type()->set_system("LN");
  }
  if (document.title().empty()) document.set_title(document.type().display());
  if (absl::Status s = NormaliseTime(document.mutable_effective_time(), "effective_time", false);
      !s.ok())
    return s;
  navette::document::Encounter& encounter = *document.mutable_encounter();
  if (absl::Status s = NormaliseTime(encounter.mutable_admit_time(), "encounter.admit_time", false);
      !s.ok())
    return s;
  return NormaliseTime(encounter.mutable_discharge_time(), "encounter.discharge_time", false);
}

}  // namespace

absl::StatusOr<Document> ReadJsonLetter(std::string_view json) {
  Json root;
  try {
    root = Json::parse(json.begin(), json.end());
  } catch (const Json::parse_error& e) {
    // The parser's message ends with the text it last read ("; last read:
    // '...'"), which may be patient data: the error keeps what went wrong
    // and where, without it.
    std::string what = e.what();
    if (const size_t cut = what.find("; last read"); cut != std::string::npos) what.resize(cut);
    return absl::InvalidArgumentError(absl::StrCat("JSON letter: ", what));
  }
  Document document;
  if (absl::Status s = ReadLetter(root, document); !s.ok()) return s;
  return document;
}

}  // namespace navette::adapters::documents
