#include "routes/cda/document_ids.h"

#include <cctype>

#include <fmt/format.h>

#include "absl/strings/str_split.h"

namespace navette::routes::cda {

bool IsOid(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  int arcs = 0;
  for (absl::string_view arc : absl::StrSplit(absl::string_view(text.data(), text.size()), '.')) {
    if (arc.empty() || (arc.size() > 1 && arc[0] == '0')) return false;
    for (char c : arc) {
      if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
    }
    ++arcs;
  }
  return arcs >= 2 && text[0] >= '0' && text[0] <= '2';
}

absl::StatusOr<CdaIds> AssignIds(const navette::document::Document& record,
                                 const navette::config::Hospital& hospital, uint64_t message_id,
                                 const DocumentVersions* versions) {
  if (!IsOid(hospital.oid_root()) || hospital.oid_root().size() > 40) {
    return absl::InvalidArgumentError(
        "hospital.oid_root must be an OID of at most 40 characters to generate document ids");
  }
  CdaIds ids;
  ids.id = IsOid(record.document_id()) ? record.document_id()
                                       : fmt::format("{}.1.{}", hospital.oid_root(), message_id);
  ids.set_id = fmt::format("{}.2.{}", hospital.oid_root(), message_id);
  if (record.action() != navette::document::REPLACE) return ids;

  if (record.parent_document_id().empty()) {
    return absl::InvalidArgumentError(
        "a replacement must name the version it replaces (TXA-13) when navette builds its CDA");
  }
  if (versions == nullptr) {
    return absl::FailedPreconditionError("build_cda has no document versions to read");
  }
  auto parent = versions->Find(record.parent_document_id());
  if (!parent.ok()) return parent.status();
  if (!parent->has_value()) {
    return absl::InvalidArgumentError(fmt::format(
        "the version replaced (TXA-13 {}) was never emitted by navette: no setId to keep",
        record.parent_document_id()));
  }
  if ((*parent)->id() == ids.id) {
    return absl::InvalidArgumentError("a replacement carries the id of the version it replaces");
  }
  ids.set_id = (*parent)->set_id();
  ids.version = (*parent)->version() + 1;
  ids.parent_id = (*parent)->id();
  ids.parent_set_id = (*parent)->set_id();
  ids.parent_version = (*parent)->version();
  return ids;
}

}  // namespace navette::routes::cda
