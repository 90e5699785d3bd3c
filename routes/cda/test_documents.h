// What the CDA tests build from: the hospital's settings, the ANS test
// patient's identity (PAT-TROIS, test INS), a document record as a profile
// maps an MDM, versions in memory, and XPath over a produced CDA.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "proto/config.pb.h"
#include "proto/document.pb.h"
#include "proto/identity.pb.h"
#include "routes/document_versions.h"

namespace navette::routes::cda::testing {

inline navette::config::Hospital TestHospital() {
  navette::config::Hospital hospital;
  hospital.set_name("Centre hospitalier de Lagny-sur-Marne");
  hospital.set_finess("770000446");
  hospital.set_oid_root("1.2.250.1.999.7.1");
  hospital.set_facility_type_code("SA01");
  hospital.set_facility_type_display("Etablissement public de santé");
  return hospital;
}

// The ANS test patient, qualified, with her test INS.
inline identity::Identity TestIdentity() {
  identity::Identity identity;
  identity.set_ipp("1234567890121");
  identity.set_authority("CH-LAGNY&1.2.250.1.999.7.1.9&ISO");
  identity.mutable_ins()->set_matricule("279035121518989");
  identity.mutable_ins()->set_oid("1.2.250.1.213.1.4.10");
  auto* traits = identity.mutable_traits();
  traits->set_birth_name("PAT-TROIS");
  traits->set_first_birth_given_name("DOMINIQUE");
  traits->set_birth_given_names("DOMINIQUE MARIE-LOUISE");
  traits->set_birth_date("19790328");
  traits->set_sex("F");
  traits->set_birthplace_code("51215");
  identity.add_used_names()->set_family("PAT-TROIS");
  identity.mutable_used_names(0)->set_given("DOMINIQUE");
  identity.set_status(identity::QUALIFIED);
  return identity;
}

// An MDM^T02 from the DPI: a PDF alone of type `code`, for the DMP.
inline navette::document::Document TestRecord(std::string_view code, std::string_view display) {
  navette::document::Document record;
  record.set_profile("dpi");
  record.set_message_type("MDM^T02^MDM_T02");
  record.set_control_id("MSG-0042");
  record.mutable_patient()->mutable_ipp()->set_id("1234567890121");
  record.mutable_patient()->mutable_ipp()->set_authority_oid("1.2.250.1.999.7.1.9");
  record.mutable_patient()->set_birth_name("PAT-TROIS");
  record.mutable_patient()->set_given_name("DOMINIQUE");
  record.mutable_patient()->set_birth_date("19790328");
  record.mutable_patient()->set_sex("F");
  record.mutable_encounter()->set_admit_time("20261128083000");
  record.mutable_encounter()->set_discharge_time("20261203101500");
  auto* sender = record.add_participants();
  sender->set_role(navette::document::Participant::SENDER);
  sender->mutable_person()->mutable_id()->set_id("801234567897");
  sender->mutable_person()->mutable_id()->set_authority_oid("1.2.250.1.71.4.2.1");
  sender->mutable_person()->mutable_id()->set_type("IDNPS");
  sender->mutable_person()->set_family("MÉDECIN");
  sender->mutable_person()->set_given("Françoise");
  sender->mutable_person()->set_prefix("DR");
  sender->mutable_organization()->set_name("Service de médecine polyvalente");
  record.mutable_type()->set_code(std::string(code));
  record.mutable_type()->set_display(std::string(display));
  record.mutable_type()->set_system("LN");
  record.set_action(navette::document::CREATE);
  record.set_effective_time("20261203101500");
  record.mutable_flags()->set_dest_dmp(true);
  auto* part = record.add_parts();
  part->set_kind(navette::document::Part::PDF);
  part->set_media_type("application/pdf");
  part->set_content("%PDF-1.4\n% a tiny test PDF\n%%EOF\n");
  part->set_location("OBX[1]-5");
  return record;
}

class MemoryVersions final : public DocumentVersions {
 public:
  void Add(store::DocumentVersion version) { versions_[version.id()] = std::move(version); }
  absl::StatusOr<std::optional<store::DocumentVersion>> Find(std::string_view id) const override {
    auto found = versions_.find(std::string(id));
    if (found == versions_.end()) return std::nullopt;
    return found->second;
  }

 private:
  std::map<std::string, store::DocumentVersion> versions_;
};

// XPath over a CDA, the HL7 namespace bound to "h".
class Cda {
 public:
  explicit Cda(std::string_view xml)
      : doc_(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                           XML_PARSE_NONET | XML_PARSE_HUGE)) {}
  ~Cda() {
    if (doc_ != nullptr) xmlFreeDoc(doc_);
  }
  Cda(const Cda&) = delete;
  Cda& operator=(const Cda&) = delete;

  bool ok() const { return doc_ != nullptr; }

  // The string values of the nodes `xpath` selects, in document order.
  std::vector<std::string> All(const std::string& xpath) const {
    std::vector<std::string> values;
    if (doc_ == nullptr) return values;
    xmlXPathContext* context = xmlXPathNewContext(doc_);
    xmlXPathRegisterNs(context, reinterpret_cast<const xmlChar*>("h"),
                       reinterpret_cast<const xmlChar*>("urn:hl7-org:v3"));
    xmlXPathObject* result =
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), context);
    if (result != nullptr && result->nodesetval != nullptr) {
      for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
        xmlChar* text = xmlNodeGetContent(result->nodesetval->nodeTab[i]);
        values.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
        xmlFree(text);
      }
    }
    xmlXPathFreeObject(result);
    xmlXPathFreeContext(context);
    return values;
  }
  // The first value, or "<none>".
  std::string One(const std::string& xpath) const {
    auto values = All(xpath);
    return values.empty() ? "<none>" : values.front();
  }

 private:
  xmlDoc* doc_;
};

}  // namespace navette::routes::cda::testing
