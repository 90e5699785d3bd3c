// How steps read the identity store: an interface, so that the step logic is
// tested without RocksDB and the router can serve reads from the store.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/identity.pb.h"

namespace navette::routes::ins {

class IdentityReader {
 public:
  virtual ~IdentityReader() = default;
  // The record of a patient key; nullopt if the feed never named it.
  virtual absl::StatusOr<std::optional<identity::Identity>> Get(std::string_view patient) const = 0;
  // The patient keys whose records carry this INS, merged records included
  // (store/keys.h, index.ins); empty if none does.
  virtual absl::StatusOr<std::vector<std::string>> FindByIns(const identity::Ins& ins) const = 0;
};

struct ResolvedIdentity {
  std::string patient;  // the key that stands for the patient now
  identity::Identity identity;
};

// The identity of `patient`, following merges and identifier changes
// (merged_into) to the record that stands for it now; nullopt if unknown.
// A chain longer than a few links, or a loop, is an error: the feed never
// makes one.
absl::StatusOr<std::optional<ResolvedIdentity>> Resolve(const IdentityReader& reader,
                                                        std::string patient);

// The identity that carries `ins` (for a document that names its patient by
// the INS alone), each record found followed through merges as Resolve does.
// nullopt if no record carries it. Several records that stand for different
// patients are a duplicate in the identity store, which only the DPI can
// resolve (an A40): FailedPrecondition, with a message naming no patient.
absl::StatusOr<std::optional<ResolvedIdentity>> ResolveByIns(const IdentityReader& reader,
                                                             const identity::Ins& ins);

// Whether the identity may carry the INS (RNIV): qualified, neither doubtful
// nor fictitious, with an INS.
bool CanCarryIns(const identity::Identity& identity);

// Why an identity cannot carry the INS, in words with no patient data, e.g.
// "identity not qualified (provisional)"; empty when it can.
std::string WhyNoIns(const identity::Identity& identity);

std::string_view StatusWord(identity::IdentityStatus status);  // "qualified", ...

}  // namespace navette::routes::ins
