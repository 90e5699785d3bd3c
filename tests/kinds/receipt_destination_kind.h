// A destination kind defined only under tests/ that answers each message as
// the test scripted it, with a typed receipt: the DMP's (DmpReceipt, accepted
// or refused) and MSSanté's (MssDeliveryReceipt, MssReadReceipt), as the
// national destinations of later issues will. It drives the business
// acknowledgements (engine/business_acks.h) end to end.
//
// A script is keyed by destination name and the message's MSH-10; a message
// with no script is delivered with no receipt.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/any.pb.h>

#include "kinds/registry.h"

namespace navette::testing {

// The YAML key of the kind.
inline constexpr char kReceiptKind[] = "receipts";

struct ScriptedAnswer {
  bool refused = false;  // kPermanent (a refusal), else kDelivered
  std::string detail;
  google::protobuf::Any receipt;
};

// Scripts and deliveries of every receipt destination of the process.
class ReceiptScripts {
 public:
  void Script(const std::string& destination, const std::string& control_id, ScriptedAnswer answer);
  std::optional<ScriptedAnswer> Find(const std::string& destination, const std::string& control_id);
  // Records a delivery (destination, control id).
  void Delivered(const std::string& destination, const std::string& control_id);
  // Waits until `destination` delivered at least `count` messages.
  size_t WaitFor(const std::string& destination, size_t count, std::chrono::milliseconds timeout);

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::pair<std::string, std::string>, ScriptedAnswer> scripts_;
  std::map<std::string, size_t> delivered_;
};

ReceiptScripts& Receipts();

// Packs one of the receipts: a DMP accepting or refusing ("DMPClosed", "DMP
// fermé"), a delivery to recipients, a read.
ScriptedAnswer DmpAccepted();
ScriptedAnswer DmpRefused(const std::string& code, const std::string& label);
ScriptedAnswer MssDelivered(const std::vector<std::pair<std::string, std::string>>& id_and_address);
ScriptedAnswer MssRead(const std::string& id, const std::string& address);

kinds::DestinationKind ReceiptDestinationKind();

}  // namespace navette::testing
