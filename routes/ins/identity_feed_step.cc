#include "routes/ins/identity_feed_step.h"

#include <vector>

#include <fmt/format.h>

#include <google/protobuf/util/message_differencer.h>
#include "common/fmt_absl.h"

namespace navette::routes::ins {
namespace {

using google::protobuf::util::MessageDifferencer;

std::string Join(const std::vector<std::string>& parts) {
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "" : ", ") + part;
  return joined;
}

// The IPP and authority a patient key is made of (routes/patient_key.h).
void SplitKey(const std::string& patient, identity::Identity& record) {
  const size_t separator = patient.find('\x1f');
  record.set_ipp(patient.substr(0, separator));
  if (separator != std::string::npos) record.set_authority(patient.substr(separator + 1));
}

identity::IdentityChange Change(const IdentityFeedEvent& event, uint64_t message_id, int64_t now,
                                const std::optional<identity::Identity>& before,
                                std::string summary) {
  identity::IdentityChange change;
  change.set_at_us(now);
  change.set_message_id(message_id);
  change.set_trigger(event.trigger);
  change.set_summary(std::move(summary));
  if (before) *change.mutable_before() = *before;
  return change;
}

}  // namespace

std::string DescribeChange(const identity::Identity* before, const identity::Identity& after) {
  if (before == nullptr) {
    return fmt::format("created ({}{})", StatusWord(after.status()),
                       after.has_ins() ? ", with INS" : "");
  }
  std::vector<std::string> parts;
  if (before->status() != after.status()) {
    parts.push_back(
        fmt::format("status {} -> {}", StatusWord(before->status()), StatusWord(after.status())));
  }
  if (!before->has_ins() && after.has_ins()) parts.emplace_back("INS set");
  if (before->has_ins() && !after.has_ins()) parts.emplace_back("INS removed");
  if (before->has_ins() && after.has_ins() &&
      !MessageDifferencer::Equals(before->ins(), after.ins())) {
    parts.emplace_back("INS changed");
  }
  // Every strict trait is a string field: compared one by one by name.
  std::vector<std::string> traits;
  const auto* descriptor = identity::StrictTraits::descriptor();
  const auto* reflection = identity::StrictTraits::GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    if (reflection->GetString(before->traits(), field) !=
        reflection->GetString(after.traits(), field)) {
      traits.push_back(field->name());
    }
  }
  if (!traits.empty()) parts.push_back("traits changed: " + Join(traits));
  if (before->used_names_size() != after.used_names_size() ||
      !std::equal(before->used_names().begin(), before->used_names().end(),
                  after.used_names().begin(),
                  [](const auto& a, const auto& b) { return MessageDifferencer::Equals(a, b); })) {
    parts.emplace_back("used names changed");
  }
  if (before->doubtful() != after.doubtful()) {
    parts.emplace_back(after.doubtful() ? "marked doubtful" : "no longer doubtful");
  }
  if (before->fictitious() != after.fictitious()) {
    parts.emplace_back(after.fictitious() ? "marked fictitious" : "no longer fictitious");
  }
  if (!MessageDifferencer::Equals(before->dmp(), after.dmp())) {
    parts.emplace_back("DMP consent changed");
  }
  if (!before->merged_into().empty()) parts.emplace_back("merge link removed");
  return parts.empty() ? "no change" : Join(parts);
}

absl::StatusOr<IdentityFeedResult> PlanIdentityUpdate(const IdentityFeedEvent& event,
                                                      const IdentityReader& reader,
                                                      uint64_t message_id, int64_t now) {
  IdentityFeedResult result;
  if (event.kind == IdentityFeedEvent::Kind::kIgnored) {
    result.detail = fmt::format("identity feed: {} changes no identity", event.trigger);
    return result;
  }
  auto before = reader.Get(event.patient_key);
  if (!before.ok()) return before.status();
  if (before->has_value() && !(*before)->merged_into().empty()) {
    // Writing it would undo the merge; the DPI names the survivor.
    return absl::InvalidArgumentError(
        "PID-3: this IPP was merged into another one (A40/A47); updates and merges must name "
        "the surviving IPP");
  }
  store::IdentityUpdate update;
  update.patient = event.patient_key;
  update.identity = event.identity;
  update.identity.set_updated_at_us(now);
  update.identity.set_updated_by(message_id);
  const identity::Identity* previous = before->has_value() ? &**before : nullptr;
  std::string summary = DescribeChange(previous, update.identity);

  if (event.kind != IdentityFeedEvent::Kind::kUpdate) {
    auto prior = reader.Get(event.prior_key);
    if (!prior.ok()) return prior.status();
    update.prior = event.prior_key;
    identity::Identity link;
    if (prior->has_value()) {
      link = **prior;
    } else {
      SplitKey(event.prior_key, link);
    }
    link.set_merged_into(event.patient_key);
    link.set_updated_at_us(now);
    link.set_updated_by(message_id);
    update.prior_identity = std::move(link);
    const bool merge = event.kind == IdentityFeedEvent::Kind::kMerge;
    update.prior_change = Change(event, message_id, now, *prior,
                                 merge ? "merged into another IPP" : "identifier changed");
    summary += merge ? "; absorbed another IPP" : "; took over another IPP's identity";
  }
  update.change = Change(event, message_id, now, *before, summary);
  update.release = CanCarryIns(update.identity);
  result.detail = fmt::format("identity feed: {}: {}", event.trigger, update.change.summary());
  result.update = std::move(update);
  return result;
}

}  // namespace navette::routes::ins
