#include "tests/kinds/recording_destination_kind.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include <fmt/format.h>

#include "tests/kinds/recording_destination.pb.h"

namespace navette::testing {
namespace {

class RecordingDestination : public adapters::Destination {
 public:
  RecordingDestination(std::string name, test_kinds::RecordingDestination settings)
      : name_(std::move(name)), settings_(std::move(settings)) {}

  adapters::DeliveryResult Deliver(const adapters::DeliveryRequest& request) override {
    for (uint32_t i = 0; i < settings_.copies(); ++i) {
      Recorded().Add(
          {name_, settings_.tag(), settings_.copies(), request.message->envelope().raw()});
    }
    return adapters::DeliveryResult::Delivered("recorded");
  }

 private:
  const std::string name_;
  const test_kinds::RecordingDestination settings_;
};

using Settings = test_kinds::RecordingDestination;

void ApplyDefaults(Settings& settings) {
  if (settings.copies() == 0) settings.set_copies(1);
}

void Check(const Settings& settings, kinds::CheckReporter& reporter) {
  if (settings.tag().empty()) {
    reporter.Error("tag", "recording.tag is required");
    return;
  }
  const bool plain = std::all_of(settings.tag().begin(), settings.tag().end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
  if (!plain) {
    reporter.Error("tag", fmt::format("recording.tag '{}' may only contain letters, digits and '-'",
                                      settings.tag()));
  }
}

absl::StatusOr<std::unique_ptr<adapters::Destination>> Create(
    const Settings& settings, const kinds::DestinationContext& context) {
  if (context.dry_run) return std::unique_ptr<adapters::Destination>();
  return std::unique_ptr<adapters::Destination>(
      std::make_unique<RecordingDestination>(context.name, settings));
}

}  // namespace

void RecordedDeliveries::Add(RecordedDelivery delivery) {
  {
    std::lock_guard lock(mutex_);
    deliveries_.push_back(std::move(delivery));
  }
  changed_.notify_all();
}

std::vector<RecordedDelivery> RecordedDeliveries::WaitFor(size_t count,
                                                          std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return deliveries_.size() >= count; });
  return deliveries_;
}

RecordedDeliveries& Recorded() {
  static RecordedDeliveries recorded;
  return recorded;
}

kinds::DestinationKind RecordingDestinationKind() {
  return kinds::Erase(kinds::TypedDestinationKind<Settings>{
      .name = kRecordingKind,
      .apply_defaults = ApplyDefaults,
      .check = Check,
      .create = Create,
      // Not the generic defaults (batch 1, 4 in flight), so that the test
      // sees the row's traits reach the configuration.
      .traits = {.batch_size = 1, .default_max_in_flight = 2},
  });
}

}  // namespace navette::testing
