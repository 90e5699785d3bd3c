// Which store writes reach the disk before they return, observed through
// RocksDB's count of WAL syncs (ticker WAL_FILE_SYNCED): a write made with
// the default WriteOptions survives a crash of the process (the page cache
// survives it) but not a power loss, so no crash test can tell the two
// apart.
//
// Synced, as store.h promises: the ingress commit (a sender's ACK waits for
// it) and every operator action (the operator is told it is done). Not
// checked here: routing and delivery outcomes, which store.h documents as
// written without fsync (a power loss loses a suffix of them and the
// message is routed or delivered again: at-least-once).
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/statistics.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "store/message_id.h"
#include "store/store.h"
#include "store/test_store.h"
#include "tests/support/store_inspector.h"

namespace navette::store {
namespace {

class StoreSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshStoreDir("navette-store-sync-test");
    statistics_ = rocksdb::CreateDBStatistics();
    auto opened = Store::Open(dir_.string(), StoreOptions{statistics_});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"outbox"}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The WAL syncs `write` made; it must succeed.
  uint64_t SyncsOf(const std::function<absl::Status()>& write) {
    const uint64_t before = statistics_->getTickerCount(rocksdb::WAL_FILE_SYNCED);
    const absl::Status written = write();
    EXPECT_TRUE(written.ok()) << written;
    return statistics_->getTickerCount(rocksdb::WAL_FILE_SYNCED) - before;
  }

  navette::Envelope MakeEnvelope(const std::string& control_id) {
    return MakeTestEnvelope(control_id);
  }
  absl::Status Ingest(uint64_t id, const std::string& control_id) {
    navette::Envelope envelope = MakeEnvelope(control_id);
    IngressRecord record{id, &envelope, "hash-" + control_id};
    return store_->CommitIngress({&record, 1});
  }
  uint64_t Ingest(const std::string& control_id) {
    const uint64_t id = ids_.Next();
    EXPECT_TRUE(Ingest(id, control_id).ok());
    return id;
  }
  // Routes `id` to outbox and records its delivery there as dead.
  void RouteAndKill(uint64_t id) {
    RoutedDelivery delivery;
    delivery.route = "r1";
    delivery.destination = "outbox";
    ASSERT_TRUE(CommitRouting(*store_, id, {"r1"}, {delivery}, "v1").ok());
    auto tasks = store_->PeekQueue("outbox", "", 10);
    ASSERT_TRUE(tasks.ok());
    ASSERT_EQ(tasks->size(), 1u);
    DeliveryOutcome dead{&(*tasks)[0], AttemptResult::kDead, 10, "HTTP 400", 0};
    ASSERT_TRUE(store_->CommitDeliveryOutcomes("outbox", {&dead, 1}).ok());
  }

  std::filesystem::path dir_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::unique_ptr<Store> store_;
  MessageIdGenerator ids_;
};

// The measure itself: it counts synced writes and nothing else, so that the
// tests below cannot pass on writes that were merely appended.
TEST_F(StoreSyncTest, TheCounterSeesSyncedWritesOnly) {
  auto put = [&](const rocksdb::WriteOptions& options) {
    const rocksdb::Status written = StoreInspector(*store_).db().Put(options, "key", "value");
    return written.ok() ? absl::OkStatus() : absl::InternalError(written.ToString());
  };
  EXPECT_EQ(SyncsOf([&] { return put(rocksdb::WriteOptions()); }), 0u);
  rocksdb::WriteOptions synced;
  synced.sync = true;
  EXPECT_EQ(SyncsOf([&] { return put(synced); }), 1u);
}

TEST_F(StoreSyncTest, IngressCommitIsSynced) {
  EXPECT_GE(SyncsOf([&] { return Ingest(ids_.Next(), "c1"); }), 1u) << "a new message";

  // A batch of several messages: one commit, synced.
  navette::Envelope second = MakeEnvelope("c2"), third = MakeEnvelope("c3");
  const IngressRecord batch[] = {{ids_.Next(), &second, "hash-c2"},
                                 {ids_.Next(), &third, "hash-c3"}};
  EXPECT_GE(SyncsOf([&] { return store_->CommitIngress(batch); }), 1u) << "a batch";

  // A retransmission is acknowledged again: its event is synced too.
  const IngressRecord again{batch[0].id, nullptr, ""};
  EXPECT_GE(SyncsOf([&] { return store_->CommitIngress({&again, 1}); }), 1u) << "a retransmission";
}

TEST_F(StoreSyncTest, OperatorActionsAreSynced) {
  const uint64_t replayed = Ingest("replayed");
  RouteAndKill(replayed);
  EXPECT_GE(SyncsOf([&] { return store_->Replay(replayed, "outbox", "alice").status(); }), 1u)
      << "replay";
  // Pending again after the replay: discarding drops that delivery.
  EXPECT_GE(SyncsOf([&] { return store_->Discard(replayed, "alice").status(); }), 1u) << "discard";

  const uint64_t rerouted = Ingest("rerouted");
  RouteAndKill(rerouted);
  EXPECT_GE(SyncsOf([&] { return store_->Reroute(rerouted, ids_.Next(), "alice").status(); }), 1u)
      << "reroute";

  const uint64_t parked = Ingest("parked");
  RoutingDecision decision;
  decision.id = parked;
  decision.routes = {"lab"};
  RouteHold hold;
  hold.set_route("lab");
  hold.set_reason("no qualified identity");
  hold.set_patient("000123");
  decision.parked = {hold};
  ASSERT_TRUE(store_->CommitRouting({&decision, 1}, "v1").ok());
  EXPECT_GE(SyncsOf([&] { return store_->Release(parked, ids_.Next(), "alice").status(); }), 1u)
      << "release";
}

// The configuration a message was routed with is named in its history: the
// text of that version must not be lost while messages refer to it.
TEST_F(StoreSyncTest, ConfigVersionIsSynced) {
  EXPECT_GE(SyncsOf([&] { return store_->SaveConfigVersion("v1", "routes: []\n"); }), 1u);
}

}  // namespace
}  // namespace navette::store
