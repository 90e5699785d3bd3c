#include "engine/admin_actions.h"

#include <chrono>

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include "common/fmt_absl.h"
#include "common/thread_name.h"
#include "engine/admin_responses.h"
#include "engine/admin_server.h"
#include "engine/admin_views.h"
#include "engine/delivery_scheduler.h"
#include "engine/message_edit.h"
#include "engine/patient_ids.h"
#include "store/message_id.h"

namespace navette::engine {
namespace {

using google::protobuf::util::TimeUtil;

// Dead letters read from the store at a time by a bulk replay.
constexpr size_t kBulkPage = 256;

// Parses the request body into `out`; an empty body leaves it as it is.
bool ParseBody(const httplib::Request& request, google::protobuf::Message& out,
               httplib::Response& response) {
  if (request.body.empty()) return true;
  google::protobuf::util::JsonParseOptions options;
  auto parsed = google::protobuf::util::JsonStringToMessage(request.body, &out, options);
  if (!parsed.ok()) {
    SendError(response, 400, fmt::format("bad request body: {}", parsed.message().ToString()));
    return false;
  }
  return true;
}

}  // namespace

AdminActions::AdminActions(store::Store& store, store::MessageIdGenerator& ids,
                           SchedulerLookup schedulers, std::function<void()> on_rerouted,
                           ProfileLookup profiles)
    : store_(store),
      ids_(ids),
      schedulers_(std::move(schedulers)),
      on_rerouted_(std::move(on_rerouted)),
      profiles_(std::move(profiles)) {}

AdminActions::~AdminActions() {
  stopping_ = true;
  for (std::thread& thread : job_threads_) thread.join();
}

void AdminActions::Register(AdminServer& server) {
  httplib::Server& http = server.http();
  auto actor_of = [&server](const httplib::Request& request) {
    std::optional<Principal> caller = server.Caller(request);
    return caller ? caller->user : std::string("unknown");
  };
  // Each action goes into the audit trail once done, refused ones with the
  // reason (engine/audit_trail.h). A failure to record is logged there: the
  // action has happened and its history names the actor.
  auto audit = [&server](const httplib::Request& request, std::string_view action, uint64_t id,
                         std::string detail, const absl::Status& outcome) {
    if (!outcome.ok()) {
      detail += fmt::format("{}refused: {}", detail.empty() ? "" : "; ", outcome.message());
    }
    (void)server.Audit(request, action, id == 0 ? std::vector<uint64_t>{} : std::vector{id},
                       detail);
  };

  http.Post(R"(/v1/messages/([^/]+)/replay)",
            [this, actor_of, audit](const httplib::Request& request, httplib::Response& response) {
              if (!AcceptOnlyParams(request, response, {})) return;
              auto id = store::ParseMessageId(request.matches[1].str());
              if (!id) return SendError(response, 400, "not a message id");
              admin::ReplayRequest body;
              if (!ParseBody(request, body, response)) return;
              auto done = Replay(*id, body, actor_of(request));
              audit(request, "replay", *id,
                    fmt::format("{}{}", body.destination(), body.reroute() ? " (reroute)" : ""),
                    done.status());
              if (!done.ok()) return SendError(response, done.status());
              SendJson(response, 200, *done);
            });
  http.Post(R"(/v1/messages/([^/]+)/discard)",
            [this, actor_of, audit](const httplib::Request& request, httplib::Response& response) {
              if (!AcceptOnlyParams(request, response, {})) return;
              auto id = store::ParseMessageId(request.matches[1].str());
              if (!id) return SendError(response, 400, "not a message id");
              auto done = Discard(*id, actor_of(request));
              audit(request, "discard", *id, "", done.status());
              if (!done.ok()) return SendError(response, done.status());
              SendJson(response, 200, *done);
            });
  http.Post(R"(/v1/messages/([^/]+)/resend)",
            [this, actor_of, audit](const httplib::Request& request, httplib::Response& response) {
              if (!AcceptOnlyParams(request, response, {})) return;
              auto id = store::ParseMessageId(request.matches[1].str());
              if (!id) return SendError(response, 400, "not a message id");
              admin::ResendRequest body;
              if (!ParseBody(request, body, response)) return;
              auto done = Resend(*id, body.destination(), actor_of(request));
              audit(request, "resend", *id, body.destination(), done.status());
              if (!done.ok()) return SendError(response, done.status());
              SendJson(response, 200, *done);
            });
  http.Post(R"(/v1/messages/([^/]+)/edit)",
            [this, &server, actor_of, audit](const httplib::Request& request,
                                             httplib::Response& response) {
              if (!AcceptOnlyParams(request, response, {})) return;
              auto id = store::ParseMessageId(request.matches[1].str());
              if (!id) return SendError(response, 400, "not a message id");
              admin::EditRequest body;
              if (!ParseBody(request, body, response)) return;
              auto done = Edit(*id, body.raw(), actor_of(request));
              // Both messages, and what changed: field names, never values.
              if (done.ok()) {
                auto new_id = store::ParseMessageId(done->id());
                (void)server.Audit(request, "edit", {*id, new_id.value_or(0)},
                                   fmt::format("into {}: {}", done->id(), done->changes()));
              } else {
                audit(request, "edit", *id, "", done.status());
              }
              if (!done.ok()) return SendError(response, done.status());
              SendJson(response, 200, *done);
            });
  http.Post(R"(/v1/messages/([^/]+)/release)",
            [this, actor_of, audit](const httplib::Request& request, httplib::Response& response) {
              if (!AcceptOnlyParams(request, response, {})) return;
              auto id = store::ParseMessageId(request.matches[1].str());
              if (!id) return SendError(response, 400, "not a message id");
              auto done = Release(*id, actor_of(request));
              audit(request, "release", *id, "", done.status());
              if (!done.ok()) return SendError(response, done.status());
              SendJson(response, 200, *done);
            });
  http.Post("/v1/replays", [this, actor_of, audit](const httplib::Request& request,
                                                   httplib::Response& response) {
    if (!AcceptOnlyParams(request, response, {})) return;
    admin::BulkReplayRequest body;
    if (!ParseBody(request, body, response)) return;
    auto job = StartBulkReplay(body, actor_of(request));
    // One entry for the job: each message it replays names the
    // actor in its own history.
    std::string what = body.destination().empty() ? std::string("dead letters of every destination")
                                                  : "dead letters of " + body.destination();
    if (job.ok()) what = fmt::format("job {}: {}", job->id(), what);
    audit(request, "bulk_replay", 0, what, job.status());
    if (!job.ok()) return SendError(response, job.status());
    SendJson(response, 202, *job);
  });
  http.Get(R"(/v1/replays/([^/]+))",
           [this](const httplib::Request& request, httplib::Response& response) {
             if (!AcceptOnlyParams(request, response, {})) return;
             auto job = GetJob(request.matches[1].str());
             if (!job) return SendError(response, 404, "no such replay job");
             SendJson(response, 200, *job);
           });
}

void AdminActions::ApplyEffects(const std::vector<store::ActionEffect>& effects, bool requeued) {
  for (const store::ActionEffect& effect : effects) {
    DeliveryScheduler* scheduler = schedulers_(effect.destination);
    if (scheduler == nullptr) continue;
    if (effect.was_dead) scheduler->DeadLettersChanged(-1);
    if (effect.was_pending) scheduler->TasksRemoved(1);
    if (requeued) scheduler->Notify(1);
  }
}

absl::StatusOr<admin::ActionResponse> AdminActions::Respond(
    uint64_t id, const std::vector<store::ActionEffect>& effects) {
  auto state = store_.GetState(id);
  if (!state.ok()) return state.status();
  admin::ActionResponse response;
  response.set_id(store::FormatMessageId(id));
  response.set_state(std::string(store::StatusName(state->status())));
  for (const store::ActionEffect& effect : effects) response.add_destinations(effect.destination);
  return response;
}

absl::StatusOr<admin::ActionResponse> AdminActions::Release(uint64_t id, const std::string& actor) {
  auto routes = store_.Release(id, ids_.Next(), actor);
  if (!routes.ok()) return routes.status();
  on_rerouted_();
  auto response = Respond(id, {});
  if (!response.ok()) return response.status();
  for (const std::string& route : *routes) response->add_routes(route);
  return response;
}

absl::StatusOr<admin::ActionResponse> AdminActions::Replay(uint64_t id,
                                                           const admin::ReplayRequest& request,
                                                           const std::string& actor) {
  if (request.reroute()) {
    if (!request.destination().empty()) {
      return absl::InvalidArgumentError(
          "a reroute goes through the routes again: it takes no destination");
    }
    auto effects = store_.Reroute(id, ids_.Next(), actor);
    if (!effects.ok()) return effects.status();
    ApplyEffects(*effects, false);
    on_rerouted_();
    spdlog::info("admin: {} rerouted id={}", actor, store::FormatMessageId(id));
    return Respond(id, *effects);
  }
  if (!request.destination().empty() && schedulers_(request.destination()) == nullptr) {
    return absl::NotFoundError(fmt::format("no destination '{}'", request.destination()));
  }
  auto effects = store_.Replay(id, request.destination(), actor);
  if (!effects.ok()) return effects.status();
  ApplyEffects(*effects, true);
  spdlog::info("admin: {} replayed id={}", actor, store::FormatMessageId(id));
  return Respond(id, *effects);
}

absl::StatusOr<admin::ActionResponse> AdminActions::Resend(uint64_t id,
                                                           const std::string& destination,
                                                           const std::string& actor) {
  if (destination.empty()) {
    return absl::InvalidArgumentError("a resend names the destination to send the message to");
  }
  auto effects = store_.Resend(id, destination, actor);
  if (!effects.ok()) return effects.status();
  ApplyEffects(*effects, true);
  spdlog::info("admin: {} resent id={} to {}", actor, store::FormatMessageId(id), destination);
  return Respond(id, *effects);
}

absl::StatusOr<admin::EditResponse> AdminActions::Edit(uint64_t id,
                                                       const std::string& corrected_text,
                                                       const std::string& actor) {
  auto original = store_.GetMessage(id);
  if (!original.ok()) return original.status();
  // Refused early (the store checks again under its lock): an edit of a
  // message still on its way is no correction.
  auto state = store_.GetState(id);
  if (!state.ok()) return state.status();
  if (absl::Status allowed = store::CheckEdit(id, *state); !allowed.ok()) return allowed;
  std::optional<adapters::documents::Profile> profile;
  if (profiles_) profile = profiles_(original->envelope().source());
  auto edited = BuildEditedMessage(*original, corrected_text, actor, profile,
                                   std::chrono::system_clock::now());
  if (!edited.ok()) return edited.status();
  store::EditRecord record;
  record.original_id = id;
  record.id = ids_.Next();
  record.envelope = &edited->envelope;
  record.actor = actor;
  record.changes = edited->changes;
  record.patient = PatientIdsOf(edited->envelope.raw());
  if (absl::Status committed = store_.CommitEdit(record); !committed.ok()) return committed;
  on_rerouted_();
  spdlog::info("admin: {} edited id={} into id={} ({})", actor, store::FormatMessageId(id),
               store::FormatMessageId(record.id), edited->changes);
  admin::EditResponse response;
  response.set_id(store::FormatMessageId(record.id));
  response.set_edited_from(store::FormatMessageId(id));
  response.set_changes(edited->changes);
  auto after = store_.GetState(record.id);
  if (after.ok()) response.set_state(std::string(store::StatusName(after->status())));
  return response;
}

absl::StatusOr<admin::ActionResponse> AdminActions::Discard(uint64_t id, const std::string& actor) {
  // The routes it holds (parked, failed) are dropped with it: read first, to
  // say which. Only for the answer; a route parked meanwhile is dropped too.
  auto before = store_.GetState(id);
  if (!before.ok()) return before.status();
  auto effects = store_.Discard(id, actor);
  if (!effects.ok()) return effects.status();
  ApplyEffects(*effects, false);
  spdlog::info("admin: {} discarded id={}", actor, store::FormatMessageId(id));
  auto response = Respond(id, *effects);
  if (!response.ok()) return response.status();
  for (const auto* holds : {&before->parked(), &before->failed_routes()}) {
    for (const store::RouteHold& hold : *holds) response->add_routes(hold.route());
  }
  return response;
}

absl::StatusOr<admin::Job> AdminActions::StartBulkReplay(const admin::BulkReplayRequest& request,
                                                         const std::string& actor) {
  if (request.state() != "dead") {
    return absl::InvalidArgumentError(
        fmt::format("bulk replay takes state 'dead' (got '{}'); replay other messages one by one",
                    request.state()));
  }
  if (!request.destination().empty() && schedulers_(request.destination()) == nullptr) {
    return absl::NotFoundError(fmt::format("no destination '{}'", request.destination()));
  }
  // Counted first, for the progress bar; letters added meanwhile are
  // replayed too, so `done` can pass `total` by a little.
  auto counts = store_.CountDeadLetters();
  if (!counts.ok()) return counts.status();
  uint64_t total = 0;
  for (const auto& [destination, count] : *counts) {
    if (request.destination().empty() || destination == request.destination()) total += count;
  }
  auto record = std::make_shared<JobRecord>();
  std::lock_guard lock(jobs_mu_);
  record->job.set_id(fmt::format("{}", next_job_++));
  record->job.set_state("running");
  record->job.set_total(total);
  record->job.set_actor(actor);
  jobs_[record->job.id()] = record;
  admin::Job snapshot = record->job;
  job_threads_.emplace_back([this, record, request, actor] {
    SetThreadName("replay-job");
    RunBulkReplay(record, request, actor);
  });
  spdlog::info("admin: {} started replay job {} ({} dead letters, destination={})", actor,
               snapshot.id(), total, request.destination().empty() ? "any" : request.destination());
  return snapshot;
}

void AdminActions::RunBulkReplay(std::shared_ptr<JobRecord> record,
                                 admin::BulkReplayRequest request, std::string actor) {
  const int64_t since_us =
      request.has_since() ? TimeUtil::TimestampToMicroseconds(request.since()) : 0;
  const int64_t until_us =
      request.has_until() ? TimeUtil::TimestampToMicroseconds(request.until()) : INT64_MAX;
  std::optional<store::DeadLetter> after;
  auto fail = [&record](const absl::Status& status) {
    std::lock_guard lock(record->mu);
    record->job.set_state("failed");
    record->job.set_error(std::string(status.message()));
  };
  while (!stopping_) {
    auto page = store_.ListDeadLetters(request.destination(), after ? &*after : nullptr, kBulkPage);
    if (!page.ok()) return fail(page.status());
    if (page->empty()) break;
    after = page->back();
    for (const store::DeadLetter& letter : *page) {
      if (stopping_) break;
      uint64_t replayed = 0, skipped = 0, failed = 0;
      auto state = store_.GetState(letter.id);
      if (!state.ok() || state->received_at_us() < since_us ||
          state->received_at_us() >= until_us) {
        ++skipped;
      } else {
        admin::ReplayRequest one;
        one.set_reroute(request.reroute());
        if (!request.reroute()) one.set_destination(letter.destination);
        auto done = Replay(letter.id, one, actor);
        if (done.ok()) {
          ++replayed;
        } else if (absl::IsFailedPrecondition(done.status())) {
          ++skipped;  // no longer dead: replayed or discarded meanwhile
        } else {
          ++failed;
        }
      }
      std::lock_guard lock(record->mu);
      record->job.set_done(record->job.done() + 1);
      record->job.set_replayed(record->job.replayed() + replayed);
      record->job.set_skipped(record->job.skipped() + skipped);
      record->job.set_failed(record->job.failed() + failed);
    }
  }
  std::lock_guard lock(record->mu);
  if (record->job.state() == "running") record->job.set_state("done");
  spdlog::info("admin: replay job {} {}: {} replayed, {} skipped, {} failed", record->job.id(),
               record->job.state(), record->job.replayed(), record->job.skipped(),
               record->job.failed());
}

std::optional<admin::Job> AdminActions::GetJob(const std::string& id) const {
  std::shared_ptr<JobRecord> record;
  {
    std::lock_guard lock(jobs_mu_);
    auto found = jobs_.find(id);
    if (found == jobs_.end()) return std::nullopt;
    record = found->second;
  }
  std::lock_guard lock(record->mu);
  return record->job;
}

}  // namespace navette::engine
