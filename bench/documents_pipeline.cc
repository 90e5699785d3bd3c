#include "bench/documents_pipeline.h"

#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "adapters/documents/contract.h"
#include "routes/cda/build_cda_step.h"
#include "routes/cda/cda_schema.h"
#include "routes/cda/letter_pdf.h"

namespace navette::bench {
namespace {

using adapters::documents::Profile;

// The ANS test patient (PAT-TROIS, test INS), qualified, as attach_ins
// attaches her: the traits are those of the corpus CR-BIO documents.
identity::Identity TestPatient() {
  identity::Identity identity;
  identity.set_ipp("1234567890121");
  identity.set_authority("CH-BENCH&1.2.250.1.999.7.1.9&ISO");
  identity.mutable_ins()->set_matricule("279035121518989");
  identity.mutable_ins()->set_oid("1.2.250.1.213.1.4.10");
  identity::StrictTraits* traits = identity.mutable_traits();
  traits->set_birth_name("PAT-TROIS");
  traits->set_first_birth_given_name("DOMINIQUE");
  traits->set_birth_given_names("DOMINIQUE MARIE-LOUISE");
  traits->set_birth_date("19790328");
  traits->set_sex("F");
  traits->set_birthplace_code("51215");
  identity.set_status(identity::QUALIFIED);
  return identity;
}

config::Hospital BenchHospital() {
  config::Hospital hospital;
  hospital.set_name("Centre hospitalier de banc d'essai");
  hospital.set_finess("770000446");
  hospital.set_oid_root("1.2.250.1.999.7.1");
  hospital.set_facility_type_code("SA01");
  hospital.set_facility_type_display("Etablissement public de santé");
  hospital.set_practice_setting_code("ETABLISSEMENT");
  hospital.set_practice_setting_display("Etablissement de santé");
  return hospital;
}

class NoVersions final : public routes::DocumentVersions {
 public:
  absl::StatusOr<std::optional<store::DocumentVersion>> Find(std::string_view) const override {
    return std::nullopt;
  }
};

constexpr char kMdmHead[] =
    "MSH|^~\\&|DPI-X|CH-BENCH|PFI-X|CH-BENCH|202612031015||MDM^T02^MDM_T02|BENCH-1|P|2.6|||||FRA|"
    "UNICODE UTF-8|||2.1^CISIS_CDA_HL7_V2\r"
    "EVN||20261203101500\r"
    "PID|||1234567890121^^^CH-BENCH&1.2.250.1.999.7.1.9&ISO^PI||PAT-TROIS^DOMINIQUE^DOMINIQUE "
    "MARIE-LOUISE^^^^L||19790328|F|||^^^^^^BDL^^51215\r"
    "PV1|1|I|MED||||||||||||||||VN-1^^^CH-BENCH&1.2.250.1.999.7.1.8&ISO^VN|||||||||||||||||||||||||"
    "20261128083000|20261203101500\r"
    "ORC|NW|\r"
    "OBR|1|||11490-0^Lettre de liaison à la sortie d'un établissement de soins^LN|\r"
    "TXA|1|11490-0|TEXT|20261203101500||||||||1.2.250.1.999.7.1.5.1|||||AU|||||801234567897\r";
constexpr char kMdmTail[] =
    "PRT||UC||SB^^participation|801234567897^MEDECIN^Francoise^^^^^^ASIP-SANTE-PS&1.2.250.1.71."
    "4.2.1&ISO^D^^^IDNPS|||CH-BENCH^^^^^ASIP-SANTE-ST&1.2.250.1.71.4.2.2&ISO^FINEG^^^770000446\r"
    "OBX|2|CWE|DESTDMP^Destinataire DMP^MetaDMPMSS||Y^^expandedYes-NoIndicator||||||F|\r";

}  // namespace

PipelineInput PdfLetterMessage(const std::string& pdf) {
  PipelineInput input{"PDF letter (MDM)", kMdmHead, true};
  input.message += "OBX|1|ED|11490-0^Lettre de liaison^LN||^application^PDF^Base64^" +
                   absl::Base64Escape(pdf) + "||||||F|\r";
  input.message += kMdmTail;
  return input;
}

PipelineInput CrBioMessage(const std::string& sample_oru, std::string cda) {
  // The sample replacement ORU made an initial transmission (ORC NW, OBX-11
  // F) of one document: `cda` without its INS, which build_cda completes.
  const std::string ins = "<id extension=\"279035121518989\" root=\"1.2.250.1.213.1.4.10\"/>";
  if (const size_t at = cda.find(ins); at != std::string::npos) cda.erase(at, ins.size());
  PipelineInput input{"CR-BIO N3 (ORU)", "", false};
  std::vector<std::string> kept;
  const std::vector<std::string> segments =
      absl::StrSplit(sample_oru, absl::ByAnyChar("\r\n"), absl::SkipEmpty());
  for (const std::string& segment : segments) {
    if (segment.rfind("OBX|2|ED|", 0) == 0) continue;  // the N1: one document only
    if (segment.rfind("ORC|RO|", 0) == 0) {
      kept.push_back("ORC|NW|" + segment.substr(7));
    } else if (segment.rfind("OBX|1|ED|", 0) == 0) {
      kept.push_back("OBX|1|ED|11502-2^CR d'examens biologiques^LN||^TEXT^XML^Base64^" +
                     absl::Base64Escape(cda) + "||||||F|");
    } else {
      kept.push_back(segment);
    }
  }
  input.message = absl::StrJoin(kept, "\r") + "\r";
  return input;
}

std::string RunContract(const PipelineInput& input) {
  auto result =
      adapters::documents::ReadDocument(input.message, input.dpi ? Profile::kDpi : Profile::kSgl);
  if (result.ok()) return "";
  return result.violations.front().reason;
}

PipelineStages RunPipeline(const PipelineInput& input, const std::string& schema_dir) {
  PipelineStages stages;
  auto result =
      adapters::documents::ReadDocument(input.message, input.dpi ? Profile::kDpi : Profile::kSgl);
  if (!result.ok()) {
    stages.contract_error = result.violations.front().reason;
    return stages;
  }
  static const identity::Identity patient = TestPatient();
  static const config::Hospital hospital = BenchHospital();
  static const NoVersions versions;
  routes::cda::BuildCdaInput build;
  build.record = &result.record;
  build.identity = &patient;
  build.hospital = &hospital;
  build.message_id = 42;
  build.now_us = 1796292900000000;  // 2026-12-03 10:15 UTC: the same document every run
  build.versions = &versions;
  build.render_letter = routes::cda::RenderLetterPdf;
  auto built = routes::cda::BuildCda(build);
  if (!built.ok()) {
    stages.build_error = std::string(built.status().message());
    return stages;
  }
  stages.cda_bytes = built->xml.size();
  auto schema = routes::cda::CdaSchema::Shared(schema_dir);
  absl::Status valid = schema.ok() ? (*schema)->Validate(built->xml) : schema.status();
  if (!valid.ok()) stages.validation_error = std::string(valid.message());
  return stages;
}

}  // namespace navette::bench
