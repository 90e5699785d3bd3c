// Which receipt, with which flags, makes which business acknowledgement
// (the table in business_acks.h), and the follow-up deliveries made of them.
#include "engine/business_acks.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "adapters/hl7v2/message_view.h"
#include "proto/document.pb.h"

namespace navette::engine {
namespace {

using adapters::hl7v2::ZamEvent;

constexpr char kAdam[] = "adam.hoda@test-ci-sis.mssante.fr";
constexpr char kPatient[] = "279035121518989@patient.mssante.fr";

navette::document::Document Document(bool ack_reception, bool ack_lecture) {
  navette::document::Document document;
  document.set_control_id("015");
  document.set_sending_application("SIL-Y");
  document.set_sending_facility("labo");
  // The sender first: positions count recipients only.
  document.add_participants()->set_role(navette::document::Participant::SENDER);
  for (const char* address : {kAdam, kPatient}) {
    auto* recipient = document.add_participants();
    recipient->set_role(navette::document::Participant::RECIPIENT);
    recipient->set_address(address);
  }
  document.mutable_flags()->set_ack_reception(ack_reception);
  document.mutable_flags()->set_ack_lecture_mss(ack_lecture);
  return document;
}

template <typename Message>
google::protobuf::Any Pack(const Message& message) {
  google::protobuf::Any any;
  any.PackFrom(message);
  return any;
}

google::protobuf::Any Dmp(bool accepted) {
  navette::document::DmpReceipt receipt;
  receipt.set_accepted(accepted);
  if (!accepted) {
    receipt.set_error_code("DMPClosed");
    receipt.set_error_label("DMP fermé");
  }
  return Pack(receipt);
}

google::protobuf::Any Delivery() {
  navette::document::MssDeliveryReceipt receipt;
  for (const char* address : {kPatient, kAdam}) {
    auto* recipient = receipt.add_recipients();
    recipient->set_address(address);
    recipient->set_delivered(std::string_view(address) == kAdam);
    if (std::string_view(address) != kAdam) recipient->set_error_code("550");
  }
  return Pack(receipt);
}

google::protobuf::Any Read(const std::string& address) {
  navette::document::MssReadReceipt receipt;
  receipt.set_address(address);
  receipt.set_read(true);
  return Pack(receipt);
}

TEST(PlanBusinessAcks, ADmpReceiptMakesOneZ01WhenReceptionIsAsked) {
  std::vector<PlannedZam> refused = PlanBusinessAcks(Document(true, false), "dmp", Dmp(false));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].answer.event, ZamEvent::kZ01);
  EXPECT_FALSE(refused[0].answer.positive);
  EXPECT_EQ(refused[0].answer.error_code, "DMPClosed");
  EXPECT_EQ(refused[0].route, "zam:dmp");
  std::vector<PlannedZam> accepted = PlanBusinessAcks(Document(true, false), "dmp", Dmp(true));
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_TRUE(accepted[0].answer.positive);
  // Not asked: nothing, even with the read acknowledgement asked.
  EXPECT_TRUE(PlanBusinessAcks(Document(false, true), "dmp", Dmp(true)).empty());
}

TEST(PlanBusinessAcks, ADeliveryReceiptMakesOneZ02PerRecipient) {
  std::vector<PlannedZam> planned = PlanBusinessAcks(Document(true, false), "mss", Delivery());
  ASSERT_EQ(planned.size(), 2u);
  EXPECT_EQ(planned[0].answer.event, ZamEvent::kZ02);
  EXPECT_EQ(planned[0].answer.party_address, kPatient);
  EXPECT_FALSE(planned[0].answer.positive);
  EXPECT_EQ(planned[0].route, "zam:mss:2");  // the document's second recipient
  EXPECT_EQ(planned[1].answer.party_address, kAdam);
  EXPECT_TRUE(planned[1].answer.positive);
  EXPECT_EQ(planned[1].route, "zam:mss:1");
  EXPECT_TRUE(PlanBusinessAcks(Document(false, true), "mss", Delivery()).empty());
}

TEST(PlanBusinessAcks, ASubmissionMakesANegativeZ02ForEachRefusedRecipientOnly) {
  using Recipient = navette::document::MssSubmissionReceipt::Recipient;
  navette::document::MssSubmissionReceipt submission;
  auto* accepted = submission.add_recipients();
  accepted->set_address(kAdam);
  accepted->set_fate(Recipient::ACCEPTED);
  auto* refused = submission.add_recipients();
  refused->set_address(kPatient);
  refused->set_fate(Recipient::REFUSED);
  refused->set_reply_code(550);
  refused->set_reply("550 5.1.1 unknown");
  std::vector<PlannedZam> planned =
      PlanBusinessAcks(Document(true, false), "mss", Pack(submission));
  // The accepted recipient waits for its DSN.
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].answer.event, ZamEvent::kZ02);
  EXPECT_FALSE(planned[0].answer.positive);
  EXPECT_EQ(planned[0].answer.error_code, "550");
  EXPECT_EQ(planned[0].route, "zam:mss:2");
  EXPECT_TRUE(PlanBusinessAcks(Document(false, true), "mss", Pack(submission)).empty());
}

TEST(PlanBusinessAcks, AReadReceiptMakesAZ03WhenReadingIsAsked) {
  std::vector<PlannedZam> planned = PlanBusinessAcks(Document(false, true), "mss", Read(kAdam));
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].answer.event, ZamEvent::kZ03);
  EXPECT_EQ(planned[0].route, "zam:mss:1");
  // A reader who is not among the recipients (a shared mailbox).
  EXPECT_EQ(PlanBusinessAcks(Document(false, true), "mss", Read("other@x.mssante.fr"))[0].route,
            "zam:mss:0");
  // Reception asked, reading not: no Z03.
  EXPECT_TRUE(PlanBusinessAcks(Document(true, false), "mss", Read(kAdam)).empty());
}

TEST(PlanBusinessAcks, OtherReceiptsMakeNothing) {
  navette::document::Flags not_a_receipt;
  EXPECT_TRUE(PlanBusinessAcks(Document(true, true), "x", Pack(not_a_receipt)).empty());
  google::protobuf::Any corrupt = Dmp(true);
  corrupt.set_value("\xff\xff\xff");
  EXPECT_TRUE(PlanBusinessAcks(Document(true, true), "x", corrupt).empty());
}

navette::config::Config Sources() {
  navette::config::Config config;
  auto* lab = config.add_sources();
  lab->set_name("lab");
  lab->set_business_acks("producer");
  config.add_sources()->set_name("silent");
  return config;
}

store::StoredMessage Stored(const std::string& source, bool with_document) {
  store::StoredMessage message;
  message.set_id(42);
  navette::Envelope& envelope = *message.mutable_envelope();
  envelope.set_source(source);
  envelope.set_charset("UNICODE UTF-8");
  envelope.mutable_hl7()->set_encoding_characters("|^~\\&");
  envelope.mutable_hl7()->set_receiving_application("PFI-X");
  envelope.mutable_hl7()->set_receiving_facility("Organisation-X");
  if (with_document) *envelope.mutable_document() = Document(true, true);
  return message;
}

TEST(BusinessAcks, FollowUpsGoToTheSourcesMllpDestination) {
  BusinessAcks acks(Sources());
  EXPECT_FALSE(acks.empty());
  std::vector<store::FollowUpDelivery> follow_ups =
      acks.FollowUps(Stored("lab", true), "dmp", Dmp(false), std::chrono::system_clock::now());
  ASSERT_EQ(follow_ups.size(), 1u);
  EXPECT_EQ(follow_ups[0].destination, "producer");
  EXPECT_EQ(follow_ups[0].route, "zam:dmp");
  auto view = adapters::hl7v2::MessageView::Parse(follow_ups[0].output.payload());
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->Field(0, 9).value_or(""), "ZAM^Z01^ZAM_Z01");
  EXPECT_EQ(view->Field(0, 3).value_or(""), "PFI-X");
  EXPECT_EQ(view->Field(0, 5).value_or(""), "SIL-Y");
  // Each has its own MSH-10.
  std::vector<store::FollowUpDelivery> again =
      acks.FollowUps(Stored("lab", true), "dmp", Dmp(false), std::chrono::system_clock::now());
  ASSERT_EQ(again.size(), 1u);
  auto second = adapters::hl7v2::MessageView::Parse(again[0].output.payload());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->Field(0, 10).value_or(""), view->Field(0, 10).value_or(""));
}

TEST(BusinessAcks, NothingForASourceWithoutThemOrAMessageWithoutRecord) {
  BusinessAcks acks(Sources());
  const auto now = std::chrono::system_clock::now();
  EXPECT_TRUE(acks.FollowUps(Stored("silent", true), "dmp", Dmp(true), now).empty());
  EXPECT_TRUE(acks.FollowUps(Stored("lab", false), "dmp", Dmp(true), now).empty());
  EXPECT_TRUE(BusinessAcks(navette::config::Config()).empty());
}

}  // namespace
}  // namespace navette::engine
