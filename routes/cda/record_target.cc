#include "routes/cda/record_target.h"

#include <string_view>

#include <fmt/format.h>

#include "absl/strings/str_split.h"
#include "routes/cda/xml_tree.h"

namespace navette::routes::cda {
namespace {

constexpr std::string_view kGenderSystem = "2.16.840.1.113883.5.1";

// The traits a header writes, from the identity store or the record's PID.
struct Traits {
  std::string birth_name;
  std::string given_names;  // all birth given names, space-separated
  std::string first_given;
  std::string used_family;
  std::string used_given;
  std::string birth_date;  // YYYYMMDD
  std::string sex;         // F, M, U
  std::string birthplace;  // INSEE COG
};

std::string Sex(std::string_view hl7) {
  if (hl7 == "F" || hl7 == "M") return std::string(hl7);
  return "U";  // PID-8 U, O, A, N, or empty: the CDA knows F, M, U
}

std::string_view GenderDisplay(std::string_view sex) {
  if (sex == "F") return "Féminin";
  if (sex == "M") return "Masculin";
  return "Inconnu";
}

Traits FromIdentity(const identity::Identity& identity) {
  const auto& t = identity.traits();
  Traits traits{.birth_name = t.birth_name(),
                .given_names = t.birth_given_names().empty() ? t.first_birth_given_name()
                                                             : t.birth_given_names(),
                .first_given = t.first_birth_given_name(),
                .used_family = {},
                .used_given = {},
                .birth_date = t.birth_date().substr(0, 8),
                .sex = Sex(t.sex()),
                .birthplace = t.birthplace_code()};
  if (!identity.used_names().empty() && !identity.used_names(0).family().empty()) {
    traits.used_family = identity.used_names(0).family();
    traits.used_given = identity.used_names(0).given();
  }
  return traits;
}

Traits FromPatient(const navette::document::Patient& patient) {
  return Traits{
      .birth_name = patient.birth_name(),
      .given_names = patient.given_names().empty() ? patient.given_name() : patient.given_names(),
      .first_given = patient.given_name(),
      .used_family = {},
      .used_given = {},
      .birth_date = patient.birth_date().substr(0, 8),
      .sex = Sex(patient.sex()),
      .birthplace = patient.birthplace_code()};
}

// "name&1.2.3&ISO" -> "1.2.3"
std::string AuthorityOid(std::string_view authority) {
  std::vector<std::string> parts =
      absl::StrSplit(absl::string_view(authority.data(), authority.size()), '&');
  return parts.size() >= 2 ? parts[1] : std::string();
}

void AddName(xmlNode* patient, const Traits& traits) {
  xmlNode* name = Add(patient, "name");
  Add(name, "family", {{"qualifier", "BR"}}, traits.birth_name);
  if (!traits.given_names.empty()) Add(name, "given", {}, traits.given_names);
  if (!traits.first_given.empty()) Add(name, "given", {{"qualifier", "BR"}}, traits.first_given);
  // The used name (nom et prénom utilisés): the birth name when none other.
  Add(name, "family", {{"qualifier", "CL"}},
      traits.used_family.empty() ? traits.birth_name : traits.used_family);
  std::string_view used_given = traits.used_given.empty() ? std::string_view(traits.first_given)
                                                          : std::string_view(traits.used_given);
  if (!used_given.empty()) Add(name, "given", {{"qualifier", "CL"}}, used_given);
}

xmlNode* MakeBirthplace(xmlNode* like, std::string_view county) {
  xmlNode* birthplace = Make(like, "birthplace");
  Add(Add(Add(birthplace, "place"), "addr"), "county", {}, county);
  return birthplace;
}

void AddPatient(xmlNode* patient_role, const Traits& traits) {
  xmlNode* patient = Add(patient_role, "patient", {{"classCode", "PSN"}});
  AddName(patient, traits);
  Add(patient, "administrativeGenderCode",
      {{"code", traits.sex},
       {"displayName", GenderDisplay(traits.sex)},
       {"codeSystem", kGenderSystem}});
  if (traits.birth_date.empty()) {
    Add(patient, "birthTime", {{"nullFlavor", "UNK"}});
  } else {
    Add(patient, "birthTime", {{"value", traits.birth_date}});
  }
  if (!traits.birthplace.empty()) xmlAddChild(patient, MakeBirthplace(patient, traits.birthplace));
}

// The elements of `parent` named `local_name`.
std::vector<xmlNode*> Children(xmlNode* parent, std::string_view local_name) {
  std::vector<xmlNode*> found;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (Is(child, local_name)) found.push_back(child);
  }
  return found;
}

xmlNode* ChildWithQualifier(xmlNode* name, std::string_view local_name,
                            std::string_view qualifier) {
  for (xmlNode* child : Children(name, local_name)) {
    if (Attribute(child, "qualifier") == qualifier) return child;
  }
  return nullptr;
}

absl::Status Disagrees(std::string_view what) {
  return absl::InvalidArgumentError(fmt::format(
      "the CDA's {} disagrees with the patient's identity in the identity store", what));
}

// Adds the birth name and given names at the start of the patient's first
// name when it has none qualified BR.
absl::Status CompleteName(xmlNode* patient, const Traits& traits,
                          std::vector<std::string>& changed) {
  xmlNode* name = FirstChild(patient, "name");
  if (name == nullptr) {
    xmlNode* first = patient->children;
    xmlNode* made = Make(patient, "name");
    if (first != nullptr) {
      xmlAddPrevSibling(first, made);
    } else {
      xmlAddChild(patient, made);
    }
    name = made;
  }
  if (xmlNode* family = ChildWithQualifier(name, "family", "BR"); family != nullptr) {
    if (Text(family) != traits.birth_name) return Disagrees("birth name (family BR)");
  } else {
    std::vector<xmlNode*> added = {Make(name, "family", {{"qualifier", "BR"}}, traits.birth_name)};
    if (!traits.given_names.empty()) added.push_back(Make(name, "given", {}, traits.given_names));
    if (!traits.first_given.empty()) {
      added.push_back(Make(name, "given", {{"qualifier", "BR"}}, traits.first_given));
    }
    xmlNode* first = name->children;
    for (xmlNode* node : added) {
      if (first != nullptr) {
        xmlAddPrevSibling(first, node);
      } else {
        xmlAddChild(name, node);
      }
    }
    changed.push_back("birth names");
  }
  if (xmlNode* given = ChildWithQualifier(name, "given", "BR"); given != nullptr) {
    if (!traits.first_given.empty() && Text(given) != traits.first_given) {
      return Disagrees("first birth given name (given BR)");
    }
  }
  return absl::OkStatus();
}

absl::Status CompleteDemographics(xmlNode* patient, const Traits& traits,
                                  std::vector<std::string>& changed) {
  std::vector<xmlNode*> names = Children(patient, "name");
  xmlNode* gender = FirstChild(patient, "administrativeGenderCode");
  if (gender == nullptr) {
    gender = Make(patient, "administrativeGenderCode",
                  {{"code", traits.sex},
                   {"displayName", GenderDisplay(traits.sex)},
                   {"codeSystem", kGenderSystem}});
    xmlAddNextSibling(names.back(), gender);
    changed.push_back("sex");
  } else if (traits.sex != "U" && Attribute(gender, "code") != traits.sex) {
    return Disagrees("sex");
  }
  xmlNode* birth_time = FirstChild(patient, "birthTime");
  if (birth_time == nullptr || !Attribute(birth_time, "nullFlavor").empty()) {
    if (!traits.birth_date.empty()) {
      xmlNode* made = Make(patient, "birthTime", {{"value", traits.birth_date}});
      if (birth_time != nullptr) {
        xmlReplaceNode(birth_time, made);
        xmlFreeNode(birth_time);
      } else {
        xmlAddNextSibling(gender, made);
      }
      changed.push_back("birth date");
    }
  } else if (!traits.birth_date.empty() &&
             Attribute(birth_time, "value").substr(0, 8) != traits.birth_date) {
    return Disagrees("birth date");
  }
  if (traits.birthplace.empty()) return absl::OkStatus();
  xmlNode* birthplace = FirstChild(patient, "birthplace");
  if (birthplace == nullptr) {
    // birthplace comes after guardian and before languageCommunication.
    xmlNode* made = MakeBirthplace(patient, traits.birthplace);
    if (xmlNode* language = FirstChild(patient, "languageCommunication"); language != nullptr) {
      xmlAddPrevSibling(language, made);
    } else {
      xmlAddChild(patient, made);
    }
    changed.push_back("birthplace");
    return absl::OkStatus();
  }
  xmlNode* addr = FirstChild(FirstChild(birthplace, "place"), "addr");
  if (addr == nullptr) return absl::InvalidArgumentError("the CDA's birthplace has no place/addr");
  if (xmlNode* county = FirstChild(addr, "county"); county != nullptr) {
    if (Text(county) != traits.birthplace) return Disagrees("birthplace (county)");
    return absl::OkStatus();
  }
  xmlNode* county = Make(addr, "county", {}, traits.birthplace);
  if (addr->children != nullptr) {
    xmlAddPrevSibling(addr->children, county);
  } else {
    xmlAddChild(addr, county);
  }
  changed.push_back("birthplace");
  return absl::OkStatus();
}

}  // namespace

bool IsInsOid(std::string_view oid) {
  return oid == "1.2.250.1.213.1.4.8" || oid == "1.2.250.1.213.1.4.9" ||
         oid == "1.2.250.1.213.1.4.10" || oid == "1.2.250.1.213.1.4.11";
}

absl::Status AddRecordTarget(xmlNode* root, const identity::Identity* identity,
                             const navette::document::Patient& patient,
                             const navette::config::Hospital& hospital) {
  bool with_ins = identity != nullptr && !identity->ins().matricule().empty();
  Traits traits = identity != nullptr ? FromIdentity(*identity) : FromPatient(patient);
  std::string ipp = identity != nullptr ? identity->ipp() : patient.ipp().id();
  std::string ipp_oid =
      identity != nullptr ? AuthorityOid(identity->authority()) : patient.ipp().authority_oid();
  if (ipp_oid.empty()) ipp_oid = hospital.oid_root();
  if (!with_ins && ipp.empty()) {
    return absl::InvalidArgumentError("the patient has neither an INS nor an IPP (PID-3)");
  }
  if (traits.birth_name.empty()) {
    return absl::InvalidArgumentError("the patient has no birth name (PID-5 type L)");
  }
  xmlNode* role = Add(Add(root, "recordTarget"), "patientRole");
  if (with_ins) {
    Add(role, "id", {{"root", identity->ins().oid()}, {"extension", identity->ins().matricule()}});
  }
  if (!ipp.empty()) Add(role, "id", {{"root", ipp_oid}, {"extension", ipp}});
  AddPatient(role, traits);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> CompletePatientRole(xmlNode* patient_role,
                                                             const identity::Identity& identity) {
  std::vector<std::string> changed;
  if (identity.ins().matricule().empty()) return changed;
  xmlNode* ins = nullptr;
  for (xmlNode* id : Children(patient_role, "id")) {
    if (!IsInsOid(Attribute(id, "root"))) continue;
    if (Attribute(id, "extension") != identity.ins().matricule() ||
        Attribute(id, "root") != identity.ins().oid()) {
      return absl::InvalidArgumentError(
          "the CDA's recordTarget carries an INS other than the patient's in the identity store");
    }
    ins = id;
  }
  xmlNode* first = patient_role->children;
  while (first != nullptr && first->type != XML_ELEMENT_NODE) first = first->next;
  if (ins == nullptr) {
    ins = Make(patient_role, "id",
               {{"root", identity.ins().oid()}, {"extension", identity.ins().matricule()}});
    changed.push_back("INS");
  } else if (ins != first) {
    xmlUnlinkNode(ins);
    changed.push_back("INS moved first");
  }
  if (ins != first) {
    if (first != nullptr) {
      xmlAddPrevSibling(first, ins);
    } else {
      xmlAddChild(patient_role, ins);
    }
  }
  xmlNode* patient = FirstChild(patient_role, "patient");
  if (patient == nullptr) {
    return absl::InvalidArgumentError("the CDA's patientRole has no patient element");
  }
  Traits traits = FromIdentity(identity);
  if (traits.birth_name.empty()) {
    return absl::InvalidArgumentError("the identity store has no birth name for the patient");
  }
  if (absl::Status named = CompleteName(patient, traits, changed); !named.ok()) return named;
  if (absl::Status rest = CompleteDemographics(patient, traits, changed); !rest.ok()) return rest;
  return changed;
}

}  // namespace navette::routes::cda
