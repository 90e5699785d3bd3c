#include "routes/cda/build_cda_kind.h"

#include <memory>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "common/fmt_absl.h"
#include "routes/cda/cda_schema.h"
#include "routes/cda/letter_pdf.h"

namespace navette::routes::cda {
namespace {

using BuildCdaConfig = navette::config::BuildCdaStep;

// A dry run (check) compiles the schema, so that a wrong schema_dir is
// reported before serve, but builds no step: there is no store to read.
absl::StatusOr<std::unique_ptr<Step>> CreateBuildCda(const BuildCdaConfig& config,
                                                     const kinds::StepContext& context) {
  if (context.clock == nullptr || context.hospital == nullptr) {
    return absl::InvalidArgumentError("build_cda needs the hospital settings and a clock");
  }
  CdaValidator validate;
  if (!config.has_validate() || config.validate()) {
    std::filesystem::path dir = config.schema_dir().empty()
                                    ? DefaultSchemaDir()
                                    : std::filesystem::path(config.schema_dir());
    auto schema = CdaSchema::Shared(dir);
    if (!schema.ok()) {
      return kinds::SettingError("schema_dir", std::string(schema.status().message()));
    }
    validate = [schema = *schema](std::string_view xml) { return schema->Validate(xml); };
  }
  if (context.dry_run) return nullptr;
  if (context.documents == nullptr) {
    return absl::InvalidArgumentError("build_cda needs the store's document versions");
  }
  return std::make_unique<BuildCdaStep>(*context.hospital, context.documents, *context.clock,
                                        std::move(validate), RenderLetterPdf);
}

}  // namespace

BuildCdaStep::BuildCdaStep(const navette::config::Hospital& hospital,
                           const DocumentVersions* versions, const Clock& clock,
                           CdaValidator validate, LetterRenderer render_letter)
    : hospital_(hospital),
      versions_(versions),
      clock_(clock),
      validate_(std::move(validate)),
      render_letter_(std::move(render_letter)) {}

absl::StatusOr<StepOutcome> BuildCdaStep::Run(const StepInput& input) const {
  const int64_t now_us = clock_.NowMicros();
  if (input.record == nullptr) {
    return StepOutcome::Dead(
        "build_cda: the message carries no document record (its source has no profile)", now_us);
  }
  auto built = BuildCda(BuildCdaInput{.record = input.record,
                                      .identity = input.identity,
                                      .hospital = &hospital_,
                                      .message_id = input.message_id,
                                      .now_us = now_us,
                                      .versions = versions_,
                                      .render_letter = render_letter_});
  if (absl::IsInvalidArgument(built.status())) {
    return StepOutcome::Dead(fmt::format("build_cda: {}", built.status().message()), now_us);
  }
  if (!built.ok()) return built.status();

  StepOutcome outcome;
  outcome.notes = std::move(built->notes);
  if (built->kind == BuildCdaResult::Kind::kNothing) return outcome;
  if (validate_) {
    if (absl::Status valid = validate_(built->xml); !valid.ok()) {
      return StepOutcome::Dead(fmt::format("build_cda: the {} CDA fails CDA_extended.xsd: {}",
                                           built->info.template_model(), valid.message()),
                               now_us);
    }
    outcome.notes.push_back("build_cda: valid against CDA_extended.xsd");
  }
  navette::document::Document record = *input.record;
  *record.mutable_cda() = std::move(built->info);
  outcome.output = std::move(built->xml);
  outcome.content_type = "text/xml";
  outcome.record = std::move(record);
  outcome.document_version = std::move(built->version);
  return outcome;
}

void ApplyBuildCdaDefaults(BuildCdaConfig& config) {
  if (!config.has_validate()) config.set_validate(true);
}

kinds::StepKind BuildCdaKind() {
  return kinds::Erase(kinds::TypedStepKind<BuildCdaConfig>{
      .name = "build_cda",
      .apply_defaults = ApplyBuildCdaDefaults,
      .create = CreateBuildCda,
  });
}

}  // namespace navette::routes::cda
