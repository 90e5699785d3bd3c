// The router against a real store and a real route table: what it queues,
// whom it notifies, what it does with a message that matches nothing or
// cannot be read, and where it starts again after a restart.
#include "engine/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include <rocksdb/db.h>

#include "common/clock.h"
#include "engine/builtin_kinds.h"
#include "engine/metrics.h"
#include "engine/recent_messages.h"
#include "store/keys.h"
#include "store/message_id.h"
#include "store/test_store.h"

namespace navette::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

// Results go to the outbox and the archive, ADTs to the archive only; any
// other message matches nothing.
navette::config::Config RoutesConfig() {
  navette::config::Config config;
  navette::config::Route* results = config.add_routes();
  results->set_name("results");
  results->mutable_match()->add_message_type("ORU^*");
  results->add_to("outbox");
  results->add_to("archive");
  navette::config::Route* adts = config.add_routes();
  adts->set_name("adts");
  adts->mutable_match()->add_message_type("ADT^*");
  adts->add_to("archive");
  config.add_destinations()->set_name("outbox");
  config.add_destinations()->set_name("archive");
  return config;
}

// What the router told the schedulers: tasks queued, by destination.
class QueuedRecorder {
 public:
  void OnQueued(const std::string& destination, uint64_t count) {
    std::lock_guard lock(mu_);
    calls_.emplace_back(destination, count);
    total_ += count;
    changed_.notify_all();
  }
  // The calls, once they add up to `total` tasks (or after the timeout).
  std::vector<std::pair<std::string, uint64_t>> WaitForTotal(uint64_t total) {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, std::chrono::seconds(20), [&] { return total_ >= total; });
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::pair<std::string, uint64_t>> calls_;
  uint64_t total_ = 0;
};

template <typename Condition>
bool Eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = store::FreshStoreDir("navette-router-test");
    OpenStore();
    auto routes = routes::RouteTable::Build(config_);
    ASSERT_TRUE(routes.ok()) << routes.status();
    routes_ = std::move(*routes);
  }
  void TearDown() override {
    router_.reset();
    steps_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void OpenStore() {
    auto opened = store::Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"outbox", "archive"}).ok());
    ids_.Observe(store_->LastMessageId());
    auto steps = StepRunner::Create(*store_, config_, BuiltinKinds(), Clock::System());
    ASSERT_TRUE(steps.ok()) << steps.status();
    steps_ = std::move(*steps);
  }

  void StartRouter(QueuedRecorder& recorder, Metrics* metrics = nullptr,
                   RecentMessages* recent = nullptr) {
    router_ = std::make_unique<Router>(
        *store_, *routes_, *steps_, [this] { return ids_.Next(); }, "v1",
        [&recorder](const std::string& destination, uint64_t count) {
          recorder.OnQueued(destination, count);
        },
        metrics);
    router_->set_recent_messages(recent);
    router_->Start();
  }

  uint64_t Ingest(const std::string& control_id, const std::string& type = "ORU^R01") {
    navette::Envelope envelope = store::MakeTestEnvelope(control_id);
    envelope.set_raw("MSH|^~\\&|A|B|C|D|20240101||" + type + "|" + control_id + "|P|2.5\r");
    envelope.mutable_hl7()->set_message_type(type);
    store::IngressRecord record{ids_.Next(), &envelope, "hash-" + control_id};
    EXPECT_TRUE(store_->CommitIngress({&record, 1}).ok());
    if (router_) router_->Notify();
    return record.id;
  }

  store::MessageStatus Status(uint64_t id) {
    auto state = store_->GetState(id);
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? state->status() : store::MessageStatus{};
  }

  // The message ids queued for `destination`, in queue order.
  std::vector<uint64_t> Queued(const std::string& destination) {
    auto tasks = store_->PeekQueue(destination, "", 100);
    EXPECT_TRUE(tasks.ok()) << tasks.status();
    std::vector<uint64_t> ids;
    if (tasks.ok()) {
      for (const store::QueuedTask& queued : *tasks) ids.push_back(queued.task.message_id());
    }
    return ids;
  }

  bool RouterQueueEmpty() {
    auto entries = store_->PeekRouterQueue("", 1);
    return entries.ok() && entries->empty();
  }

  navette::config::Config config_ = RoutesConfig();
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  store::MessageIdGenerator ids_;
  std::unique_ptr<routes::RouteTable> routes_;
  std::unique_ptr<StepRunner> steps_;
  std::unique_ptr<Router> router_;
};

// Messages committed before the router starts are routed in one batch: each
// destination is notified once, with the number of tasks queued for it.
TEST_F(RouterTest, MatchingMessagesAreQueuedAndTheirDestinationsNotifiedWithTheCounts) {
  const uint64_t r1 = Ingest("R1");
  const uint64_t a1 = Ingest("A1", "ADT^A01");
  const uint64_t r2 = Ingest("R2");
  QueuedRecorder recorder;
  StartRouter(recorder);
  const auto calls = recorder.WaitForTotal(5);
  EXPECT_THAT(calls, ElementsAre(Pair("archive", 3), Pair("outbox", 2)));
  EXPECT_THAT(Queued("outbox"), ElementsAre(r1, r2));
  EXPECT_THAT(Queued("archive"), ElementsAre(r1, a1, r2));
  EXPECT_EQ(Status(r1), store::QUEUED);
  EXPECT_TRUE(RouterQueueEmpty());
  EXPECT_EQ(router_->stats().routed, 3u);
  EXPECT_EQ(router_->stats().unrouted, 0u);

  // A message committed while it runs: routed on the ingress's Notify.
  const uint64_t r3 = Ingest("R3");
  EXPECT_THAT(recorder.WaitForTotal(7), ElementsAre(Pair("archive", 3), Pair("outbox", 2),
                                                    Pair("archive", 1), Pair("outbox", 1)));
  EXPECT_THAT(Queued("outbox"), ElementsAre(r1, r2, r3));
}

TEST_F(RouterTest, AnUnmatchedMessageIsCountedUnroutedAndQueuesNothing) {
  Metrics metrics(config_, BuiltinKinds());
  const uint64_t id = Ingest("X1", "MDM^T02");
  const uint64_t after = Ingest("R1");
  QueuedRecorder recorder;
  StartRouter(recorder, &metrics);
  EXPECT_THAT(recorder.WaitForTotal(2), ElementsAre(Pair("archive", 1), Pair("outbox", 1)));
  EXPECT_EQ(Status(id), store::UNROUTED);
  EXPECT_EQ(router_->stats().unrouted, 1u);
  EXPECT_EQ(router_->stats().routed, 1u);
  EXPECT_THAT(Queued("outbox"), ElementsAre(after));
  EXPECT_THAT(Queued("archive"), ElementsAre(after));
  EXPECT_TRUE(RouterQueueEmpty());
  EXPECT_THAT(metrics.Render(), HasSubstr("\nnavette_messages_unrouted_total 1\n"));
}

// A journal record that cannot be parsed (a bad sector, a bug) must not stop
// routing: its message leaves the router queue as dead, with the reason in
// its history, and the messages behind it are routed.
TEST_F(RouterTest, AnUnreadableJournalRecordIsDeadAndTheMessagesBehindItAreRouted) {
  const uint64_t before = Ingest("R1");
  const uint64_t broken = Ingest("R2");
  const uint64_t after = Ingest("R3");
  steps_.reset();
  store_.reset();
  {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_.string(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(rocksdb::DBOptions(), dir_.string(), descriptors, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      if (handle->GetName() == store::kJournalCf) {
        // A truncated varint: no StoredMessage parses from it.
        ASSERT_TRUE(
            db->Put(rocksdb::WriteOptions(), handle, store::IdKey(broken), "\xff\xff\xff").ok());
      }
      ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
    }
  }
  OpenStore();
  ASSERT_FALSE(store_->GetMessage(broken).ok());

  QueuedRecorder recorder;
  StartRouter(recorder);
  EXPECT_THAT(recorder.WaitForTotal(4), ElementsAre(Pair("archive", 2), Pair("outbox", 2)));
  EXPECT_THAT(Queued("outbox"), ElementsAre(before, after));
  ASSERT_TRUE(Eventually([&] { return RouterQueueEmpty(); }));
  EXPECT_EQ(Status(broken), store::DEAD);
  auto history = store_->GetHistory(broken);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_FALSE(history->empty());
  EXPECT_EQ(history->back().type(), store::EVENT_DEAD);
  EXPECT_THAT(history->back().detail(), StartsWith("message unreadable: "));
}

// After a restart (store reopened, a new router) routing resumes from what
// the store holds: the messages committed while it was down are routed, and
// none routed before is routed again.
TEST_F(RouterTest, RestartResumesFromTheStoresPosition) {
  QueuedRecorder first;
  StartRouter(first);
  const uint64_t r1 = Ingest("R1");
  const uint64_t r2 = Ingest("R2");
  first.WaitForTotal(4);
  ASSERT_TRUE(Eventually([&] { return router_->stats().routed == 2; }));
  router_.reset();

  const uint64_t r3 = Ingest("R3");  // while no router runs
  steps_.reset();
  store_.reset();
  OpenStore();
  const uint64_t r4 = Ingest("R4");

  QueuedRecorder second;
  StartRouter(second);
  const auto calls = second.WaitForTotal(4);
  uint64_t total = 0;
  for (const auto& call : calls) total += call.second;
  EXPECT_EQ(total, 4u);
  ASSERT_TRUE(Eventually([&] { return router_->stats().routed == 2; }));
  EXPECT_THAT(Queued("outbox"), ElementsAre(r1, r2, r3, r4));
  EXPECT_THAT(Queued("archive"), ElementsAre(r1, r2, r3, r4));
  EXPECT_TRUE(RouterQueueEmpty());
}

// Ingress hands new messages over in memory (recent_messages.h): the
// router routes what it was handed, not a read of the journal, and reads
// the journal for a message it was not handed. Here the handed-over copy
// of the first message says ADT where the journal says ORU, to tell which
// one was routed.
TEST_F(RouterTest, AMessageHandedOverIsRoutedWithoutReadingTheJournal) {
  RecentMessages recent;
  recent.Put(1, store::MakeTestEnvelope("OLDER"));  // older than any routed: dropped
  const uint64_t handed = Ingest("H1");
  navette::Envelope adt = store::MakeTestEnvelope("H1");
  adt.set_raw("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|H1|P|2.5\r");
  adt.mutable_hl7()->set_message_type("ADT^A01");
  recent.Put(handed, adt);
  const uint64_t read = Ingest("R1");  // not handed over
  QueuedRecorder recorder;
  StartRouter(recorder, nullptr, &recent);
  recorder.WaitForTotal(3);
  EXPECT_THAT(Queued("archive"), ElementsAre(handed, read));
  EXPECT_THAT(Queued("outbox"), ElementsAre(read));  // the handed-over ADT is no result
  EXPECT_EQ(recent.size(), 0u);
  EXPECT_TRUE(RouterQueueEmpty());
}

}  // namespace
}  // namespace navette::engine
