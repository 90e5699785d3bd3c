// The mssante destination (docs/mssante.md): each document to the
// professionals' and the patient's MSSanté mailboxes, as its flags allow
// (mss_recipients.h), one mail per audience (mss_mail.h) submitted over
// SMTP with the applicative mailbox's certificate.
//
// Outcomes are per recipient: the operator's server accepts (2xx), refuses
// for good (5xx) or not yet (4xx, connection, TLS). The MssSubmissionReceipt
// records each recipient's fate and the Message-ID of its mail, and is kept
// even when the attempt is retried or dead (DeliveryResult::partial_receipt):
// the next attempt sends only to the recipients still pending, and the
// receipts source finds there the mails a DSN or MDN answers.
//
//   every recipient accepted                    delivered
//   some pending (4xx, connection)              retried, for those only
//   none pending, some refused (5xx)            dead, naming them; negative ZAM^Z02
//   refused by the volet's rules, over the size limit, no CDA: dead, nothing sent
//
// A replay (a first attempt that finds this destination's receipt) sends
// again to the recipients that were refused, or, when every one had
// accepted, the whole mail again.
//
// Threading: Deliver runs on up to max_in_flight attempt threads, each
// taking an SMTP client (a connection) from a pool.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/destination.h"
#include "adapters/mssante/mss_mail.h"
#include "adapters/mssante/mss_settings.h"
#include "adapters/mssante/transport/smtp_client.h"
#include "common/clock.h"
#include "proto/document.pb.h"

namespace navette::adapters::mssante {

class MssDestination final : public Destination {
 public:
  MssDestination(std::string name, MssSettings settings, const Clock* clock);

  DeliveryResult Deliver(const DeliveryRequest& request) override;

 private:
  using SubmissionReceipt = navette::document::MssSubmissionReceipt;

  std::unique_ptr<transport::SmtpClient> TakeClient();
  void ReturnClient(std::unique_ptr<transport::SmtpClient> client);
  // What earlier attempts of this delivery recorded (a retry, a replay).
  SubmissionReceipt EarlierReceipt(const DeliveryRequest& request) const;
  // Sends `mail` to its recipients and records their fates in `receipt`.
  void Send(const OutgoingMail& mail, bool notify, SubmissionReceipt& receipt);
  DeliveryResult Conclude(SubmissionReceipt receipt) const;

  const std::string name_;
  const MssSettings settings_;
  const Clock& clock_;
  std::mutex clients_mu_;
  std::vector<std::unique_ptr<transport::SmtpClient>> clients_;  // idle ones
};

}  // namespace navette::adapters::mssante
