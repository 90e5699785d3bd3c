// Receipts that come after the delivery (an MSSanté DSN or MDN read over
// IMAP): the submission's receipt kept even when the attempt is retried, so
// that the receipt can be checked against the mails it names; the late
// receipt recorded in the history with its ZAM^Z02 queued, in one batch;
// and a receipt about a mail navette did not send refused.
#include "engine/late_receipts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "store/test_store.h"
#include "tests/support/store_inspector.h"

namespace navette::engine {
namespace {

using Recipient = navette::document::MssSubmissionReceipt::Recipient;
using ::testing::HasSubstr;

constexpr uint64_t kId = 0x200;
constexpr char kMailId[] = "navette.512.mss.p.0011@chu.mssante.fr";

class LateReceiptsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = store::FreshStoreDir("navette-late-receipts");
    auto opened = store::Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"mss", "producer"}).ok());
    envelope_ = store::MakeTestEnvelope("c1");
    auto* document = envelope_.mutable_document();
    document->set_control_id("c1");
    document->mutable_flags()->set_ack_reception(true);
    auto* recipient = document->add_participants();
    recipient->set_role(navette::document::Participant::RECIPIENT);
    recipient->set_address("dr.martin@medecin.mssante.fr");
    store::IngressRecord record{kId, &envelope_, "hash"};
    ASSERT_TRUE(store_->CommitIngress({&record, 1}).ok());
    store::RoutedDelivery to_mss{"r", "mss", "", false, ""};
    ASSERT_TRUE(store::CommitRouting(*store_, kId, {"r"}, {to_mss}, "v1").ok());
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // One attempt on "mss" that is retried, keeping its submission receipt.
  void RetryWithSubmission() {
    auto queued = store_->PeekQueue("mss", "", 10);
    ASSERT_TRUE(queued.ok());
    ASSERT_EQ(queued->size(), 1u);
    navette::document::MssSubmissionReceipt submission;
    Recipient* recipient = submission.add_recipients();
    recipient->set_address("dr.martin@medecin.mssante.fr");
    recipient->set_id("810001234567");
    recipient->set_fate(Recipient::ACCEPTED);
    recipient->set_message_id(kMailId);
    store::DeliveryOutcome outcome;
    outcome.task = &(*queued)[0];
    outcome.result = store::AttemptResult::kRetry;
    outcome.detail = "1 accepted, 0 refused, 1 not accepted yet";
    outcome.next_attempt_us = 1;
    outcome.receipt.emplace().PackFrom(submission);
    outcome.receipt_on_failure = true;
    ASSERT_TRUE(store_->CommitDeliveryOutcomes("mss", {&outcome, 1}).ok());
  }

  adapters::LateReceipt Dsn(const std::string& mail_id) {
    navette::document::MssDeliveryReceipt dsn;
    dsn.set_message_id(mail_id);
    auto* recipient = dsn.add_recipients();
    recipient->set_address("dr.martin@medecin.mssante.fr");
    recipient->set_delivered(true);
    adapters::LateReceipt late;
    late.message_id = kId;
    late.destination = "mss";
    late.mail_message_id = mail_id;
    late.receipt.PackFrom(dsn);
    late.detail = "delivery status notification: dr.martin@medecin.mssante.fr: delivered";
    return late;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  navette::Envelope envelope_;
};

TEST_F(LateReceiptsTest, ARetriedAttemptKeepsTheReceiptItWasToldToKeep) {
  RetryWithSubmission();
  auto receipts = store_->GetReceipts(kId);
  ASSERT_TRUE(receipts.ok());
  ASSERT_EQ(receipts->size(), 1u);
  navette::document::MssSubmissionReceipt kept;
  ASSERT_TRUE((*receipts)[0].body().UnpackTo(&kept));
  EXPECT_EQ(kept.recipients(0).message_id(), kMailId);
}

TEST_F(LateReceiptsTest, ADsnIsRecordedInTheHistoryWithItsZ02) {
  RetryWithSubmission();
  navette::config::Config config;
  auto* source = config.add_sources();
  source->set_name("sgl");
  source->set_business_acks("producer");
  BusinessAcks acks(config);
  std::vector<std::string> notified;
  StoreLateReceipts sink(*store_, acks, [&](const store::ActionEffect& effect) {
    notified.push_back(effect.destination);
  });
  ASSERT_TRUE(sink.Record(Dsn(kMailId)).ok());
  EXPECT_EQ(notified, std::vector<std::string>{"producer"});

  auto history = store_->GetHistory(kId);
  ASSERT_TRUE(history.ok());
  const store::Event* receipt = nullptr;
  for (const store::Event& event : *history) {
    if (event.type() == store::EVENT_RECEIPT) receipt = &event;
  }
  ASSERT_NE(receipt, nullptr) << "no receipt event in the history";
  EXPECT_EQ(receipt->destination(), "mss");
  EXPECT_THAT(receipt->detail(), HasSubstr("delivered"));

  // The Z02 waits in the producer's queue, with the recipient's national id
  // the submission recorded (the DSN does not carry it).
  auto queued = store_->PeekQueue("producer", "", 10);
  ASSERT_TRUE(queued.ok());
  ASSERT_EQ(queued->size(), 1u);
  auto output = store_->GetOutput(kId, (*queued)[0].task.route());
  ASSERT_TRUE(output.ok());
  EXPECT_THAT(output->payload(), HasSubstr("ZAM^Z02"));
  EXPECT_THAT(output->payload(), HasSubstr("810001234567"));
}

TEST_F(LateReceiptsTest, AReceiptAboutAMailNavetteDidNotSendIsNotFound) {
  RetryWithSubmission();
  navette::config::Config config;
  BusinessAcks acks(config);
  StoreLateReceipts sink(*store_, acks, {});
  absl::Status forged = sink.Record(Dsn("navette.512.mss.p.ffff@chu.mssante.fr"));
  EXPECT_TRUE(absl::IsNotFound(forged)) << forged;
  adapters::LateReceipt elsewhere = Dsn(kMailId);
  elsewhere.destination = "other";
  EXPECT_TRUE(absl::IsNotFound(sink.Record(elsewhere)));
  elsewhere = Dsn(kMailId);
  elsewhere.message_id = kId + 1;
  EXPECT_TRUE(absl::IsNotFound(sink.Record(elsewhere)));
  auto history = store_->GetHistory(kId);
  ASSERT_TRUE(history.ok());
  EXPECT_NE(history->back().type(), store::EVENT_RECEIPT);
}

}  // namespace
}  // namespace navette::engine
