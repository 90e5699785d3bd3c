// Operator actions on the admin API (operator role or above; the admin
// server's token check runs first):
//
//   POST /v1/messages/{id}/replay    body ReplayRequest (optional)
//   POST /v1/messages/{id}/discard
//   POST /v1/messages/{id}/resend    body ResendRequest: to a destination no
//                                    route gave it
//   POST /v1/messages/{id}/edit      body EditRequest -> EditResponse: the
//                                    corrected message, stored as a new one
//   POST /v1/replays                 body BulkReplayRequest -> 202 Job
//   GET  /v1/replays/{job}           Job: progress of a bulk replay
//
// Each action is recorded in the message's history with the caller's user.
// A bulk replay walks the dead letters (of one destination, or all) in the
// background, one message at a time, so that the API stays responsive and
// a large replay can be followed; its jobs are kept in memory until the
// engine stops.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/documents/contract.h"
#include "proto/admin.pb.h"
#include "store/store.h"

namespace navette::store {
class MessageIdGenerator;
}

namespace navette::engine {

class AdminServer;
class DeliveryScheduler;

class AdminActions {
 public:
  using SchedulerLookup = std::function<DeliveryScheduler*(const std::string& destination)>;
  // The document contract a configured source applies (Source.profile);
  // nullopt for none, or a source no longer configured.
  using ProfileLookup =
      std::function<std::optional<adapters::documents::Profile>(const std::string& source)>;
  // `on_rerouted` wakes the router.
  AdminActions(store::Store& store, store::MessageIdGenerator& ids, SchedulerLookup schedulers,
               std::function<void()> on_rerouted, ProfileLookup profiles = {});
  ~AdminActions();  // waits for running jobs to stop

  // Adds the routes above to `server`, before it starts.
  void Register(AdminServer& server);

  // The actions themselves, for the routes and for tests.
  absl::StatusOr<admin::ActionResponse> Replay(uint64_t id, const admin::ReplayRequest& request,
                                               const std::string& actor);
  absl::StatusOr<admin::ActionResponse> Discard(uint64_t id, const std::string& actor);
  // Queues the message, as received, for a configured destination it has
  // no delivery to (store::Store::Resend), and wakes its scheduler.
  absl::StatusOr<admin::ActionResponse> Resend(uint64_t id, const std::string& destination,
                                               const std::string& actor);
  // Stores `corrected_text` as a new message linked to `id` both ways
  // (engine/message_edit.h, store::Store::CommitEdit) and wakes the router
  // to route it with the current routes.
  absl::StatusOr<admin::EditResponse> Edit(uint64_t id, const std::string& corrected_text,
                                           const std::string& actor);
  // Sends a parked message's routes back to the router now.
  absl::StatusOr<admin::ActionResponse> Release(uint64_t id, const std::string& actor);
  absl::StatusOr<admin::Job> StartBulkReplay(const admin::BulkReplayRequest& request,
                                             const std::string& actor);
  std::optional<admin::Job> GetJob(const std::string& id) const;

 private:
  struct JobRecord {
    mutable std::mutex mu;
    admin::Job job;
  };
  void RunBulkReplay(std::shared_ptr<JobRecord> record, admin::BulkReplayRequest request,
                     std::string actor);
  // Tells the schedulers what an action did to their queues and dead letters.
  void ApplyEffects(const std::vector<store::ActionEffect>& effects, bool requeued);
  absl::StatusOr<admin::ActionResponse> Respond(uint64_t id,
                                                const std::vector<store::ActionEffect>& effects);

  store::Store& store_;
  store::MessageIdGenerator& ids_;
  SchedulerLookup schedulers_;
  std::function<void()> on_rerouted_;
  ProfileLookup profiles_;

  mutable std::mutex jobs_mu_;
  std::map<std::string, std::shared_ptr<JobRecord>> jobs_;
  std::vector<std::thread> job_threads_;
  std::atomic<bool> stopping_{false};
  uint64_t next_job_ = 1;
};

}  // namespace navette::engine
