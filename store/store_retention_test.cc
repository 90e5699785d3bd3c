// Retention against a real store: what goes (with every record and index
// entry that points to it), what stays (pending, younger, the newest
// version of a document), and the disk space that comes back.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include <rocksdb/db.h>

#include "store/keys.h"
#include "store/message_id.h"
#include "store/store.h"
#include "store/test_store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/store_inspector.h"

namespace navette::store {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;
using std::chrono::microseconds;

// Each message names this IPP in PID-3, for the search index.
PatientIds IppOf(const navette::Envelope& envelope) {
  PatientIds ids;
  ids.ipps.push_back("IPP-" + envelope.hl7().control_id());
  return ids;
}

class StoreRetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshStoreDir("navette-store-retention");
    auto opened = Store::Open(dir_.string(), {.statistics = nullptr, .clock = &clock_});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"outbox"}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A new message id, of now (ids begin with their time).
  uint64_t NewId() { return MessageIdLowerBound(clock_.NowMicros()) + ++issued_; }
  // Receives message `id` (MSH-10 "C<id>", `payload_bytes` of noise that
  // does not compress) now, and routes it to the outbox.
  void ReceiveAndRoute(uint64_t id, size_t payload_bytes = 0) {
    navette::Envelope envelope = MakeTestEnvelope("C" + std::to_string(id));
    envelope.set_received_at_us(clock_.NowMicros());
    std::string noise(payload_bytes, 'x');
    for (char& c : noise) c = static_cast<char>('A' + random_() % 26);
    envelope.mutable_raw()->append(noise);
    IngressRecord record{id, &envelope, "hash", IppOf(envelope)};
    ASSERT_TRUE(store_->CommitIngress({&record, 1}).ok());
    ASSERT_TRUE(CommitRouting(*store_, id, {"r"}, {{"r", "outbox", "", false, ""}}, "v1").ok());
  }
  // The queued tasks of the outbox, oldest first.
  std::vector<QueuedTask> Queued() {
    auto tasks = store_->PeekQueue("outbox", "", 100'000);
    EXPECT_TRUE(tasks.ok()) << tasks.status();
    return tasks.ok() ? *tasks : std::vector<QueuedTask>{};
  }
  void Deliver(const QueuedTask& task) {
    ASSERT_TRUE(CommitDelivered(*store_, "outbox", task, 1000, "AA").ok());
  }
  void Kill(const QueuedTask& task) {
    DeliveryOutcome outcome;
    outcome.task = &task;
    outcome.result = AttemptResult::kDead;
    outcome.detail = "AR";
    ASSERT_TRUE(store_->CommitDeliveryOutcomes("outbox", {&outcome, 1}).ok());
  }
  RetentionReport Apply(const RetentionPolicy& policy) {
    auto report = store_->ApplyRetention(policy, IppOf);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : RetentionReport{};
  }
  // Keys in a column family, by a full scan.
  uint64_t Keys(std::string_view column_family) {
    StoreInspector inspector(*store_);
    std::unique_ptr<rocksdb::Iterator> it(
        inspector.db().NewIterator(rocksdb::ReadOptions(), inspector.ColumnFamily(column_family)));
    uint64_t count = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
    return count;
  }
  // Bytes of the live table files of every column family, after a flush:
  // what the store holds on disk.
  uint64_t TableBytes() {
    StoreInspector inspector(*store_);
    uint64_t total = 0;
    for (const char* name : {kJournalCf, kStateCf, kHistoryCf, kStatusIndexCf, kSearchIndexCf,
                             kControlIdIndexCf, kOutputsCf}) {
      rocksdb::ColumnFamilyHandle* cf = inspector.ColumnFamily(name);
      EXPECT_TRUE(inspector.db().Flush(rocksdb::FlushOptions(), cf).ok());
      uint64_t bytes = 0;
      EXPECT_TRUE(inspector.db().GetIntProperty(cf, "rocksdb.live-sst-files-size", &bytes));
      total += bytes;
    }
    return total;
  }
  size_t Found(const SearchFilter& filter) {
    auto page = store_->Search(filter);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->messages.size() : 0;
  }

  FakeClock clock_;
  uint64_t issued_ = 0;
  std::mt19937 random_{7};
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreRetentionTest, DeliveredPastTheirAgeGoWithEveryRecordPendingStayAndTheDiskShrinks) {
  constexpr uint64_t kMessages = 300, kPending = 20;
  for (uint64_t i = 0; i < kMessages; ++i) ReceiveAndRoute(NewId(), 16 * 1024);
  std::vector<QueuedTask> queued = Queued();
  ASSERT_EQ(queued.size(), kMessages);
  for (size_t i = 0; i < kMessages - kPending; ++i) Deliver(queued[i]);
  const uint64_t before = TableBytes();

  // Not yet their age: nothing goes.
  clock_.Advance(microseconds(29 * kDayUs));
  RetentionPolicy policy;
  policy.max_age_us[DELIVERED] = 30 * kDayUs;
  policy.batch_size = 64;  // several batches
  EXPECT_EQ(Apply(policy).messages_removed(), 0u);

  clock_.Advance(microseconds(2 * kDayUs));
  RetentionReport report = Apply(policy);
  EXPECT_EQ(report.removed[DELIVERED], kMessages - kPending);
  EXPECT_EQ(report.messages_removed(), kMessages - kPending);

  // A delivered message is gone, with its history and every index entry.
  const uint64_t gone = queued[0].task.message_id();
  EXPECT_TRUE(absl::IsNotFound(store_->GetMessage(gone).status()));
  EXPECT_TRUE(absl::IsNotFound(store_->GetState(gone).status()));
  auto history = store_->GetHistory(gone);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
  EXPECT_EQ(Found({.ipp = "IPP-C" + std::to_string(gone)}), 0u);
  EXPECT_EQ(Found({.control_id = "C" + std::to_string(gone)}), 0u);
  auto entry = store_->LookupControlId("sgl", "C" + std::to_string(gone));
  ASSERT_TRUE(entry.ok());
  EXPECT_FALSE(entry->has_value());
  EXPECT_EQ(Keys(kJournalCf), kPending);
  EXPECT_EQ(Keys(kStateCf), kPending);
  EXPECT_EQ(Keys(kStatusIndexCf), kPending);
  EXPECT_EQ(Keys(kControlIdIndexCf), kPending);
  EXPECT_EQ(Keys(kSearchIndexCf), kPending * 3);  // source, MSH-10, IPP
  EXPECT_EQ(Keys(kHistoryCf), kPending * 2);      // received, routed

  // The pending ones stay, whole, and are still found.
  const uint64_t pending = queued.back().task.message_id();
  auto state = store_->GetState(pending);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->status(), QUEUED);
  EXPECT_TRUE(store_->GetMessage(pending).ok());
  EXPECT_EQ(Found({.ipp = "IPP-C" + std::to_string(pending)}), 1u);
  EXPECT_EQ(Found({.source = "sgl"}), kPending);

  // The space came back: the journal's payloads were most of it.
  const uint64_t after = TableBytes();
  std::printf(
      "store tables: %llu bytes before retention, %llu after (%llu of %llu messages kept)\n",
      static_cast<unsigned long long>(before), static_cast<unsigned long long>(after),
      static_cast<unsigned long long>(kPending), static_cast<unsigned long long>(kMessages));
  EXPECT_LT(after, before / 5);
}

TEST_F(StoreRetentionTest, EachFinalStatusHasItsOwnAgeCountedFromTheLastChange) {
  const uint64_t first = NewId(), second = NewId(), third = NewId();
  for (uint64_t id : {first, second, third}) ReceiveAndRoute(id);
  std::vector<QueuedTask> queued = Queued();
  ASSERT_EQ(queued.size(), 3u);
  Deliver(queued[0]);  // 1: delivered at day 0
  Kill(queued[1]);     // 2: dead at day 0
  Deliver(queued[2]);  // 3: delivered at day 0, replayed and delivered again at day 10
  clock_.Advance(microseconds(10 * kDayUs));
  ASSERT_TRUE(store_->Replay(third, "outbox", "analyst").ok());
  Deliver(Queued().at(0));

  RetentionPolicy policy;
  policy.max_age_us[DELIVERED] = 30 * kDayUs;
  policy.max_age_us[DEAD] = 90 * kDayUs;
  clock_.Advance(microseconds(21 * kDayUs));  // day 31
  RetentionReport report = Apply(policy);
  EXPECT_EQ(report.messages_removed(), 1u);
  EXPECT_TRUE(absl::IsNotFound(store_->GetState(first).status()));
  EXPECT_TRUE(store_->GetState(second).ok());  // dead: 90 days
  EXPECT_TRUE(store_->GetState(third).ok());   // changed 21 days ago

  clock_.Advance(microseconds(10 * kDayUs));  // day 41
  EXPECT_EQ(Apply(policy).removed[DELIVERED], 1u);
  EXPECT_TRUE(absl::IsNotFound(store_->GetState(third).status()));
  auto dead = store_->ListDeadLetters("outbox", nullptr, 10);
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ(dead->size(), 1u);

  clock_.Advance(microseconds(50 * kDayUs));  // day 91
  report = Apply(policy);
  EXPECT_EQ(report.removed[DEAD], 1u);
  EXPECT_EQ(report.dead_letters["outbox"], 1u);
  dead = store_->ListDeadLetters("outbox", nullptr, 10);
  ASSERT_TRUE(dead.ok());
  EXPECT_TRUE(dead->empty());
  EXPECT_EQ(Keys(kJournalCf), 0u);
}

TEST_F(StoreRetentionTest, ASetKeepsItsNewestVersionAndItsReceiptForALaterReplacement) {
  const std::string set = "1.2.250.1.999.2.1";
  std::vector<uint64_t> ids;
  for (uint32_t version = 1; version <= 2; ++version) {
    const uint64_t id = ids.emplace_back(NewId());
    navette::Envelope envelope = MakeTestEnvelope("D" + std::to_string(id));
    envelope.set_received_at_us(clock_.NowMicros());
    IngressRecord record{id, &envelope, "hash", {}};
    ASSERT_TRUE(store_->CommitIngress({&record, 1}).ok());
    DocumentVersion emitted;
    emitted.set_id("1.2.250.1.999.1." + std::to_string(version));
    emitted.set_set_id(set);
    emitted.set_version(version);
    emitted.set_message_id(id);
    RouteOutput output;
    output.mutable_document()->mutable_cda()->set_id(emitted.id());
    RoutingDecision decision;
    decision.id = id;
    decision.routes = {"cda"};
    decision.deliveries.push_back({"cda", "outbox", "", true, ""});
    decision.outputs.emplace_back("cda", output);
    decision.document_versions = {emitted};
    ASSERT_TRUE(store_->CommitRouting({&decision, 1}, "v1").ok());
    QueuedTask task = Queued().at(0);
    DeliveryOutcome outcome;
    outcome.task = &task;
    outcome.receipt.emplace();
    outcome.receipt_document_key = set;
    ASSERT_TRUE(store_->CommitDeliveryOutcomes("outbox", {&outcome, 1}).ok());
  }
  clock_.Advance(microseconds(31 * kDayUs));
  RetentionPolicy policy;
  policy.max_age_us[DELIVERED] = 30 * kDayUs;
  RetentionReport report = Apply(policy);
  EXPECT_EQ(report.messages_removed(), 2u);
  EXPECT_EQ(report.document_versions_removed, 1u);

  auto versions = store_->GetDocumentSet(set);
  ASSERT_TRUE(versions.ok()) << versions.status();
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ(versions->at(0).version(), 2u);
  auto first = store_->GetDocumentVersion("1.2.250.1.999.1.1");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());
  auto receipts = store_->GetDocumentReceipts(set, "outbox");
  ASSERT_TRUE(receipts.ok());
  ASSERT_EQ(receipts->size(), 1u);
  EXPECT_EQ(receipts->at(0).message_id, ids[1]);
}

TEST_F(StoreRetentionTest, HistoryAndAuditHaveTheirOwnAges) {
  // A dead message kept for ever, whose history grows over 20 days.
  const uint64_t id = NewId();
  ReceiveAndRoute(id);
  for (int day = 1; day <= 3; ++day) {
    clock_.Advance(microseconds(kDayUs));
    QueuedTask task = Queued().at(0);
    ASSERT_TRUE(CommitAttemptFailed(*store_, "outbox", task, 1000, "refused", 0).ok());
  }
  clock_.Advance(microseconds(17 * kDayUs));  // day 20
  Kill(Queued().at(0));
  for (int day : {0, 10, 19}) {
    AuditEntry entry;
    entry.set_at_us(clock_.NowMicros() - (20 - day) * kDayUs);
    entry.set_user("analyst");
    entry.set_action("view_payload");
    ASSERT_TRUE(store_->AppendAudit(entry).ok());
  }

  RetentionPolicy policy;
  policy.history_max_age_us = 7 * kDayUs;
  policy.audit_max_age_us = 5 * kDayUs;
  RetentionReport report = Apply(policy);
  EXPECT_EQ(report.messages_removed(), 0u);
  // received, routed and three failed attempts were older than 7 days; the
  // last event (dead, today) stays.
  EXPECT_EQ(report.history_events_removed, 5u);
  auto history = store_->GetHistory(id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->at(0).type(), EVENT_DEAD);
  EXPECT_EQ(report.audit_entries_removed, 2u);
  auto audit = store_->ListAudit({});
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->entries.size(), 1u);

  // A second run starts where the first stopped: nothing more to do.
  report = Apply(policy);
  EXPECT_EQ(report.history_events_removed, 0u);
  EXPECT_EQ(report.audit_entries_removed, 0u);
  EXPECT_TRUE(store_->GetState(id).ok());
}

}  // namespace
}  // namespace navette::store
