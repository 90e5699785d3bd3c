// What the receipts source makes of a DSN or an MDN (already parsed by
// mime/mail_receipts.h): the receipt, the message and destination it goes
// to, and what the history may say.
#include "adapters/mssante/mss_receipt_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/mssante/mss_mail.h"
#include "proto/document.pb.h"

namespace navette::adapters::mssante {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPatientAddress[] = "279035121518989@patient.mssante.fr";

mime::ParsedMail Dsn(const std::string& original) {
  mime::ParsedMail mail;
  mail.kind = mime::ParsedMail::Kind::kDeliveryStatus;
  mail.original_message_id = original;
  mail.statuses.push_back(
      {"dr.martin@medecin.mssante.fr", "dr.martin@medecin.mssante.fr", "delivered", "2.0.0", ""});
  mail.statuses.push_back({kPatientAddress, "", "failed", "5.2.2", "smtp; 552 5.2.2 Mailbox full"});
  mail.statuses.push_back({"dr.lent@medecin.mssante.fr", "", "delayed", "4.4.1", ""});
  return mail;
}

TEST(LateReceiptOfTest, ADsnBecomesADeliveryReceiptForItsMessage) {
  const std::string original =
      NewMailMessageId(42, "mss", Audience::kProfessionals, "bal@chu.mssante.fr");
  std::optional<LateReceipt> late = LateReceiptOf(Dsn(original));
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->message_id, 42u);
  EXPECT_EQ(late->destination, "mss");
  EXPECT_EQ(late->mail_message_id, original);
  navette::document::MssDeliveryReceipt receipt;
  ASSERT_TRUE(late->receipt.UnpackTo(&receipt));
  EXPECT_EQ(receipt.message_id(), original);
  ASSERT_EQ(receipt.recipients_size(), 2);  // the delayed one is not final
  EXPECT_TRUE(receipt.recipients(0).delivered());
  EXPECT_EQ(receipt.recipients(0).address(), "dr.martin@medecin.mssante.fr");
  EXPECT_FALSE(receipt.recipients(1).delivered());
  EXPECT_EQ(receipt.recipients(1).error_code(), "552");
  EXPECT_THAT(late->detail, HasSubstr("dr.martin@medecin.mssante.fr: delivered"));
  EXPECT_THAT(late->detail, HasSubstr("the patient's address: failed"));
  EXPECT_THAT(late->detail, Not(HasSubstr("279035121518989")));
}

TEST(LateReceiptOfTest, AnMdnBecomesAReadReceiptWithTheReadersError) {
  const std::string original =
      NewMailMessageId(43, "mss", Audience::kPatient, "bal@chu.mssante.fr");
  mime::ParsedMail mail;
  mail.kind = mime::ParsedMail::Kind::kDisposition;
  mail.original_message_id = original;
  mail.final_recipient = "dr.martin@medecin.mssante.fr";
  mail.disposition = "automatic-action/MDN-sent-automatically; processed";
  mail.disposition_processed = true;
  std::optional<LateReceipt> late = LateReceiptOf(mail);
  ASSERT_TRUE(late.has_value());
  navette::document::MssReadReceipt read;
  ASSERT_TRUE(late->receipt.UnpackTo(&read));
  EXPECT_TRUE(read.read());
  EXPECT_EQ(read.address(), "dr.martin@medecin.mssante.fr");
  EXPECT_EQ(read.message_id(), original);

  mail.disposition = "automatic-action/MDN-sent-automatically; processed/Error: 904^INS";
  mail.error_code = "904";
  mail.error_label = "INS";
  late = LateReceiptOf(mail);
  ASSERT_TRUE(late->receipt.UnpackTo(&read));
  EXPECT_FALSE(read.read());
  EXPECT_EQ(read.error_code(), "904");
}

TEST(LateReceiptOfTest, ReceiptsAboutOtherMailAndOrdinaryMailAreNotReceipts) {
  EXPECT_FALSE(LateReceiptOf(Dsn("1234@elsewhere.example")).has_value());
  mime::ParsedMail plain;
  plain.kind = mime::ParsedMail::Kind::kOther;
  plain.original_message_id =
      NewMailMessageId(42, "mss", Audience::kProfessionals, "bal@chu.mssante.fr");
  EXPECT_FALSE(LateReceiptOf(plain).has_value());
}

TEST(SmtpErrorCodeTest, TheQuotedReplyCodeElseTheStatusClass) {
  EXPECT_EQ(SmtpErrorCode({"a@b", "", "failed", "5.1.1", "smtp; 550 5.1.1 unknown"}), "550");
  EXPECT_EQ(SmtpErrorCode({"a@b", "", "failed", "5.1.1", "x-unix; no such user"}), "550");
  EXPECT_EQ(SmtpErrorCode({"a@b", "", "failed", "4.2.2", ""}), "450");
  EXPECT_EQ(SmtpErrorCode({"a@b", "", "failed", "5.3.4", "smtp;523 too big"}), "523");
}

}  // namespace
}  // namespace navette::adapters::mssante
