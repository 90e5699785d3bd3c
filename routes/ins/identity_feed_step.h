// The identity_feed step: turns a PAM-FR ADT (identity_feed.h) into the
// change of the identity store that the router commits with the message's
// routing, so that the update and the release of the documents it qualifies
// are one atomic batch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "routes/ins/identity_feed.h"
#include "routes/ins/identity_reader.h"
#include "store/store.h"

namespace navette::routes::ins {

struct IdentityFeedResult {
  // nullopt: the event changes no identity (A02, A03, ...).
  std::optional<store::IdentityUpdate> update;
  // For the ADT's history: what was done, with no patient data.
  std::string detail;
};

// InvalidArgument (the ADT is dead with that reason) for an update naming an
// IPP that was merged into another: the DPI must name the survivor.
absl::StatusOr<IdentityFeedResult> PlanIdentityUpdate(const IdentityFeedEvent& event,
                                                      const IdentityReader& reader,
                                                      uint64_t message_id, int64_t now);

// What changed between two records, naming fields, never values:
// "created (provisional)", "status provisional -> qualified, INS set".
std::string DescribeChange(const identity::Identity* before, const identity::Identity& after);

}  // namespace navette::routes::ins
