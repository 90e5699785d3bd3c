#include "routes/cda/build_cda_step.h"

#include <algorithm>

#include <fmt/format.h>

#include "absl/strings/str_join.h"
#include "common/fmt_absl.h"
#include "routes/cda/cda_completion.h"
#include "routes/cda/cda_header.h"
#include "routes/cda/cda_time.h"
#include "routes/cda/document_ids.h"
#include "routes/cda/n1_document.h"

namespace navette::routes::cda {
namespace {

using navette::document::Document;
using navette::document::Part;

const Part* FindPart(const Document& record, Part::Kind kind) {
  for (const Part& part : record.parts()) {
    if (part.kind() == kind) return &part;
  }
  return nullptr;
}

bool HasIns(const identity::Identity* identity) {
  return identity != nullptr && !identity->ins().matricule().empty();
}

std::string ModelOf(const CompletedCda& completed) {
  auto has = [&](std::string_view root) {
    return std::find(completed.template_ids.begin(), completed.template_ids.end(), root) !=
           completed.template_ids.end();
  };
  if (has("1.3.6.1.4.1.19376.1.2.20")) return std::string(N1ModelFor(completed.type_code).name);
  if (has("1.3.6.1.4.1.19376.1.3.3")) return "CR-BIO";
  if (has("1.2.250.1.213.1.1.1.45")) return "CR-IMG";
  if (has("1.2.250.1.213.1.1.1.29")) return "LDL-SES";
  return "CDA";
}

std::string DateOfBirth(std::string_view yyyymmdd) {
  if (yyyymmdd.size() < 8) return std::string(yyyymmdd);
  return fmt::format("{}/{}/{}", yyyymmdd.substr(6, 2), yyyymmdd.substr(4, 2),
                     yyyymmdd.substr(0, 4));
}

absl::StatusOr<std::string> RenderLetter(const BuildCdaInput& input, const std::string& title,
                                         std::string_view effective_time) {
  if (!input.render_letter) {
    return absl::FailedPreconditionError("build_cda has no letter renderer");
  }
  const Document& record = *input.record;
  const navette::config::Hospital& hospital = *input.hospital;
  LetterPdfInput letter;
  letter.hospital_name = hospital.name();
  letter.header_lines.assign(hospital.letter_header().begin(), hospital.letter_header().end());
  letter.title = title;
  std::string family = record.patient().birth_name();
  std::string given = record.patient().given_name();
  std::string born = record.patient().birth_date();
  if (input.identity != nullptr) {
    family = input.identity->traits().birth_name();
    given = input.identity->traits().first_birth_given_name();
    born = input.identity->traits().birth_date();
  }
  letter.patient_line = fmt::format("Patient : {} {}, né(e) le {}", family, given,
                                    DateOfBirth(born.substr(0, std::min<size_t>(8, born.size()))));
  for (const auto& participant : record.participants()) {
    if (participant.role() != navette::document::Participant::SENDER) continue;
    const auto& person = participant.person();
    letter.author_line =
        fmt::format("{}{}{}{}", person.prefix() == "DR" ? "Dr " : "", person.given(),
                    person.given().empty() ? "" : " ", person.family());
    break;
  }
  letter.date_line = "Le " + FrenchDate(effective_time);
  // The document's time, not the clock: a replay renders the same bytes.
  letter.creation_date = IsoTime(effective_time);
  // The renderer reads a contiguous span; a repeated field holds pointers.
  std::vector<navette::document::Section> sections(record.sections().begin(),
                                                   record.sections().end());
  letter.sections = sections;
  auto pdf = input.render_letter(letter);
  if (!pdf.ok() && absl::IsInvalidArgument(pdf.status())) {
    return absl::InvalidArgumentError(
        fmt::format("the letter could not be rendered to PDF: {}", pdf.status().message()));
  }
  return pdf;
}

absl::StatusOr<BuildCdaResult> Complete(const BuildCdaInput& input, const Part& part) {
  const Document& record = *input.record;
  auto completed = CompleteCda(part.content(), input.identity, *input.hospital, record.encounter());
  if (!completed.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("{} ({}): {}", Part::Kind_Name(part.kind()),
                    part.location().empty() ? "the document part" : part.location(),
                    completed.status().message()));
  }
  if (completed->id_has_extension && record.flags().dest_dmp()) {
    return absl::InvalidArgumentError(
        "the CDA's id has an extension: a DMP-bound document needs an OID-only id");
  }
  BuildCdaResult result;
  result.kind = BuildCdaResult::Kind::kCompleted;
  result.info.set_id(completed->id);
  result.info.set_set_id(completed->set_id);
  result.info.set_version(completed->version);
  result.info.set_parent_id(completed->parent_id);
  result.info.set_template_model(ModelOf(*completed));
  result.info.set_type_code(completed->type_code);
  result.notes.push_back(completed->added.empty()
                             ? fmt::format("build_cda: the {} lacked nothing; sent as received",
                                           Part::Kind_Name(part.kind()))
                             : fmt::format("build_cda: {} completed with {}; body unchanged",
                                           Part::Kind_Name(part.kind()),
                                           absl::StrJoin(completed->added, ", ")));
  result.xml = std::move(completed->xml);
  return result;
}

// The document's time: the producer's (TXA-4 / OBR-7), else the step's clock.
absl::StatusOr<std::string> EffectiveTime(const BuildCdaInput& input) {
  if (input.record->effective_time().empty()) return CdaTimeFromMicros(input.now_us);
  return CdaTimeFromHl7(input.record->effective_time(), "the document's time (TXA-4 / OBR-7)");
}

absl::StatusOr<BuildCdaResult> BuildFromPdf(const BuildCdaInput& input, std::string_view pdf,
                                            std::string_view source) {
  const Document& record = *input.record;
  auto ids = AssignIds(record, *input.hospital, input.message_id, input.versions);
  if (!ids.ok()) return ids.status();
  HeaderInput header;
  header.record = &record;
  header.identity = input.identity;
  header.hospital = input.hospital;
  header.ids = *ids;
  header.title = record.title();
  auto time = EffectiveTime(input);
  if (!time.ok()) return time.status();
  header.effective_time = std::move(*time);
  auto xml = BuildN1(header, pdf);
  if (!xml.ok()) return xml.status();
  BuildCdaResult result;
  result.kind = BuildCdaResult::Kind::kBuilt;
  result.xml = std::move(*xml);
  N1Model model = N1ModelFor(record.type().code());
  result.info.set_id(ids->id);
  result.info.set_set_id(ids->set_id);
  result.info.set_version(ids->version);
  result.info.set_parent_id(ids->parent_id);
  result.info.set_template_model(std::string(model.name));
  result.info.set_type_code(record.type().code());
  result.notes.push_back(
      fmt::format("build_cda: {} N1 built from {}{}", model.name, source,
                  ids->parent_id.empty()
                      ? ""
                      : fmt::format(", version {} replacing the previous one", ids->version)));
  return result;
}

}  // namespace

absl::StatusOr<BuildCdaResult> BuildCda(const BuildCdaInput& input) {
  const Document& record = *input.record;
  if (record.action() == navette::document::DELETE) {
    BuildCdaResult result;
    result.notes.push_back("build_cda: a deletion builds no CDA; the record goes on unchanged");
    return result;
  }
  // MODIF_CONF_CODE: the message changes the masking of a document already
  // shared (fr-specs.md §3.5); it is not a new version, whose ids would
  // start another set. The destinations update what they registered.
  if (record.flags().modif_conf_code()) {
    BuildCdaResult result;
    result.notes.push_back(
        "build_cda: a change of confidentiality (MODIF_CONF_CODE) builds no CDA; the record goes "
        "on unchanged");
    return result;
  }
  if (record.flags().dest_dmp() && !HasIns(input.identity)) {
    return absl::InvalidArgumentError(
        "a DMP-bound document (DESTDMP) needs the patient's INS, and no identity carrying one "
        "was attached (attach_ins before build_cda)");
  }
  absl::StatusOr<BuildCdaResult> result;
  if (const Part* cda = FindPart(record, Part::CDA_N3); cda != nullptr) {
    result = Complete(input, *cda);
  } else if (const Part* n1 = FindPart(record, Part::CDA_N1); n1 != nullptr) {
    result = Complete(input, *n1);
  } else if (const Part* pdf = FindPart(record, Part::PDF); pdf != nullptr) {
    result = BuildFromPdf(input, pdf->content(), "the PDF");
  } else if (!record.sections().empty()) {
    std::string title = record.title();
    if (title.empty()) title = std::string(N1ModelFor(record.type().code()).title);
    if (title.empty()) title = record.type().display();
    auto time = EffectiveTime(input);
    if (!time.ok()) return time.status();
    auto rendered = RenderLetter(input, title, *time);
    if (!rendered.ok()) return rendered.status();
    result = BuildFromPdf(input, *rendered, "the letter's sections rendered to PDF");
  } else {
    return absl::InvalidArgumentError(
        "the record carries no CDA, no PDF and no letter sections to build a CDA from");
  }
  if (!result.ok()) return result.status();
  result->version.set_id(result->info.id());
  result->version.set_set_id(result->info.set_id());
  result->version.set_version(result->info.version());
  result->version.set_parent_id(result->info.parent_id());
  result->version.set_message_id(input.message_id);
  result->version.set_at_us(input.now_us);
  return result;
}

}  // namespace navette::routes::cda
