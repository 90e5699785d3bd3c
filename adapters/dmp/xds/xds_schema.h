// The IHE XDS.b / ebRIM 3.0 schema set (schemas/xds, NIST, public domain),
// compiled once and shared: every ITI-41 and ITI-57 body navette builds for
// the DMP is checked against it (in the tests, and by the destination
// before it sends).
//
// An ITI-41 body carries its documents as <xop:Include href="cid:..."/>,
// which the schema cannot accept (xdsb:Document is base64Binary): the
// validator checks the XOP infoset instead, each Include replaced by the
// base64 of its part when the caller gives the parts, by empty content
// otherwise — the shape of the metadata is what is checked here, the bytes
// belong to the MTOM layer.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace navette::adapters::dmp::xds {

class XdsSchema {
 public:
  // Compiles <dir>/XDS.b_DocumentRepository.xsd and its imports (lcm, rim,
  // rs, query, rmd). The error names the file and libxml2's first errors.
  static absl::StatusOr<std::shared_ptr<const XdsSchema>> Load(const std::filesystem::path& dir);
  // One compiled schema per directory for the whole process, compiled on
  // first use; a failure is not cached.
  static absl::StatusOr<std::shared_ptr<const XdsSchema>> Shared(const std::filesystem::path& dir);

  ~XdsSchema();
  XdsSchema(const XdsSchema&) = delete;
  XdsSchema& operator=(const XdsSchema&) = delete;

  // OK, or InvalidArgument listing the first `max_errors` errors, each
  // "line N: <libxml2 message>". `parts` maps a Content-ID (without "cid:")
  // to its bytes; an Include naming a cid absent from a non-empty map is an
  // error. Safe to call from several threads at once.
  absl::Status Validate(std::string_view xml, const std::map<std::string, std::string>& parts = {},
                        int max_errors = 5) const;

 private:
  struct Impl;
  explicit XdsSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// schemas/xds in the source tree (NAVETTE_XDS_SCHEMA_DIR at build time).
std::filesystem::path DefaultXdsSchemaDir();

}  // namespace navette::adapters::dmp::xds
