#include "adapters/hl7v2/zam.h"

#include <chrono>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/header.h"
#include "adapters/hl7v2/message_view.h"
#include "adapters/hl7v2/test_fixtures.h"
#include "tests/support/hl7_field_diff.h"

namespace navette::adapters::hl7v2 {
namespace {

using testing::ReadHl7Fixture;

constexpr char kSamples[] = "corpus/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Transmission_initiale_ORU/";
// Ids and times are the builder's own; everything else must be the sample's.
const std::set<std::string> kIdsAndTimes = {"MSH-7", "MSH-10", "EVN-2"};

// The envelope the mllp source makes of the corpus ORU (MSH-10 015, from
// SIL-Y/labo to PFI-X/Organisation-X), with the record a profile fills.
navette::Envelope CorpusOru() {
  const std::string raw =
      ReadHl7Fixture(std::string(kSamples) + "message_ORU_CR_Bio_INIT_N1_N3.hl7");
  auto view = MessageView::Parse(raw);
  EXPECT_TRUE(view.ok()) << view.status();
  navette::Envelope envelope;
  *envelope.mutable_hl7() = ReadHeaderFields(*view);
  envelope.set_charset("UNICODE UTF-8");
  navette::document::Document& document = *envelope.mutable_document();
  document.set_control_id("015");
  document.set_sending_application("SIL-Y");
  document.set_sending_facility("labo");
  return envelope;
}

std::string Build(const navette::Envelope& envelope, const ZamAnswer& answer) {
  auto zam = BuildZam(ZamOriginalOf(envelope), answer, "NAV-1", std::chrono::system_clock::now());
  EXPECT_TRUE(zam.ok()) << zam.status();
  return zam.value_or("");
}

void ExpectLikeSample(std::string_view sample, const std::string& built) {
  const std::string expected = ReadHl7Fixture(std::string(kSamples) + std::string(sample));
  std::vector<std::string> differences =
      navette::testing::Hl7FieldDifferences(expected, built, kIdsAndTimes);
  EXPECT_TRUE(differences.empty()) << sample << ":\n"
                                   << fmt::format("{}", fmt::join(differences, "\n"));
}

TEST(Zam, NegativeDmpReceiptIsTheSampleZ01) {
  navette::document::DmpReceipt receipt;
  receipt.set_accepted(false);
  receipt.set_error_code("DMPClosed");
  receipt.set_error_label("DMP fermé");
  const std::string built = Build(CorpusOru(), ZamAnswerOf(receipt));
  ExpectLikeSample("Message_metier_reception_DMP", built);
  // The same comparison, with the fixture copied for the ZAM alone.
  EXPECT_TRUE(navette::testing::Hl7FieldDifferences(ReadHl7Fixture("zam_z01_reception_dmp.hl7"),
                                                    built, kIdsAndTimes)
                  .empty());
}

TEST(Zam, DeliveredRecipientIsTheSampleZ02) {
  navette::document::MssDeliveryReceipt receipt;
  auto* recipient = receipt.add_recipients();
  recipient->set_address("adam.hoda@test-ci-sis.mssante.fr");
  recipient->set_id("801234567897");
  recipient->set_delivered(true);
  ExpectLikeSample("Message_metier_reception_MSS", Build(CorpusOru(), ZamAnswerOf(*recipient)));
}

TEST(Zam, ReadReceiptIsTheSampleZ03) {
  navette::document::MssReadReceipt receipt;
  receipt.set_address("adam.hoda@test-ci-sis.mssante.fr");
  receipt.set_id("801234567897");
  receipt.set_read(true);
  ExpectLikeSample("Message_metier_lecture_MSS", Build(CorpusOru(), ZamAnswerOf(receipt)));
}

TEST(Zam, PositiveZ01HasNoErr) {
  navette::document::DmpReceipt receipt;
  receipt.set_accepted(true);
  const std::string built = Build(CorpusOru(), ZamAnswerOf(receipt));
  auto view = MessageView::Parse(built);
  ASSERT_TRUE(view.ok()) << view.status();
  ASSERT_EQ(view->segment_count(), 3u);
  EXPECT_EQ(view->Get(testing::Path("OBX[1]-5.1")).value_or(""), "Y");
  EXPECT_EQ(view->Get(testing::Path("MSH-10")).value_or(""), "NAV-1");
  EXPECT_EQ(view->Get(testing::Path("MSH-9")).value_or(""), "ZAM^Z01^ZAM_Z01");
}

TEST(Zam, UndeliveredRecipientCarriesTheSmtpError) {
  navette::document::MssDeliveryReceipt::Recipient recipient;
  recipient.set_address("x@test-ci-sis.mssante.fr");
  recipient.set_delivered(false);
  recipient.set_error_code("550");
  recipient.set_error_label("Boîte inconnue");
  const std::string built = Build(CorpusOru(), ZamAnswerOf(recipient));
  auto view = MessageView::Parse(built);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->Get(testing::Path("OBX[1]-5.1")).value_or(""), "N");
  EXPECT_EQ(view->Get(testing::Path("ERR-3")).value_or(""),
            "207^Application internal error^messageErrorCondition");
  EXPECT_EQ(view->Get(testing::Path("ERR-5")).value_or(""), "550^Boîte inconnue^SMTPERRORCODE");
}

TEST(Zam, FailedReadCarriesTheApplicationError) {
  navette::document::MssReadReceipt receipt;
  receipt.set_address("x@test-ci-sis.mssante.fr");
  receipt.set_read(false);
  receipt.set_error_code("902");
  receipt.set_error_label("Patient inconnu");
  // The view reads into the message: it must outlive the view.
  const std::string zam = Build(CorpusOru(), ZamAnswerOf(receipt));
  auto view = MessageView::Parse(zam);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->Get(testing::Path("ERR-5")).value_or(""),
            "902^Patient inconnu^applicationErrorCondition");
}

TEST(Zam, WrittenInTheOriginalsCharsetAndEscaped) {
  navette::Envelope envelope = CorpusOru();
  envelope.set_charset("8859/15");
  envelope.mutable_document()->set_control_id("A|B");
  navette::document::MssReadReceipt receipt;
  receipt.set_address("a&b@test-ci-sis.mssante.fr");
  receipt.set_read(true);
  const std::string built = Build(envelope, ZamAnswerOf(receipt));
  // "Lecteur du courriel MSSanté": é is one Latin-9 byte.
  EXPECT_NE(built.find("MSSant\xE9"), std::string::npos);
  EXPECT_EQ(built.find("MSSant\xC3\xA9"), std::string::npos);
  auto view = MessageView::Parse(built);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->Get(testing::Path("MSH-18")).value_or(""), "8859/15");
  EXPECT_EQ(view->Get(testing::Path("OBX[1]-4")).value_or(""), "A\\F\\B");
  EXPECT_EQ(view->Get(testing::Path("OBX[2]-5.4")).value_or(""), "a\\T\\b@test-ci-sis.mssante.fr");
}

TEST(Zam, AnAddressTheCharsetCannotWriteIsAnError) {
  navette::Envelope envelope = CorpusOru();
  envelope.set_charset("ASCII");
  navette::document::DmpReceipt receipt;
  receipt.set_accepted(true);
  // "Accusé" cannot be written in ASCII.
  auto zam = BuildZam(ZamOriginalOf(envelope), ZamAnswerOf(receipt), "1",
                      std::chrono::system_clock::now());
  EXPECT_FALSE(zam.ok());
}

}  // namespace
}  // namespace navette::adapters::hl7v2
