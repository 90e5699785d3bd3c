// What build_cda does with a document record (docs/cda-building.md), as a
// pure function of the record, the identity attach_ins attached, the
// hospital's settings, the message id, the time and the versions navette
// emitted, so that routing again after a crash decides the same:
//
//   the record carries                 build_cda
//   action DELETE                      nothing (the deletion is DMP metadata)
//   a CDA (N3 preferred to N1)         completes it (cda_completion.h)
//   a PDF alone                        builds the N1 of its type (n1_document.h)
//   sections, no PDF (a letter)        renders them to a PDF (letter_pdf.h), then as a PDF
//   nothing of these                   InvalidArgument
//
// and refuses (InvalidArgument: the message is dead) a DMP-bound record
// (DESTDMP) whose patient has no INS, a replacement whose previous version
// navette never emitted, and whatever the header needs and the record or
// the settings lack.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/config.pb.h"
#include "proto/document.pb.h"
#include "proto/identity.pb.h"
#include "proto/store.pb.h"
#include "routes/cda/letter_pdf.h"
#include "routes/document_versions.h"

namespace navette::routes::cda {

using LetterRenderer = std::function<absl::StatusOr<std::string>(const LetterPdfInput&)>;

struct BuildCdaInput {
  const navette::document::Document* record = nullptr;
  const identity::Identity* identity = nullptr;  // null: none attached
  const navette::config::Hospital* hospital = nullptr;
  uint64_t message_id = 0;
  int64_t now_us = 0;
  const DocumentVersions* versions = nullptr;
  LetterRenderer render_letter;  // RenderLetterPdf in the engine
};

struct BuildCdaResult {
  enum class Kind { kBuilt, kCompleted, kNothing };
  Kind kind = Kind::kNothing;
  std::string xml;  // kBuilt, kCompleted: the CDA in UTF-8
  navette::document::CdaInfo info;
  store::DocumentVersion version;
  // For the history: what was done, field names, never values.
  std::vector<std::string> notes;
};

absl::StatusOr<BuildCdaResult> BuildCda(const BuildCdaInput& input);

}  // namespace navette::routes::cda
