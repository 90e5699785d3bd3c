// The filters of GET /v1/messages, read from its query (docs/operations.md,
// "Finding messages"):
//
//   state, source, route, destination    names, as configured
//   ipp, ins                             the patient's identifiers (PID-3)
//   control_id                           MSH-10
//   document_id, set_id                  a CDA document, or all its versions
//   field                                "PID-3.1=000123": a field path
//                                        (adapters/hl7v2/field_path.h) and
//                                        the value it must hold exactly, in
//                                        the message as received; needs
//                                        since (each candidate is read)
//   since, until                         received at or after / before:
//                                        RFC 3339 (2026-12-05T08:00:00Z)
//   limit                                1 to 10,000 a page (default 100)
//   before                               the cursor: next_cursor of the
//                                        previous page
//
// All combine; the answer is newest first. Errors name the parameter.
#pragma once

#include "absl/status/statusor.h"
#include "store/store.h"

namespace httplib {
struct Request;
}  // namespace httplib

namespace navette::engine {

inline constexpr size_t kMaxListLimit = 10000;

// `store` reads the messages a field filter checks.
absl::StatusOr<store::SearchFilter> SearchFilterOf(const httplib::Request& request,
                                                   const store::Store& store);

}  // namespace navette::engine
