// Runs a matched route's steps on a message and adds what the route decides
// to the message's routing decision: deliveries (of the message or of the
// route's output), a parked route, or a route dead at a step; and, for the
// history, what its steps changed in the document (RoutingDecision::notes:
// field names, never values).
//
// Steps read the identity store as committed: the router commits an
// identity update before it runs the steps of the messages behind it.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "proto/config.pb.h"
#include "routes/ins/identity_reader.h"
#include "routes/ins/ins_number.h"
#include "routes/ins/reliability_table.h"
#include "routes/route_table.h"
#include "store/store.h"

namespace navette::engine {

struct StepSettings {
  routes::ins::Environment environment = routes::ins::Environment::kProduction;
  routes::ins::ReliabilityTable reliability = routes::ins::ReliabilityTable::Default();
};

// From the configuration's `identity` section (assumed checked).
StepSettings StepSettingsFrom(const navette::config::Config& config);

class StepRunner {
 public:
  StepRunner(const store::Store& store, StepSettings settings);

  // `patient` is the per-patient ordering key of the deliveries. An error is
  // a store failure: the message stays in the router queue.
  absl::Status RunRoute(const store::StoredMessage& message, const routes::RouteMatch& match,
                        const std::string& patient, store::RoutingDecision& decision) const;

 private:
  class StoreReader : public routes::ins::IdentityReader {
   public:
    explicit StoreReader(const store::Store& store) : store_(store) {}
    absl::StatusOr<std::optional<identity::Identity>> Get(std::string_view patient) const override {
      return store_.GetIdentity(patient);
    }
    absl::StatusOr<std::vector<std::string>> FindByIns(const identity::Ins& ins) const override {
      return store_.FindPatientsByIns(ins.oid(), ins.matricule());
    }

   private:
    const store::Store& store_;
  };

  StoreReader reader_;
  StepSettings settings_;
};

}  // namespace navette::engine
