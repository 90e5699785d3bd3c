// Runs a matched route's steps on a message and adds what the route decides
// to the message's routing decision: deliveries (of the message or of the
// route's output), a parked route, or a route dead at a step; and, for the
// history, what its steps did (RoutingDecision::notes: field names, never
// values).
//
// Each route's steps are built once, when the runner is, through their kinds
// (kinds/registry.h); the runner names no kind. Per message it runs them in
// order, each on the document as the previous one left it, and turns their
// outcomes (routes/step.h) into the decision:
//
//   every step continues   deliveries to the route's destinations, of the last
//                          output if a step gave one; the steps' notes
//   a step parks           the route is held under the step's key (no delivery)
//   a step is dead         the deliveries carry its reason (each fails as dead),
//                          or, for a route with no destinations, a failed route
//
// A dead or parked route has no notes. An identity store update a step plans
// is committed with the decision whatever the route's outcome (the ADT said
// it), and only once per message (StepInput::identity_update_planned).
//
// Steps read the identity store as committed: the router commits an
// identity update before it runs the steps of the messages behind it.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "kinds/registry.h"
#include "proto/config.pb.h"
#include "routes/document_versions.h"
#include "routes/ins/identity_reader.h"
#include "routes/route_table.h"
#include "routes/step.h"
#include "store/store.h"

namespace navette::engine {

class Metrics;

class StepRunner {
 public:
  // Builds the steps of every route of `config` (checked, defaults
  // applied). `store` and `clock` outlive the runner; it keeps its own copy
  // of the `hospital` section, which the steps refer to. `data_dir` is the
  // engine's. `metrics` (null in tests that count nothing) outlives the
  // runner: the steps count in it under their route. The error names the
  // route and the step's kind.
  static absl::StatusOr<std::unique_ptr<StepRunner>> Create(
      const store::Store& store, const navette::config::Config& config,
      const kinds::KindRegistry& kinds, const Clock& clock,
      const std::filesystem::path& data_dir = {}, Metrics* metrics = nullptr);

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

  class DocumentReader : public routes::DocumentVersions {
   public:
    explicit DocumentReader(const store::Store& store) : store_(store) {}
    absl::StatusOr<std::optional<store::DocumentVersion>> Find(std::string_view id) const override {
      return store_.GetDocumentVersion(id);
    }

   private:
    const store::Store& store_;
  };

  StepRunner(const store::Store& store, const Clock& clock, navette::config::Hospital hospital)
      : reader_(store), documents_(store), hospital_(std::move(hospital)), clock_(clock) {}

  // The steps refer to them: the runner does not move.
  const StoreReader reader_;
  const DocumentReader documents_;
  const navette::config::Hospital hospital_;
  const Clock& clock_;
  // Each route's metrics scope, which its steps refer to.
  std::vector<std::unique_ptr<kinds::StepMetrics>> step_metrics_;
  // Each route's steps, in order, by route name.
  std::map<std::string, std::vector<std::unique_ptr<routes::Step>>, std::less<>> steps_;
};

}  // namespace navette::engine
