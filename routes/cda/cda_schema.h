// The ANS schema CDA_extended.xsd (fr-specs.md §2.5), compiled once and
// shared: every CDA navette emits or completes is validated against it
// before it may leave. The HL7 normative CDA.xsd is not used: it rejects
// most official French examples (the IHE lab and DICOM extensions).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace navette::routes::cda {

class CdaSchema {
 public:
  // Compiles <dir>/CDA_extended.xsd and its includes. The error names the
  // file and libxml2's first errors.
  static absl::StatusOr<std::shared_ptr<const CdaSchema>> Load(const std::filesystem::path& dir);
  // One compiled schema per directory for the whole process (every
  // build_cda step shares it); compiled on first use.
  static absl::StatusOr<std::shared_ptr<const CdaSchema>> Shared(const std::filesystem::path& dir);

  ~CdaSchema();
  CdaSchema(const CdaSchema&) = delete;
  CdaSchema& operator=(const CdaSchema&) = delete;

  // OK, or InvalidArgument whose message lists the validator's first errors
  // (at most `max_errors`), each "line N: <libxml2 message>". Safe to call
  // from several threads at once.
  absl::Status Validate(std::string_view xml, int max_errors = 5) const;

 private:
  struct Impl;
  explicit CdaSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The schemas shipped with navette (schemas/cda in the source tree;
// NAVETTE_SCHEMA_DIR at build time).
std::filesystem::path DefaultSchemaDir();

}  // namespace navette::routes::cda
