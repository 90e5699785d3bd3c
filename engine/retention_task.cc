#include "engine/retention_task.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <string>

#include "common/thread_name.h"
#include "engine/metrics.h"
#include "engine/patient_ids.h"
#include "store/store.h"

namespace navette::engine {
namespace {

int64_t Micros(const google::protobuf::Duration& duration) {
  return duration.seconds() * 1'000'000 + duration.nanos() / 1000;
}

}  // namespace

store::RetentionPolicy RetentionPolicyFrom(const navette::config::Retention& retention) {
  store::RetentionPolicy policy;
  policy.max_age_us[store::DELIVERED] = Micros(retention.delivered());
  policy.max_age_us[store::DEAD] = Micros(retention.dead());
  policy.max_age_us[store::DISCARDED] = Micros(retention.discarded());
  policy.max_age_us[store::UNROUTED] = Micros(retention.unrouted());
  policy.max_age_us[store::CONSUMED] = Micros(retention.consumed());
  policy.history_max_age_us = Micros(retention.history());
  policy.audit_max_age_us = Micros(retention.audit());
  return policy;
}

RetentionTask::RetentionTask(store::Store& store, RetentionTaskOptions options)
    : store_(store), options_(std::move(options)) {}

RetentionTask::~RetentionTask() { Stop(); }

void RetentionTask::Start() {
  if (options_.metrics != nullptr) {
    options_.metrics->SetRetentionInterval(
        std::chrono::duration<double>(options_.interval).count());
  }
  thread_ = std::thread([this] {
    SetThreadName("retention");
    // Background work: deliveries and intake come first.
    LowerThreadPriority(10);
    Run();
  });
}

void RetentionTask::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cancel_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetentionTask::Run() {
  auto wait = std::min(options_.first_run_after, options_.interval);
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, wait, [this] { return stopping_; })) {
    lock.unlock();
    RunOnce();
    lock.lock();
    wait = options_.interval;
  }
}

void RetentionTask::RunOnce() {
  const auto started = std::chrono::steady_clock::now();
  auto report = store_.ApplyRetention(
      options_.policy,
      [](const navette::Envelope& envelope) { return PatientIdsOf(envelope.raw()); }, &cancel_);
  if (!report.ok()) {
    spdlog::warn("retention: the run stopped: {}; it is tried again in {} s",
                 std::string(report.status().message()),
                 std::chrono::duration_cast<std::chrono::seconds>(options_.interval).count());
    return;
  }
  std::map<std::string, uint64_t> by_status;
  for (const auto& [status, count] : report->removed) {
    by_status[std::string(store::StatusName(status))] = count;
  }
  if (report->messages_removed() > 0 || report->history_events_removed > 0 ||
      report->audit_entries_removed > 0) {
    std::string statuses;
    for (const auto& [status, count] : by_status) {
      statuses += fmt::format("{}{} {}", statuses.empty() ? "" : ", ", status, count);
    }
    spdlog::info(
        "retention: removed {} message(s){}, {} history event(s), {} audit entr{}, {} older "
        "document version(s), in {:.1f} s",
        report->messages_removed(), statuses.empty() ? "" : " (" + statuses + ")",
        report->history_events_removed, report->audit_entries_removed,
        report->audit_entries_removed == 1 ? "y" : "ies", report->document_versions_removed,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (options_.removed) options_.removed(*report);
  }
  // Last: whoever sees the run counted sees its log line and gauges too.
  if (options_.metrics != nullptr) {
    options_.metrics->RetentionRan(
        by_status,
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  }
}

}  // namespace navette::engine
