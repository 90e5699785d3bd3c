#include "tests/dmp-sim/dmp_metadata_checks.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cctype>
#include <cstdint>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "adapters/dmp/xds/xds_codes.h"
#include "adapters/dmp/xds/xds_values.h"

namespace navette::testing::dmp_sim {
namespace {

namespace xds = ::navette::adapters::dmp::xds;
using ::navette::adapters::dmp::soap::MtomMessage;
using ::navette::adapters::dmp::soap::MtomPart;

constexpr char kMetadataError[] = "XDSRegistryMetadataError";
constexpr char kHl7Namespace[] = "urn:hl7-org:v3";
const std::set<std::string_view> kProductionInsOids = {"1.2.250.1.213.1.4.8",
                                                       "1.2.250.1.213.1.4.9"};
const std::set<std::string_view> kTestInsOids = {"1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"};

struct CodedRule {
  const char* scheme;
  CodedAttribute attribute;
};
constexpr CodedRule kSingleCodes[] = {
    {xds::kClassCodeScheme, CodedAttribute::kClassCode},
    {xds::kTypeCodeScheme, CodedAttribute::kTypeCode},
    {xds::kFormatCodeScheme, CodedAttribute::kFormatCode},
    {xds::kFacilityTypeScheme, CodedAttribute::kHealthcareFacilityTypeCode},
    {xds::kPracticeSettingScheme, CodedAttribute::kPracticeSettingCode},
};

// Where a problem goes: a refusal, or — for a defect lenient mode
// tolerates — a warning when the rules are lenient.
class Findings {
 public:
  Findings(const MetadataRules& rules, std::vector<XdsError>* warnings)
      : lenient_(rules.lenient), warnings_(warnings) {}

  void Refuse(XdsError error) { errors_.push_back(std::move(error)); }
  void Tolerable(XdsError error) {
    if (!lenient_) {
      errors_.push_back(std::move(error));
    } else if (warnings_ != nullptr) {
      warnings_->push_back(std::move(error));
    }
  }
  std::vector<XdsError> TakeErrors() { return std::move(errors_); }

 private:
  bool lenient_;
  std::vector<XdsError>* warnings_;
  std::vector<XdsError> errors_;
};

std::string OneExternalId(const RimObject& object, const std::string& scheme, int* count) {
  auto found = object.external_ids.find(scheme);
  *count = found == object.external_ids.end() ? 0 : static_cast<int>(found->second.size());
  return *count == 1 ? found->second.front() : "";
}

void CheckCodes(const RimObject& entry, const MetadataRules& rules, Findings* findings) {
  for (const CodedRule& rule : kSingleCodes) {
    const std::string name(CodedAttributeName(rule.attribute));
    std::vector<const RimClassification*> codes = entry.ClassifiedBy(rule.scheme);
    if (codes.size() != 1) {
      findings->Refuse({kMetadataError,
                        absl::StrCat(name, ": ", codes.size(), " values, exactly one required"),
                        entry.id});
      continue;
    }
    const RimClassification& code = *codes.front();
    if (!rules.value_sets->Contains(rule.attribute, code.node_representation, code.coding_scheme)) {
      findings->Tolerable({kMetadataError,
                           absl::StrCat(name, ": ", code.node_representation, " (codingScheme ",
                                        code.coding_scheme, ") is not in the DMP value set"),
                           entry.id});
    }
  }
  std::vector<const RimClassification*> confidentiality =
      entry.ClassifiedBy(xds::kConfidentialityScheme);
  if (confidentiality.empty()) {
    findings->Refuse(
        {kMetadataError, "confidentialityCode: none, at least one required", entry.id});
  }
  for (const RimClassification* code : confidentiality) {
    if (!rules.value_sets->Contains(CodedAttribute::kConfidentialityCode, code->node_representation,
                                    code->coding_scheme)) {
      findings->Tolerable(
          {kMetadataError,
           absl::StrCat("confidentialityCode: ", code->node_representation, " (codingScheme ",
                        code->coding_scheme, ") is not in the DMP value set"),
           entry.id});
    }
  }
}

// hash, size, uniqueId against the attachment the entry's xdsb:Document names.
// An absent hash or size is tolerable (IHE lets the repository compute
// them; the DMP's rule is stricter); a wrong one never is.
void CheckAgainstBytes(const RimObject& entry, const MtomPart& part, Findings* findings) {
  const std::string hash = xds::Sha1Hex(part.bytes);
  const std::string declared_hash = entry.Slot("hash");
  if (declared_hash.empty()) {
    findings->Tolerable({"XDSRepositoryMetadataError",
                         absl::StrCat("hash: missing, the attached document's SHA-1 is ", hash),
                         entry.id});
  } else if (declared_hash != hash) {
    findings->Refuse({"XDSRepositoryMetadataError",
                      absl::StrCat("hash: metadata says '", declared_hash,
                                   "', the attached document's SHA-1 is ", hash),
                      entry.id});
  }
  const std::string declared_size = entry.Slot("size");
  if (declared_size.empty()) {
    findings->Tolerable(
        {"XDSRepositoryMetadataError",
         absl::StrCat("size: missing, the attached document has ", part.bytes.size(), " bytes"),
         entry.id});
  } else if (declared_size != std::to_string(part.bytes.size())) {
    findings->Refuse({"XDSRepositoryMetadataError",
                      absl::StrCat("size: metadata says '", declared_size,
                                   "', the attached document has ", part.bytes.size(), " bytes"),
                      entry.id});
  }
  int count = 0;
  const std::string unique_id = OneExternalId(entry, xds::kEntryUniqueIdScheme, &count);
  const std::string cda_id = CdaUniqueId(part.bytes);
  if (count != 1) {
    findings->Refuse({kMetadataError,
                      absl::StrCat("uniqueId: ", count, " values, exactly one required"),
                      entry.id});
  } else if (!xds::IsOid(unique_id)) {
    findings->Refuse({kMetadataError,
                      absl::StrCat("uniqueId: '", unique_id, "' is not an OID (the DMP takes ",
                                   "ClinicalDocument/id/@root alone)"),
                      entry.id});
  } else if (part.content_type.find("xml") != std::string::npos && unique_id != cda_id) {
    findings->Tolerable(
        {kMetadataError,
         absl::StrCat("uniqueId: '", unique_id, "' differs from the CDA's ClinicalDocument/id '",
                      cda_id, "'"),
         entry.id});
  }
}

}  // namespace

bool InsKeyIsValid(std::string_view matricule) {
  if (matricule.size() != 15) return false;
  std::string number(matricule.substr(0, 13));
  if (number.substr(5, 2) == "2A") number.replace(5, 2, "19");
  if (number.substr(5, 2) == "2B") number.replace(5, 2, "18");
  uint64_t value = 0;
  int key = 0;
  for (char c : number) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  for (char c : matricule.substr(13)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  if (!absl::SimpleAtoi(number, &value) ||
      !absl::SimpleAtoi(std::string(matricule.substr(13)), &key)) {
    return false;
  }
  return key == static_cast<int>(97 - value % 97);
}

InsOfCx SplitPatientCx(std::string_view cx) {
  std::vector<std::string> fields = absl::StrSplit(std::string(cx), '^');
  InsOfCx ins;
  if (!fields.empty()) ins.matricule = fields[0];
  if (fields.size() > 3) {
    std::vector<std::string> authority = absl::StrSplit(fields[3], '&');
    if (authority.size() == 3) ins.oid = authority[1];
  }
  return ins;
}

PatientIdProblem CheckPatientId(std::string_view cx_view, bool allow_test_ins) {
  const std::string cx(cx_view);
  std::vector<std::string> fields = absl::StrSplit(cx, '^');
  // <matricule> ^ ^ ^ &<OID>&ISO ^ NH [^ ^ <date>]
  const bool shape = (fields.size() == 5 || (fields.size() == 7 && fields[5].empty())) &&
                     fields[1].empty() && fields[2].empty() && fields[4] == "NH";
  if (!shape) {
    return {kMetadataError,
            absl::StrCat("patientId: '", cx, "' is not <matricule>^^^&<OID>&ISO^NH")};
  }
  std::vector<std::string> authority = absl::StrSplit(fields[3], '&');
  if (authority.size() != 3 || !authority[0].empty() || authority[2] != "ISO") {
    return {kMetadataError,
            absl::StrCat("patientId: assigning authority '", fields[3], "' is not &<OID>&ISO")};
  }
  if (fields[0].size() != 15) {
    return {kMetadataError, absl::StrCat("patientId: matricule '", fields[0], "' has ",
                                         fields[0].size(), " characters, not 15")};
  }
  if (!InsKeyIsValid(fields[0])) {
    return {kMetadataError, absl::StrCat("patientId: matricule '", fields[0],
                                         "' has a wrong INS key (97 - N mod 97)")};
  }
  const bool production = kProductionInsOids.contains(authority[1]);
  const bool test = kTestInsOids.contains(authority[1]);
  if (!production && !(allow_test_ins && test)) {
    return {"XDSUnknownPatientId",
            absl::StrCat("patientId: assigning authority ", authority[1],
                         test ? " is a test INS OID, refused outside test mode"
                              : " is not an INS OID (1.2.250.1.213.1.4.8 / .9)")};
  }
  return {};
}

std::string CdaUniqueId(std::string_view cda_bytes) {
  xmlDoc* doc = xmlReadMemory(cda_bytes.data(), static_cast<int>(cda_bytes.size()), "cda.xml",
                              nullptr, XML_PARSE_NONET | XML_PARSE_HUGE);
  if (doc == nullptr) return "";
  std::string id;
  xmlNode* root = xmlDocGetRootElement(doc);
  if (root != nullptr && root->ns != nullptr &&
      std::string_view(reinterpret_cast<const char*>(root->ns->href)) == kHl7Namespace) {
    for (xmlNode* child = root->children; child != nullptr; child = child->next) {
      if (child->type != XML_ELEMENT_NODE || child->ns == nullptr ||
          std::string_view(reinterpret_cast<const char*>(child->name)) != "id") {
        continue;
      }
      auto attribute = [child](const char* name) {
        xmlChar* value = xmlGetNoNsProp(child, reinterpret_cast<const xmlChar*>(name));
        std::string text = value != nullptr ? reinterpret_cast<const char*>(value) : "";
        xmlFree(value);
        return text;
      };
      id = attribute("root");
      if (std::string extension = attribute("extension"); !extension.empty()) {
        id = absl::StrCat(id, "^", extension);
      }
      break;
    }
  }
  xmlFreeDoc(doc);
  return id;
}

std::vector<std::string> AuthorInstitutionIds(const RimObject& entry) {
  std::vector<std::string> ids;
  for (const RimClassification* author : entry.ClassifiedBy(xds::kEntryAuthorScheme)) {
    auto found = author->slots.find("authorInstitution");
    if (found == author->slots.end()) continue;
    for (const std::string& xon : found->second) {
      std::vector<std::string> fields = absl::StrSplit(xon, '^');
      if (fields.size() >= 10) ids.push_back(fields[9]);
    }
  }
  return ids;
}

std::vector<XdsError> CheckProvideAndRegister(const Submission& submission, const MtomMessage& mtom,
                                              const MetadataRules& rules,
                                              std::vector<XdsError>* warnings) {
  Findings findings(rules, warnings);
  if (submission.packages.size() != 1) {
    findings.Refuse({kMetadataError,
                     absl::StrCat("SubmissionSet: ", submission.packages.size(),
                                  " RegistryPackages, exactly one required"),
                     ""});
    return findings.TakeErrors();
  }
  int count = 0;
  const std::string set_patient =
      OneExternalId(submission.packages.front(), xds::kSetPatientIdScheme, &count);
  if (PatientIdProblem problem = CheckPatientId(set_patient, rules.allow_test_ins);
      !problem.code.empty()) {
    findings.Refuse({problem.code, absl::StrCat("SubmissionSet ", problem.what),
                     submission.packages.front().id});
  }
  if (submission.entries.empty()) {
    findings.Refuse({kMetadataError, "DocumentEntry: none in the submission", ""});
  }
  for (const RimObject& entry : submission.entries) {
    const std::string patient = OneExternalId(entry, xds::kEntryPatientIdScheme, &count);
    if (PatientIdProblem problem = CheckPatientId(patient, rules.allow_test_ins);
        !problem.code.empty()) {
      findings.Refuse({problem.code, problem.what, entry.id});
    } else if (patient != set_patient) {
      findings.Refuse({"XDSPatientIdDoesNotMatch",
                       absl::StrCat("patientId: the entry's '", patient,
                                    "' differs from the SubmissionSet's '", set_patient, "'"),
                       entry.id});
    }
    CheckCodes(entry, rules, &findings);
    auto document = submission.documents.find(entry.id);
    const MtomPart* part =
        document == submission.documents.end() ? nullptr : mtom.FindByHref(document->second);
    if (part == nullptr) {
      findings.Refuse({"XDSMissingDocument",
                       absl::StrCat("DocumentEntry ", entry.id, " has no attached document"),
                       entry.id});
      continue;
    }
    CheckAgainstBytes(entry, *part, &findings);
  }
  for (const auto& [id, href] : submission.documents) {
    bool described = false;
    for (const RimObject& entry : submission.entries) described = described || entry.id == id;
    if (!described) {
      findings.Refuse({"XDSMissingDocumentMetadata",
                       absl::StrCat("xdsb:Document ", id, " has no DocumentEntry"), id});
    }
  }
  return findings.TakeErrors();
}

}  // namespace navette::testing::dmp_sim
