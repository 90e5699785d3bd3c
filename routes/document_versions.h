// The versions of documents navette emitted, as build_cda reads them to
// build a replacement: the version a producer's TXA-13 (or OBX-11 C) names
// gives the setId to keep and the versionNumber to increment. The store
// keeps them (documents CF, store::DocumentVersion), written with the
// routing decision that built them, so that a crash and a replay decide the
// same.
#pragma once

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "proto/store.pb.h"

namespace navette::routes {

class DocumentVersions {
 public:
  virtual ~DocumentVersions() = default;
  // The version emitted under this document id (ClinicalDocument/id, an
  // OID); nullopt when navette never emitted it. An error is a store
  // failure: the router retries the message.
  virtual absl::StatusOr<std::optional<store::DocumentVersion>> Find(std::string_view id) const = 0;
};

}  // namespace navette::routes
