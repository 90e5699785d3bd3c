// The mails a document makes (fr-specs.md §4.3; dmp-mss-notes.md §5): one
// to the professionals, one to the patient, each
//
//   From         the applicative mailbox
//   To           its recipients; Reply-To from PRT REPLY
//   Subject      XDM/1.0/DDM+<title> <patient> <birth date> (the IHE XDM
//                e-mail convention the volet's examples follow)
//   body         CORPSMAIL_PS / CORPSMAIL_PATIENT, else the configured text
//   X-MSS-NIL    on every mail; X-MSS-CODECDA and X-MSS-INS with a CDA;
//                X-MSS-MES: FIN to the patient when no reply is wanted
//   Disposition-Notification-To when ACK_LECTURE_MSS=Y (a read receipt)
//   IHE_XDM.ZIP  the CDA as an XDM package, and the PDF copy when there is one
//
// No I/O: the destination sends what this builds.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/mssante/mime/mail_message.h"
#include "adapters/mssante/mss_recipients.h"
#include "adapters/mssante/mss_settings.h"
#include "proto/document.pb.h"

namespace navette::adapters::mssante {

enum class Audience { kProfessionals, kPatient };

struct OutgoingMail {
  Audience audience = Audience::kProfessionals;
  std::vector<MailRecipient> recipients;
  std::string message_id;  // without <>
  std::string bytes;       // RFC 5322, CRLF
};

struct MailInput {
  const navette::document::Document* record = nullptr;
  std::string_view cda;  // the CDA the route built (build_cda), UTF-8
  const MssSettings* settings = nullptr;
  uint64_t message_id = 0;  // navette's, for the Message-ID
  std::string destination;  // for the Message-ID
  absl::Time now;
};

// The Message-ID of a mail: navette.<message id>.<destination>.<p|t>.<nonce>
// @<the mailbox's domain>. The receipts source reads the message id and
// destination back from it (ParseMailMessageId); the nonce makes it unique
// per attempt.
std::string NewMailMessageId(uint64_t message_id, std::string_view destination, Audience audience,
                             std::string_view mailbox);
struct MailOrigin {
  uint64_t message_id = 0;
  std::string destination;
};
std::optional<MailOrigin> ParseMailMessageId(std::string_view message_id);

// What the professionals' and the patient's mails share, read from the CDA
// once: the title, the X-MSS-CODECDA and X-MSS-INS values, IHE_XDM.ZIP and
// the PDF copy. InvalidArgument names what the document lacks (no CDA,
// metadata the XDM rules refuse).
struct MailContent {
  std::string title;
  std::string type_code;
  bool has_ins = false;
  std::vector<mime::MailAttachment> attachments;
};
absl::StatusOr<MailContent> ReadMailContent(const MailInput& input);

// The mail for `audience` to `recipients`.
absl::StatusOr<OutgoingMail> BuildMail(const MailInput& input, const MailContent& content,
                                       Audience audience, std::vector<MailRecipient> recipients,
                                       bool no_reply);

// The PDF copy of the document: a PDF part of the record, else the PDF an
// N1 CDA carries in its nonXMLBody; empty when there is none.
std::string PdfCopyOf(const navette::document::Document& record, std::string_view cda);

}  // namespace navette::adapters::mssante
