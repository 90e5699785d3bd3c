// Delivery receipts (kept in the outcome's batch, read back per message) and
// the store's injected clock (every time it writes comes from it).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include <google/protobuf/wrappers.pb.h>
#include <rocksdb/db.h>

#include "store/keys.h"
#include "store/store.h"
#include "store/test_store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/store_inspector.h"

namespace navette::store {
namespace {

// The receipt a DMP-like kind would return: the document's id at the peer.
google::protobuf::Any EntryUuid(const std::string& uuid) {
  google::protobuf::StringValue value;
  value.set_value(uuid);
  google::protobuf::Any any;
  any.PackFrom(value);
  return any;
}

class StoreReceiptsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshStoreDir("navette-store-receipts");
    StoreOptions options;
    options.clock = &clock_;
    auto opened = Store::Open(dir_.string(), options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"dmp", "outbox"}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // A message received and routed by route "r" to "dmp" and "outbox".
  uint64_t IngestAndRoute(uint64_t id) {
    const navette::Envelope envelope = MakeTestEnvelope("c" + std::to_string(id));
    IngressRecord record{id, &envelope, "hash"};
    EXPECT_TRUE(store_->CommitIngress({&record, 1}).ok());
    RoutedDelivery dmp{"r", "dmp", "", false, ""};
    RoutedDelivery outbox{"r", "outbox", "", false, ""};
    EXPECT_TRUE(CommitRouting(*store_, id, {"r"}, {dmp, outbox}, "v1").ok());
    return id;
  }
  QueuedTask TaskOf(std::string_view destination, uint64_t id) {
    auto tasks = store_->PeekQueue(destination, "", 100);
    EXPECT_TRUE(tasks.ok());
    for (QueuedTask& task : *tasks) {
      if (task.task.message_id() == id) return task;
    }
    ADD_FAILURE() << "no task of " << id << " in " << destination;
    return {};
  }

  FakeClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreReceiptsTest, ADeliveredReceiptIsKeptAndReadBackWithItsMessageOnly) {
  const uint64_t id = IngestAndRoute(10);
  const uint64_t other = IngestAndRoute(11);
  clock_.Advance(std::chrono::seconds(3));
  const QueuedTask task = TaskOf("dmp", id);
  DeliveryOutcome outcome;
  outcome.task = &task;
  outcome.detail = "registered";
  outcome.receipt = EntryUuid("urn:uuid:1234");
  ASSERT_TRUE(store_->CommitDeliveryOutcomes("dmp", {&outcome, 1}).ok());

  auto receipts = store_->GetReceipts(id);
  ASSERT_TRUE(receipts.ok()) << receipts.status();
  ASSERT_EQ(receipts->size(), 1u);
  const DeliveryReceipt& receipt = (*receipts)[0];
  EXPECT_EQ(receipt.destination(), "dmp");
  EXPECT_EQ(receipt.route(), "r");
  EXPECT_EQ(receipt.at_us(), clock_.NowMicros());
  google::protobuf::StringValue body;
  ASSERT_TRUE(receipt.body().UnpackTo(&body));
  EXPECT_EQ(body.value(), "urn:uuid:1234");

  auto none = store_->GetReceipts(other);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// Only a delivered outcome keeps a receipt; a failed attempt's is dropped.
TEST_F(StoreReceiptsTest, AFailedAttemptKeepsNoReceipt) {
  const uint64_t id = IngestAndRoute(10);
  const QueuedTask task = TaskOf("dmp", id);
  DeliveryOutcome outcome;
  outcome.task = &task;
  outcome.result = AttemptResult::kRetry;
  outcome.next_attempt_us = clock_.NowMicros() + 1000;
  outcome.receipt = EntryUuid("urn:uuid:1234");
  ASSERT_TRUE(store_->CommitDeliveryOutcomes("dmp", {&outcome, 1}).ok());
  auto receipts = store_->GetReceipts(id);
  ASSERT_TRUE(receipts.ok());
  EXPECT_TRUE(receipts->empty());
}

// The receipt is in the outcome's batch: a batch that fails (here its second
// outcome names a message whose state is gone) writes neither the first
// outcome nor its receipt.
TEST_F(StoreReceiptsTest, AFailingBatchWritesNeitherTheOutcomeNorItsReceipt) {
  const uint64_t id = IngestAndRoute(10);
  const uint64_t broken = IngestAndRoute(11);
  const QueuedTask first = TaskOf("dmp", id);
  const QueuedTask second = TaskOf("dmp", broken);
  StoreInspector inspector(*store_);
  ASSERT_TRUE(inspector.db()
                  .Delete(rocksdb::WriteOptions(), inspector.ColumnFamily(kStateCf), IdKey(broken))
                  .ok());
  DeliveryOutcome outcomes[2];
  outcomes[0].task = &first;
  outcomes[0].receipt = EntryUuid("urn:uuid:1234");
  outcomes[1].task = &second;
  EXPECT_FALSE(store_->CommitDeliveryOutcomes("dmp", outcomes).ok());

  auto receipts = store_->GetReceipts(id);
  ASSERT_TRUE(receipts.ok());
  EXPECT_TRUE(receipts->empty());
  auto state = store_->GetState(id);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->status(), QUEUED);
  EXPECT_EQ(TaskOf("dmp", id).key, first.key);  // still queued
}

// A replayed delivery's new receipt replaces the first one.
TEST_F(StoreReceiptsTest, ADeliveryAgainReplacesItsReceipt) {
  const uint64_t id = IngestAndRoute(10);
  QueuedTask task = TaskOf("dmp", id);
  DeliveryOutcome outcome;
  outcome.task = &task;
  outcome.receipt = EntryUuid("urn:uuid:first");
  ASSERT_TRUE(store_->CommitDeliveryOutcomes("dmp", {&outcome, 1}).ok());
  ASSERT_TRUE(store_->Replay(id, "dmp", "test").ok());
  task = TaskOf("dmp", id);
  outcome.receipt = EntryUuid("urn:uuid:second");
  ASSERT_TRUE(store_->CommitDeliveryOutcomes("dmp", {&outcome, 1}).ok());
  auto receipts = store_->GetReceipts(id);
  ASSERT_TRUE(receipts.ok());
  ASSERT_EQ(receipts->size(), 1u);
  google::protobuf::StringValue body;
  ASSERT_TRUE((*receipts)[0].body().UnpackTo(&body));
  EXPECT_EQ(body.value(), "urn:uuid:second");
}

// A receipt about a document is also kept under the document's setId, for
// the later messages about that document (a replacement, a deletion), per
// destination, oldest message first; a failed attempt keeps none there.
TEST_F(StoreReceiptsTest, AReceiptAboutADocumentIsFoundUnderItsSetIdByLaterMessages) {
  const uint64_t first = IngestAndRoute(10);
  const uint64_t second = IngestAndRoute(11);
  const uint64_t failed = IngestAndRoute(12);
  QueuedTask task = TaskOf("dmp", second);
  DeliveryOutcome outcome;
  outcome.task = &task;
  outcome.receipt = EntryUuid("urn:uuid:v2");
  outcome.receipt_document_key = "1.2.250.1.999.1.2.10";
  ASSERT_TRUE(store_->CommitDeliveryOutcomes("dmp", {&outcome, 1}).ok());
  task = TaskOf("dmp", first);
  outcome.receipt = EntryUuid("urn:uuid:v1");
  ASSERT_TRUE(store_->CommitDeliveryOutcomes("dmp", {&outcome, 1}).ok());
  task = TaskOf("dmp", failed);
  outcome.result = AttemptResult::kDead;
  outcome.receipt = EntryUuid("urn:uuid:refused");
  ASSERT_TRUE(store_->CommitDeliveryOutcomes("dmp", {&outcome, 1}).ok());

  auto kept = store_->GetDocumentReceipts("1.2.250.1.999.1.2.10", "dmp");
  ASSERT_TRUE(kept.ok()) << kept.status();
  ASSERT_EQ(kept->size(), 2u);
  EXPECT_EQ((*kept)[0].message_id, first);
  EXPECT_EQ((*kept)[1].message_id, second);
  google::protobuf::StringValue body;
  ASSERT_TRUE((*kept)[1].receipt.body().UnpackTo(&body));
  EXPECT_EQ(body.value(), "urn:uuid:v2");
  EXPECT_EQ((*kept)[1].receipt.route(), "r");
  // Another destination, another set, or a set whose id is a prefix of
  // this one's find nothing.
  EXPECT_TRUE(store_->GetDocumentReceipts("1.2.250.1.999.1.2.10", "outbox")->empty());
  EXPECT_TRUE(store_->GetDocumentReceipts("1.2.250.1.999.1.2.1", "dmp")->empty());
  // The document's versions are untouched by its receipts.
  EXPECT_TRUE(store_->GetDocumentSet("1.2.250.1.999.1.2.10")->empty());
}

// Every time the store writes comes from its clock: routing, attempts,
// operator actions, and the state's own times.
TEST_F(StoreReceiptsTest, HistoryEventsCarryTheInjectedClocksTime) {
  const int64_t routed_at = clock_.NowMicros();
  const uint64_t id = IngestAndRoute(10);
  clock_.Advance(std::chrono::minutes(5));
  const int64_t delivered_at = clock_.NowMicros();
  ASSERT_TRUE(CommitDelivered(*store_, "dmp", TaskOf("dmp", id), 10, "ok").ok());
  clock_.Advance(std::chrono::hours(2));
  const int64_t discarded_at = clock_.NowMicros();
  ASSERT_TRUE(store_->Discard(id, "test").ok());

  auto history = store_->GetHistory(id);
  ASSERT_TRUE(history.ok()) << history.status();
  int checked = 0;
  for (const Event& event : *history) {
    if (event.type() == EVENT_ROUTED) {
      EXPECT_EQ(event.at_us(), routed_at) << event.destination();
      ++checked;
    }
    if (event.type() == EVENT_DELIVERED) {
      EXPECT_EQ(event.at_us(), delivered_at);
      ++checked;
    }
    if (event.type() == EVENT_DISCARDED) {
      EXPECT_EQ(event.at_us(), discarded_at);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4);  // routed to two destinations, delivered, discarded
  auto state = store_->GetState(id);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->updated_at_us(), discarded_at);
  EXPECT_EQ(state->destinations(0).updated_at_us(), delivered_at);
}

}  // namespace
}  // namespace navette::store
