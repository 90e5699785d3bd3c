// What an accepted request does to the registry (after dmp_request_checks):
//
//   ITI-41  every DocumentEntry registered with the bytes of its part; an
//           RPLC association from it names the entry it replaces
//   ITI-57  UpdateAvailabilityStatus associations (OriginalStatus →
//           NewStatus of the target entryUUID); a new version of an entry
//           (ExtrinsicObject with lid = its entryUUID, PreviousVersion on its
//           HasMember) replaces its confidentialityCodes. Applied one
//           change after another: a failing change stops the rest, and the
//           ones before it stay (the DMP's TD3.3 requests carry one).
#pragma once

#include <vector>

#include "tests/dmp-sim/dmp_errors.h"
#include "tests/dmp-sim/dmp_registry.h"
#include "tests/dmp-sim/dmp_request_checks.h"

namespace navette::testing::dmp_sim {

std::vector<XdsError> ApplyProvideAndRegister(const CheckedRequest& request, DmpRegistry* registry);
std::vector<XdsError> ApplyUpdateDocumentSet(const CheckedRequest& request, DmpRegistry* registry);

}  // namespace navette::testing::dmp_sim
