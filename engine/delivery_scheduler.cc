#include "engine/delivery_scheduler.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/fmt_absl.h"
#include "common/printable.h"
#include "common/thread_name.h"
#include "engine/intake_gate.h"
#include "engine/metrics.h"
#include "store/message_id.h"

namespace navette::engine {
namespace {

// Most tasks held in memory per destination: bounds memory whatever the
// queue's length, and is far more than any destination has in flight.
constexpr size_t kWindow = 4096;
// Tasks read from the store at a time to refill the window.
constexpr size_t kLoadChunk = 512;
// The attempt threads wait this long after a store failure.
constexpr int64_t kStoreRetryUs = 1000000;

const char* ResultLabel(store::AttemptResult result) {
  switch (result) {
    case store::AttemptResult::kDelivered:
      return "delivered";
    case store::AttemptResult::kRetry:
      return "retry";
    case store::AttemptResult::kDead:
      return "dead";
  }
  return "retry";
}

}  // namespace

DeliveryScheduler::DeliveryScheduler(std::string destination_name,
                                     adapters::Destination& destination, store::Store& store,
                                     DeliveryPolicy policy, Metrics* metrics, const Clock& clock)
    : name_(std::move(destination_name)),
      destination_(destination),
      store_(store),
      policy_(policy),
      metrics_(metrics),
      clock_(clock),
      backoff_(policy_),
      breaker_(policy_),
      rate_limiter_(policy_.rate_limit, clock_.NowMicros()) {}

DeliveryScheduler::~DeliveryScheduler() { Stop(); }

absl::Status DeliveryScheduler::Start(uint64_t dead_letters) {
  auto depth = store_.CountQueue(name_);
  if (!depth.ok()) return depth.status();
  depth_ = static_cast<int64_t>(*depth);
  dead_letters_ = static_cast<int64_t>(dead_letters);
  PublishGauges(clock_.NowMicros());

  dispatcher_ = std::thread([this] {
    SetThreadName("deliver-" + name_);
    LowerThreadPriority(5);
    RunDispatcher();
  });
  for (uint32_t i = 0; i < policy_.max_in_flight; ++i) {
    attempt_threads_.emplace_back([this] {
      SetThreadName("attempt-" + name_);
      LowerThreadPriority(5);
      RunAttempts();
    });
  }
  return absl::OkStatus();
}

void DeliveryScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  wakeup_.Notify();
  if (dispatcher_.joinable()) dispatcher_.join();
  for (std::thread& thread : attempt_threads_) thread.join();
  attempt_threads_.clear();
  if (intake_gate_ != nullptr) intake_gate_->Forget(name_);
}

void DeliveryScheduler::Notify(uint64_t queued) {
  depth_ += static_cast<int64_t>(queued);
  queue_has_more_ = true;
  wakeup_.Notify();
}

delivery::CircuitBreaker::State DeliveryScheduler::breaker_state() const {
  std::lock_guard lock(mu_);
  return breaker_.state(clock_.NowMicros());
}

void DeliveryScheduler::TasksRemoved(uint64_t count) { depth_ -= static_cast<int64_t>(count); }

void DeliveryScheduler::DeadLettersChanged(int64_t delta) {
  dead_letters_ += delta;
  if (metrics_)
    metrics_->SetDeadLetters(name_, static_cast<uint64_t>(std::max<int64_t>(0, dead_letters_)));
}

bool DeliveryScheduler::LoadMore() {
  // The store read happens without the lock; only this thread touches
  // window_ and position_.
  auto tasks = store_.PeekQueue(name_, position_, std::min(kLoadChunk, kWindow - window_.size()));
  if (after_queue_read_for_test_) after_queue_read_for_test_();
  if (!tasks.ok()) {
    spdlog::error("delivery: destination={}: {}", name_, tasks.status().message());
    queue_has_more_ = true;  // read again after the dispatcher's pause
    return false;
  }
  // Nothing new. The flag stays as it is: the caller cleared it before this
  // read, and a Notify() for a task committed since has set it again;
  // clearing it here would leave that task unread until the next Notify().
  if (tasks->empty()) return false;
  position_ = tasks->back().key;
  position_.push_back('\0');  // just past the last task loaded
  std::lock_guard lock(mu_);
  for (store::QueuedTask& queued : *tasks) {
    if (policy_.per_patient && !queued.task.patient().empty()) {
      patients_[queued.task.patient()].push_back(queued.key);
    }
    std::string key = queued.key;
    window_.emplace(std::move(key), Slot{std::move(queued), false});
  }
  return true;
}

void DeliveryScheduler::RunDispatcher() {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    // Refill the window first: new tasks, or the rest of a long queue.
    while (queue_has_more_ && window_.size() < kWindow) {
      // Clear the flag before reading, so a Notify() racing with the read
      // is not lost.
      queue_has_more_ = false;
      if (!LoadMore()) break;
      queue_has_more_ = true;
    }
    int64_t wake_at = 0;
    bool over = false;
    uint64_t left = 0;
    {
      std::lock_guard lock(mu_);
      const int64_t now = clock_.NowMicros();
      ApplyCompletions(now);
      wake_at = Dispatch(now);
      PublishGauges(now);
      over = OverBacklog(now);
      left = left_;
    }
    // Every pass while over: ingress waits for `left` to move.
    if (intake_gate_ != nullptr && (over || reported_over_)) {
      intake_gate_->Report(name_, over, left);
      reported_over_ = over;
    }
    const int64_t now = clock_.NowMicros();
    if (wake_at == 0) {
      wakeup_.WaitFor(std::chrono::seconds(1));
    } else if (wake_at > now) {
      wakeup_.WaitFor(std::chrono::microseconds(wake_at - now));
    }
  }
}

void DeliveryScheduler::ApplyCompletions(int64_t now) {
  for (Completion& completion : completions_) {
    auto it = window_.find(completion.key);
    if (it == window_.end()) continue;
    Slot& slot = it->second;
    slot.in_flight = false;
    const bool leaves = completion.kind == Completion::Kind::kDelivered ||
                        completion.kind == Completion::Kind::kDead ||
                        completion.kind == Completion::Kind::kGone;
    if (completion.kind == Completion::Kind::kDelivered ||
        completion.kind == Completion::Kind::kDead) {
      --depth_;
      ++left_;
    }
    if (completion.kind == Completion::Kind::kDelivered) last_attempt_delivered_ = true;
    if (completion.kind == Completion::Kind::kRetry || completion.transient_failure) {
      last_attempt_delivered_ = false;
    }
    if (completion.kind == Completion::Kind::kDead) ++dead_letters_;
    if (completion.kind == Completion::Kind::kRetry || completion.kind == Completion::Kind::kDead) {
      last_error_ = completion.detail;
      last_error_at_us_ = now;
    }
    if (completion.key == probe_key_) {
      probe_key_.clear();
      breaker_.ProbeEnded();
    }
    if (completion.kind == Completion::Kind::kDelivered) {
      if (breaker_.OnDelivered() == delivery::CircuitBreaker::Transition::kClosed) {
        CircuitClosed(now);
      }
    } else if (completion.transient_failure) {
      // kReopened (a failed probe, or an attempt in progress when the
      // circuit opened) lengthens the pause: nothing to report.
      if (breaker_.OnTransientFailure(now) == delivery::CircuitBreaker::Transition::kOpened) {
        CircuitOpened(completion);
      }
    }
    if (completion.kind == Completion::Kind::kRetry ||
        completion.kind == Completion::Kind::kStoreFailed) {
      slot.queued.task.set_attempt(slot.queued.task.attempt() +
                                   (completion.kind == Completion::Kind::kRetry ? 1 : 0));
      slot.queued.task.set_not_before_us(completion.next_attempt_us);
    }
    if (leaves) {
      const std::string& patient = slot.queued.task.patient();
      if (policy_.per_patient && !patient.empty()) {
        auto found = patients_.find(patient);
        if (found != patients_.end()) {
          std::deque<std::string>& keys = found->second;
          keys.erase(std::remove(keys.begin(), keys.end(), completion.key), keys.end());
          if (keys.empty()) patients_.erase(found);
        }
      }
      window_.erase(it);
    }
  }
  completions_.clear();
}

int64_t DeliveryScheduler::Dispatch(int64_t now) {
  if (in_flight_batches_ >= policy_.max_in_flight) return 0;
  size_t capacity_batches = policy_.max_in_flight - in_flight_batches_;
  // An open circuit: nothing until the pause ends, then one probe at a time.
  const delivery::CircuitBreaker::Admission admission = breaker_.Admit(now);
  if (!admission.any && !admission.probe) return admission.wake_at_us;
  const bool probing = admission.probe;
  if (probing) capacity_batches = 1;
  int64_t wake_at = 0;
  auto consider_wake = [&wake_at](int64_t at) {
    if (wake_at == 0 || at < wake_at) wake_at = at;
  };
  std::vector<store::QueuedTask> batch;
  const size_t batch_limit = probing ? 1 : policy_.batch_size;
  for (auto& [key, slot] : window_) {
    if (capacity_batches == 0) break;
    if (slot.in_flight) continue;
    const store::DeliveryTask& task = slot.queued.task;
    if (policy_.per_patient && !task.patient().empty()) {
      const auto found = patients_.find(task.patient());
      if (found != patients_.end() && found->second.front() != key) continue;
    }
    if (task.not_before_us() > now) {
      consider_wake(task.not_before_us());
      continue;
    }
    if (!rate_limiter_.TryAcquire(now)) {
      consider_wake(rate_limiter_.NextAvailableUs(now));
      break;
    }
    if (probing) {
      probe_key_ = key;
      breaker_.ProbeStarted();
    }
    slot.in_flight = true;
    batch.push_back(slot.queued);
    if (batch.size() >= batch_limit) {
      work_.push_back(std::move(batch));
      batch.clear();
      ++in_flight_batches_;
      --capacity_batches;
    }
  }
  if (!batch.empty() && in_flight_batches_ > 0 && policy_.batch_size > 1 &&
      policy_.rate_limit == 0) {
    // A part batch while another batch is out waits for it: the tasks that
    // arrive meanwhile join it. Two batches at a time overlap one's flushes
    // with the other's writes under a backlog (full batches), but two small
    // batches under a light load would only pay each flush twice. (With a
    // rate limit the tasks have taken their tokens: they go.)
    for (const store::QueuedTask& queued : batch) window_.at(queued.key).in_flight = false;
    batch.clear();
  }
  if (!batch.empty()) {
    work_.push_back(std::move(batch));
    ++in_flight_batches_;
  }
  if (!work_.empty()) work_ready_.notify_all();
  return wake_at;
}

void DeliveryScheduler::RunAttempts() {
  while (true) {
    std::vector<store::QueuedTask> batch;
    {
      std::unique_lock lock(mu_);
      work_ready_.wait(lock, [this] { return stopping_ || !work_.empty(); });
      if (stopping_) return;
      batch = std::move(work_.front());
      work_.pop_front();
    }
    std::vector<Completion> done = Attempt(std::move(batch));
    {
      std::lock_guard lock(mu_);
      --in_flight_batches_;
      for (Completion& completion : done) completions_.push_back(std::move(completion));
    }
    wakeup_.Notify();
  }
}

std::vector<DeliveryScheduler::Completion> DeliveryScheduler::Attempt(
    std::vector<store::QueuedTask> batch) {
  std::vector<Completion> completions;
  std::vector<store::QueuedTask> live;
  std::vector<store::StoredMessage> messages;
  std::vector<std::vector<store::DeliveryReceipt>> receipts;  // what earlier deliveries returned
  std::vector<std::optional<navette::identity::Identity>> identities;  // what attach_ins found
  live.reserve(batch.size());
  messages.reserve(batch.size());
  size_t loaded_bytes = 0;
  for (store::QueuedTask& queued : batch) {
    if (loaded_bytes >= policy_.max_batch_bytes) {
      completions.push_back({queued.key, Completion::Kind::kDeferred, 0, false, ""});
      continue;
    }
    // Discarded or superseded while it waited: nothing to attempt.
    auto pending = store_.IsPending(name_, queued);
    auto message = pending.ok() && *pending
                       ? store_.GetMessage(queued.task.message_id())
                       : absl::StatusOr<store::StoredMessage>(absl::NotFoundError("not pending"));
    if (pending.ok() && !*pending) {
      completions.push_back({queued.key, Completion::Kind::kGone, 0, false, ""});
      continue;
    }
    if (!pending.ok() || !message.ok()) {
      const absl::Status& error = !pending.ok() ? pending.status() : message.status();
      spdlog::error("delivery: destination={} id={}: {}", name_,
                    store::FormatMessageId(queued.task.message_id()), error.message());
      completions.push_back({queued.key, Completion::Kind::kStoreFailed,
                             clock_.NowMicros() + kStoreRetryUs, false, ""});
      continue;
    }
    std::optional<navette::identity::Identity> identity;
    if (queued.task.has_output()) {
      // The route's steps changed the message (e.g. attach_ins): that is
      // what this destination gets.
      auto output = store_.GetOutput(queued.task.message_id(), queued.task.route());
      if (!output.ok()) {
        spdlog::error("delivery: destination={} id={}: {}", name_,
                      store::FormatMessageId(queued.task.message_id()), output.status().message());
        completions.push_back({queued.key, Completion::Kind::kStoreFailed,
                               clock_.NowMicros() + kStoreRetryUs, false, ""});
        continue;
      }
      // A step that made another kind of document (build_cda's CDA) changed
      // its content type and record too: the destination gets them together.
      navette::Envelope& envelope = *message->mutable_envelope();
      envelope.set_raw(std::move(*output->mutable_payload()));
      if (!output->content_type().empty()) envelope.set_content_type(output->content_type());
      if (output->has_document())
        *envelope.mutable_document() = std::move(*output->mutable_document());
      if (output->has_identity()) identity = std::move(*output->mutable_identity());
    }
    auto kept = store_.GetReceipts(queued.task.message_id());
    if (!kept.ok()) {
      spdlog::error("delivery: destination={} id={}: {}", name_,
                    store::FormatMessageId(queued.task.message_id()), kept.status().message());
      completions.push_back(
          {queued.key, Completion::Kind::kStoreFailed, NowMicros() + kStoreRetryUs, false, ""});
      continue;
    }
    receipts.push_back(std::move(*kept));
    identities.push_back(std::move(identity));
    loaded_bytes += message->envelope().raw().size();
    live.push_back(std::move(queued));
    messages.push_back(std::move(*message));
  }
  if (live.empty()) return completions;

  std::vector<adapters::DeliveryRequest> requests;
  requests.reserve(live.size());
  for (size_t i = 0; i < live.size(); ++i) {
    requests.push_back({live[i].task.message_id(), live[i].task.route(), &messages[i],
                        live[i].task.attempt(), receipts[i],
                        identities[i].has_value() ? &*identities[i] : nullptr});
  }
  const auto started = std::chrono::steady_clock::now();
  std::vector<adapters::DeliveryResult> results =
      live.size() == 1 ? std::vector<adapters::DeliveryResult>{destination_.Deliver(requests[0])}
                       : destination_.DeliverBatch(requests);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // A batch shares its cost; each message is charged its share.
  const int64_t duration_us =
      static_cast<int64_t>(seconds * 1e6) / static_cast<int64_t>(live.size());

  std::vector<store::DeliveryOutcome> outcomes(live.size());
  std::vector<Completion> attempted(live.size());
  for (size_t i = 0; i < live.size(); ++i) {
    const adapters::DeliveryResult& result = results[i];
    store::DeliveryOutcome& outcome = outcomes[i];
    Completion& completion = attempted[i];
    outcome.task = &live[i];
    outcome.duration_us = duration_us;
    outcome.detail = result.detail;
    completion.key = live[i].key;
    completion.detail = result.detail;
    if (result.outcome == adapters::DeliveryResult::Outcome::kDelivered) {
      outcome.result = store::AttemptResult::kDelivered;
      outcome.receipt = result.receipt;
      outcome.receipt_document_key = result.receipt_document_key;
      completion.kind = Completion::Kind::kDelivered;
    } else {
      DecideFailure(live[i], result, messages[i].envelope().received_at_us(), outcome, completion);
      if (result.partial_receipt && result.receipt.has_value()) {
        outcome.receipt = result.receipt;
        outcome.receipt_on_failure = true;
      }
    }
    if (make_follow_ups_ && result.receipt.has_value() &&
        outcome.result != store::AttemptResult::kRetry) {
      outcome.follow_ups = make_follow_ups_(messages[i], name_, *result.receipt);
    }
  }
  std::vector<store::ActionEffect> follow_ups;
  absl::Status committed = store_.CommitDeliveryOutcomes(name_, outcomes, &follow_ups);
  if (committed.ok() && follow_up_queued_) {
    for (const store::ActionEffect& effect : follow_ups) follow_up_queued_(effect);
  }
  if (!committed.ok()) {
    // Attempted but not recorded: attempted again later (at-least-once).
    spdlog::error("delivery: destination={}: {}", name_, committed.message());
    for (Completion& completion : attempted) {
      completion.kind = Completion::Kind::kStoreFailed;
      completion.next_attempt_us = clock_.NowMicros() + kStoreRetryUs;
      completion.transient_failure = false;
    }
  } else if (metrics_ != nullptr) {
    const int64_t now = clock_.NowMicros();
    for (size_t i = 0; i < live.size(); ++i) {
      metrics_->Attempted(name_, ResultLabel(outcomes[i].result), duration_us / 1e6);
      if (outcomes[i].result == store::AttemptResult::kDelivered) {
        metrics_->EndToEnd(live[i].task.route(), name_,
                           (now - messages[i].envelope().received_at_us()) / 1e6);
      }
    }
  }
  for (Completion& completion : attempted) completions.push_back(std::move(completion));
  return completions;
}

void DeliveryScheduler::DecideFailure(const store::QueuedTask& queued,
                                      const adapters::DeliveryResult& result,
                                      int64_t received_at_us, store::DeliveryOutcome& outcome,
                                      Completion& completion) {
  const uint32_t attempts = queued.task.attempt() + 1;
  const int64_t now = clock_.NowMicros();
  const bool permanent = result.outcome == adapters::DeliveryResult::Outcome::kPermanent;
  const delivery::Backoff::Decision decision = backoff_.AfterFailure(
      attempts, permanent, received_at_us, now,
      std::chrono::duration_cast<std::chrono::microseconds>(result.retry_after));
  completion.transient_failure = result.outcome == adapters::DeliveryResult::Outcome::kTransient;
  const std::string id = store::FormatMessageId(queued.task.message_id());
  if (decision.dead) {
    outcome.result = store::AttemptResult::kDead;
    if (!permanent) outcome.detail = fmt::format("{}; {}", result.detail, decision.why_dead);
    completion.kind = Completion::Kind::kDead;
    spdlog::warn("delivery: dead id={} destination={} after attempt {}: {}", id, name_, attempts,
                 Printable(result.log_detail.empty() ? outcome.detail : result.log_detail));
    return;
  }
  outcome.result = store::AttemptResult::kRetry;
  outcome.next_attempt_us = decision.next_attempt_us;
  // The detail stays the peer's answer: the history event carries the time
  // of the next attempt as a field (a delay in the text is stale once read).
  completion.kind = Completion::Kind::kRetry;
  completion.next_attempt_us = outcome.next_attempt_us;
  spdlog::debug("delivery: attempt {} failed id={} destination={}: {}; retry in {} ms", attempts,
                id, name_,
                Printable(result.log_detail.empty() ? outcome.detail : result.log_detail),
                (decision.next_attempt_us - now) / 1000);
}

}  // namespace navette::engine
