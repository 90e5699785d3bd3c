#include "tests/kinds/receipt_destination_kind.h"

#include <memory>

#include "proto/document.pb.h"
#include "tests/kinds/receipt_destination.pb.h"

namespace navette::testing {
namespace {

using Settings = test_kinds::ReceiptDestination;

class ReceiptDestination : public adapters::Destination {
 public:
  explicit ReceiptDestination(std::string name) : name_(std::move(name)) {}

  adapters::DeliveryResult Deliver(const adapters::DeliveryRequest& request) override {
    const std::string& control_id = request.message->envelope().hl7().control_id();
    Receipts().Delivered(name_, control_id);
    std::optional<ScriptedAnswer> answer = Receipts().Find(name_, control_id);
    if (!answer) return adapters::DeliveryResult::Delivered("no receipt scripted");
    if (answer->refused) {
      return adapters::DeliveryResult::Permanent(answer->detail, answer->receipt);
    }
    return adapters::DeliveryResult::Delivered(answer->detail, answer->receipt);
  }

 private:
  const std::string name_;
};

absl::StatusOr<std::unique_ptr<adapters::Destination>> Create(
    const Settings&, const kinds::DestinationContext& context) {
  if (context.dry_run) return std::unique_ptr<adapters::Destination>();
  return std::unique_ptr<adapters::Destination>(std::make_unique<ReceiptDestination>(context.name));
}

template <typename Message>
ScriptedAnswer Packed(const Message& receipt, bool refused, std::string detail) {
  ScriptedAnswer answer;
  answer.refused = refused;
  answer.detail = std::move(detail);
  answer.receipt.PackFrom(receipt);
  return answer;
}

}  // namespace

void ReceiptScripts::Script(const std::string& destination, const std::string& control_id,
                            ScriptedAnswer answer) {
  std::lock_guard lock(mutex_);
  scripts_[{destination, control_id}] = std::move(answer);
}

std::optional<ScriptedAnswer> ReceiptScripts::Find(const std::string& destination,
                                                   const std::string& control_id) {
  std::lock_guard lock(mutex_);
  auto found = scripts_.find({destination, control_id});
  if (found == scripts_.end()) return std::nullopt;
  return found->second;
}

void ReceiptScripts::Delivered(const std::string& destination, const std::string&) {
  {
    std::lock_guard lock(mutex_);
    ++delivered_[destination];
  }
  changed_.notify_all();
}

size_t ReceiptScripts::WaitFor(const std::string& destination, size_t count,
                               std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return delivered_[destination] >= count; });
  return delivered_[destination];
}

ReceiptScripts& Receipts() {
  static ReceiptScripts scripts;
  return scripts;
}

ScriptedAnswer DmpAccepted() {
  navette::document::DmpReceipt receipt;
  receipt.set_accepted(true);
  receipt.set_entry_uuid("urn:uuid:00000000-0000-0000-0000-000000000001");
  return Packed(receipt, false, "registered");
}

ScriptedAnswer DmpRefused(const std::string& code, const std::string& label) {
  navette::document::DmpReceipt receipt;
  receipt.set_accepted(false);
  receipt.set_error_code(code);
  receipt.set_error_label(label);
  return Packed(receipt, true, "refused: " + code);
}

ScriptedAnswer MssDelivered(
    const std::vector<std::pair<std::string, std::string>>& id_and_address) {
  navette::document::MssDeliveryReceipt receipt;
  for (const auto& [id, address] : id_and_address) {
    auto* recipient = receipt.add_recipients();
    recipient->set_id(id);
    recipient->set_address(address);
    recipient->set_delivered(true);
  }
  return Packed(receipt, false, "delivered");
}

ScriptedAnswer MssRead(const std::string& id, const std::string& address) {
  navette::document::MssReadReceipt receipt;
  receipt.set_id(id);
  receipt.set_address(address);
  receipt.set_read(true);
  return Packed(receipt, false, "read");
}

kinds::DestinationKind ReceiptDestinationKind() {
  return kinds::Erase(kinds::TypedDestinationKind<Settings>{
      .name = kReceiptKind,
      .create = Create,
  });
}

}  // namespace navette::testing
