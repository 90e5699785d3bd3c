// Follow-up deliveries (business acknowledgements): queued in the batch of
// the outcome that made them, as deliveries of the message like routed ones,
// and replacing an earlier one of the same (destination, route).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"
#include "store/test_store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/store_inspector.h"

namespace navette::store {
namespace {

class StoreFollowUpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshStoreDir("navette-store-follow-ups");
    StoreOptions options;
    options.clock = &clock_;
    auto opened = Store::Open(dir_.string(), options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"dmp", "producer"}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // A message received and routed by route "r" to "dmp".
  uint64_t IngestAndRoute(uint64_t id) {
    const navette::Envelope envelope = MakeTestEnvelope("c" + std::to_string(id));
    IngressRecord record{id, &envelope, "hash"};
    EXPECT_TRUE(store_->CommitIngress({&record, 1}).ok());
    RoutedDelivery dmp{"r", "dmp", "", false, ""};
    EXPECT_TRUE(CommitRouting(*store_, id, {"r"}, {dmp}, "v1").ok());
    return id;
  }
  std::vector<QueuedTask> Tasks(std::string_view destination) {
    auto tasks = store_->PeekQueue(destination, "", 100);
    EXPECT_TRUE(tasks.ok());
    return tasks.value_or(std::vector<QueuedTask>{});
  }
  // Records `result` for the message's pending task of `destination`, with
  // a follow-up to "producer" carrying `payload`.
  std::vector<ActionEffect> Outcome(std::string_view destination, AttemptResult result,
                                    const std::string& payload) {
    std::vector<QueuedTask> tasks = Tasks(destination);
    EXPECT_EQ(tasks.size(), 1u);
    if (tasks.empty()) return {};
    DeliveryOutcome outcome;
    outcome.task = &tasks[0];
    outcome.result = result;
    outcome.detail = "answer";
    FollowUpDelivery& follow_up = outcome.follow_ups.emplace_back();
    follow_up.destination = "producer";
    follow_up.route = "zam:dmp";
    follow_up.output.set_payload(payload);
    std::vector<ActionEffect> effects;
    EXPECT_TRUE(store_->CommitDeliveryOutcomes(destination, {&outcome, 1}, &effects).ok());
    return effects;
  }
  const DestinationState* Entry(uint64_t id, std::string_view destination) {
    static MessageState state;
    auto read = store_->GetState(id);
    EXPECT_TRUE(read.ok());
    state = read.value_or(MessageState{});
    for (const DestinationState& entry : state.destinations()) {
      if (entry.destination() == destination) return &entry;
    }
    return nullptr;
  }

  FakeClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreFollowUpsTest, ADeadOutcomeQueuesItsFollowUpAsADeliveryOfTheMessage) {
  const uint64_t id = IngestAndRoute(10);
  std::vector<ActionEffect> effects = Outcome("dmp", AttemptResult::kDead, "ZAM-1");
  ASSERT_EQ(effects.size(), 1u);
  EXPECT_EQ(effects[0].destination, "producer");
  EXPECT_FALSE(effects[0].was_pending);

  std::vector<QueuedTask> queued = Tasks("producer");
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].task.message_id(), id);
  EXPECT_EQ(queued[0].task.route(), "zam:dmp");
  EXPECT_TRUE(queued[0].task.has_output());
  auto output = store_->GetOutput(id, "zam:dmp");
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->payload(), "ZAM-1");
  const DestinationState* entry = Entry(id, "producer");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->status(), DELIVERY_QUEUED);
  EXPECT_EQ(entry->queue_key(), queued[0].key);
  // The acknowledgement is pending: the message is not dead yet.
  auto state = store_->GetState(id);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->status(), QUEUED);
}

TEST_F(StoreFollowUpsTest, ALaterFollowUpSupersedesAPendingOneOfTheSameRoute) {
  const uint64_t id = IngestAndRoute(10);
  Outcome("dmp", AttemptResult::kDelivered, "ZAM-1");
  const std::string first_key = Tasks("producer").at(0).key;
  ASSERT_TRUE(store_->Replay(id, "dmp", "test").ok());
  std::vector<ActionEffect> effects = Outcome("dmp", AttemptResult::kDelivered, "ZAM-2");
  ASSERT_EQ(effects.size(), 1u);
  EXPECT_TRUE(effects[0].was_pending);

  std::vector<QueuedTask> queued = Tasks("producer");
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_NE(queued[0].key, first_key);
  EXPECT_EQ(store_->GetOutput(id, "zam:dmp")->payload(), "ZAM-2");
  auto state = store_->GetState(id);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->destinations_size(), 2);  // dmp and one producer entry
}

TEST_F(StoreFollowUpsTest, AnOutcomeForASupersededTaskQueuesNothing) {
  const uint64_t id = IngestAndRoute(10);
  std::vector<QueuedTask> tasks = Tasks("dmp");
  ASSERT_EQ(tasks.size(), 1u);
  ASSERT_TRUE(store_->Discard(id, "test").ok());
  DeliveryOutcome outcome;
  outcome.task = &tasks[0];
  outcome.follow_ups.push_back({"producer", "zam:dmp", RouteOutput()});
  std::vector<ActionEffect> effects;
  ASSERT_TRUE(store_->CommitDeliveryOutcomes("dmp", {&outcome, 1}, &effects).ok());
  EXPECT_TRUE(effects.empty());
  EXPECT_TRUE(Tasks("producer").empty());
}

TEST_F(StoreFollowUpsTest, AFollowUpToADestinationWithoutQueueFailsTheWholeBatch) {
  const uint64_t id = IngestAndRoute(10);
  std::vector<QueuedTask> tasks = Tasks("dmp");
  DeliveryOutcome outcome;
  outcome.task = &tasks.at(0);
  outcome.follow_ups.push_back({"nowhere", "zam:dmp", RouteOutput()});
  EXPECT_FALSE(store_->CommitDeliveryOutcomes("dmp", {&outcome, 1}).ok());
  // Neither the outcome nor the follow-up: the task is still pending.
  EXPECT_EQ(Tasks("dmp").size(), 1u);
  EXPECT_EQ(Entry(id, "dmp")->status(), DELIVERY_QUEUED);
}

}  // namespace
}  // namespace navette::store
