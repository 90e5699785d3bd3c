// What a receipts source hands the engine: a receipt a peer sent after the
// delivery it reports on (an MSSanté DSN or MDN read over IMAP). The engine
// records it in the history of the message it names and queues the
// business acknowledgement it calls for (engine/late_receipts.h); a source
// never touches the store.
#pragma once

#include <cstdint>
#include <string>

#include <google/protobuf/any.pb.h>

#include "absl/status/status.h"

namespace navette::adapters {

struct LateReceipt {
  uint64_t message_id = 0;  // the navette message the mail was about
  std::string destination;  // the destination that sent the mail
  // The Message-ID of the mail the receipt answers, without <>: it must be
  // one the destination's submission recorded, or the receipt is not ours.
  std::string mail_message_id;
  google::protobuf::Any receipt;  // MssDeliveryReceipt, MssReadReceipt
  std::string detail;             // for the history: fates, never the patient's address
};

class LateReceiptSink {
 public:
  virtual ~LateReceiptSink() = default;
  // OK once recorded durably. NotFound: no such message, delivery or mail
  // (the receipt is about something navette did not send: the source keeps
  // it as an ordinary mail). Other errors: try again later.
  virtual absl::Status Record(const LateReceipt& receipt) = 0;
};

}  // namespace navette::adapters
