// The mails ReadMailContent and BuildMail make of a corpus N1 document (tests/fixtures/cda):
// the headers each audience gets, the PDF copy, and the Message-ID the
// receipts source reads back.
#include "adapters/mssante/mss_mail.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "adapters/mssante/mss_settings.h"

namespace navette::adapters::mssante {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(NAVETTE_FIXTURES_DIR) + "/cda/corpus/" + name, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class MssMailTest : public ::testing::Test {
 protected:
  MssMailTest() : cda_(Fixture("DOC_NON_STRUCTURE_CDA-R2-N1.xml")) {
    settings_.mailbox = "navette@hopital.mssante.fr";
    settings_.product_reference = "NAVETTE-0001";
    settings_.body_ps = kDefaultBodyPs;
    settings_.body_patient = kDefaultBodyPatient;
    settings_.source_id = "1.2.250.1.999";
    settings_.content_type = {"04", "", "1.2.250.1.213.2.2"};
    settings_.sender_label = "CH de test";
    settings_.allow_test_ins = true;
    record_.mutable_patient()->set_birth_name("PAT-TROIS");
    record_.mutable_patient()->set_given_name("DOMINIQUE");
    record_.mutable_patient()->set_birth_date("19790328");
  }

  absl::StatusOr<OutgoingMail> Build(Audience audience, bool no_reply) {
    MailInput input{&record_, cda_, &settings_, 42, "mss", absl::FromUnixSeconds(1796450000)};
    MailRecipient recipient{audience == Audience::kPatient ? "279035121518989@patient.mssante.fr"
                                                           : "dr.martin@medecin.mssante.fr",
                            "", audience == Audience::kPatient};
    auto content = ReadMailContent(input);
    if (!content.ok()) return content.status();
    return BuildMail(input, *content, audience, {recipient}, no_reply);
  }

  std::string cda_;
  MssSettings settings_;
  navette::document::Document record_;
};

TEST_F(MssMailTest, EveryMailCarriesTheMssHeadersAndTheXdmArchive) {
  ASSERT_FALSE(cda_.empty()) << "fixture missing";
  auto mail = Build(Audience::kProfessionals, false);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_THAT(mail->bytes, HasSubstr("X-MSS-NIL: NAVETTE-0001\r\n"));
  EXPECT_THAT(mail->bytes, HasSubstr("X-MSS-CODECDA: "));
  EXPECT_THAT(mail->bytes, HasSubstr("X-MSS-INS: "));
  EXPECT_THAT(mail->bytes, HasSubstr("filename=IHE_XDM.ZIP"));
  EXPECT_THAT(mail->bytes, Not(HasSubstr("X-MSS-MES")));
  EXPECT_THAT(mail->bytes, Not(HasSubstr("Disposition-Notification-To")));
}

TEST_F(MssMailTest, NoReplyGoesToThePatientOnly) {
  auto patient = Build(Audience::kPatient, /*no_reply=*/true);
  ASSERT_TRUE(patient.ok()) << patient.status();
  EXPECT_THAT(patient->bytes, HasSubstr("X-MSS-MES: FIN\r\n"));
  auto professionals = Build(Audience::kProfessionals, /*no_reply=*/true);
  ASSERT_TRUE(professionals.ok()) << professionals.status();
  EXPECT_THAT(professionals->bytes, Not(HasSubstr("X-MSS-MES")));
}

TEST_F(MssMailTest, AReadReceiptAskedGivesDispositionNotificationTo) {
  record_.mutable_flags()->set_ack_lecture_mss(true);
  auto mail = Build(Audience::kProfessionals, false);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_THAT(mail->bytes, HasSubstr("Disposition-Notification-To: navette@hopital.mssante.fr"));
}

TEST_F(MssMailTest, TheN1sPdfIsAttachedBesideTheArchive) {
  const std::string pdf = PdfCopyOf(record_, cda_);
  ASSERT_FALSE(pdf.empty());
  EXPECT_TRUE(pdf.starts_with("%PDF"));
  auto mail = Build(Audience::kProfessionals, false);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_THAT(mail->bytes, HasSubstr("application/pdf"));
}

TEST_F(MssMailTest, WithoutACdaNothingIsBuilt) {
  cda_.clear();
  auto mail = Build(Audience::kProfessionals, false);
  ASSERT_FALSE(mail.ok());
  EXPECT_THAT(mail.status().message(), HasSubstr("build_cda"));
}

TEST_F(MssMailTest, TheMessageIdNamesTheMessageAndTheDestination) {
  auto mail = Build(Audience::kPatient, false);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_THAT(mail->bytes, HasSubstr("<" + mail->message_id + ">"));
  auto origin = ParseMailMessageId("<" + mail->message_id + ">");
  ASSERT_TRUE(origin.has_value()) << mail->message_id;
  EXPECT_EQ(origin->message_id, 42u);
  EXPECT_EQ(origin->destination, "mss");
  // Two mails, two ids: a retry's mail is told apart from the first.
  auto again = Build(Audience::kPatient, false);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->message_id, mail->message_id);
  // A destination name with dots survives; other ids are not navette's.
  EXPECT_EQ(ParseMailMessageId(NewMailMessageId(7, "mss.chu", Audience::kProfessionals, "a@b.fr"))
                ->destination,
            "mss.chu");
  EXPECT_FALSE(ParseMailMessageId("<abc@medecin.fr>").has_value());
  EXPECT_FALSE(ParseMailMessageId("<navette.0.mss.p.x@b.fr>").has_value());
}

}  // namespace
}  // namespace navette::adapters::mssante
