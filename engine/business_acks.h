// Business acknowledgements (ZAM^Z01/Z02/Z03, adapters/hl7v2/zam.h): which
// ones a delivery's receipt calls for, and the follow-up deliveries that take
// them to the producer (docs/business-acks.md).
//
// When a destination's attempt ends delivered or dead with a receipt, and
// the message's source has `business_acks` (an mllp destination), the
// scheduler asks BusinessAcks for follow-ups and the store queues them in
// the outcome's own batch: both or neither, whatever crashes.
//
// Which acknowledgements a receipt makes (PlanBusinessAcks; the flags are
// the message's document record, Envelope.document.flags):
//
//   receipt (DeliveryResult::receipt)   flag asked          acknowledgements
//   DmpReceipt                          ACK_RECEPTION=Y     one Z01, Y or N + ERR
//   MssSubmissionReceipt                ACK_RECEPTION=Y     one Z02 (N) per refused recipient
//   MssDeliveryReceipt (a DSN)          ACK_RECEPTION=Y     one Z02 per recipient
//   MssReadReceipt                      ACK_LECTURE_MSS=Y   one Z03
//   any of them                         flag N or absent    none
//   another type, or unreadable         -                   none
//   (message without document record: no profile)           none
//
// Route names: "zam:<destination>" for a Z01, "zam:<destination>:<n>" for a
// Z02 or Z03, n the recipient's (or reader's) position among the document's
// recipients by address, 0 when it is not one of them. Names are bounded by
// the recipients, never carry an address (they go into metrics), and are
// stable: a later receipt for the same party replaces an acknowledgement not
// yet sent (store: FollowUpDelivery), so the producer hears the latest.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/any.pb.h>

#include "adapters/hl7v2/zam.h"
#include "proto/config.pb.h"
#include "proto/document.pb.h"
#include "store/store.h"

namespace navette::engine {

struct PlannedZam {
  adapters::hl7v2::ZamAnswer answer;
  std::string route;
};

// The acknowledgements `receipt`, returned by `destination` for a message
// whose record is `document`, calls for (the table above).
std::vector<PlannedZam> PlanBusinessAcks(const navette::document::Document& document,
                                         std::string_view destination,
                                         const google::protobuf::Any& receipt);

class BusinessAcks {
 public:
  // Sources with `business_acks` set, and where their acknowledgements go.
  explicit BusinessAcks(const navette::config::Config& config);

  // Whether any source asks for business acknowledgements.
  bool empty() const { return destinations_.empty(); }

  // The follow-up deliveries for `message`'s receipt from `destination`:
  // none when its source has no business_acks or nothing is asked. An
  // acknowledgement that cannot be written (its charset cannot hold an
  // address) is logged and left out.
  std::vector<store::FollowUpDelivery> FollowUps(const store::StoredMessage& message,
                                                 std::string_view destination,
                                                 const google::protobuf::Any& receipt,
                                                 std::chrono::system_clock::time_point now);

 private:
  std::map<std::string, std::string, std::less<>> destinations_;  // source -> mllp destination
  std::atomic<uint64_t> sequence_{0};                             // makes each ZAM's MSH-10 unique
};

}  // namespace navette::engine
