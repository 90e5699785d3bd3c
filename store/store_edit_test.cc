// An operator's resend (to a destination no route gave the message) and
// edit (a corrected message linked both ways to the original), each one
// batch with its history.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/message_id.h"
#include "store/store.h"
#include "store/test_store.h"
#include "tests/support/store_inspector.h"

namespace navette::store {
namespace {

class StoreEditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshStoreDir("navette-store-edit-test");
    auto opened = Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"outbox", "dmp"}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // A message routed to outbox only and delivered there.
  uint64_t Delivered(const std::string& control_id) {
    const uint64_t id = ids_.Next();
    navette::Envelope envelope = MakeTestEnvelope(control_id);
    IngressRecord record{id, &envelope, "hash-" + control_id};
    EXPECT_TRUE(store_->CommitIngress({&record, 1}).ok());
    RoutedDelivery delivery;
    delivery.route = "r1";
    delivery.destination = "outbox";
    EXPECT_TRUE(CommitRouting(*store_, id, {"r1"}, {delivery}, "v1").ok());
    auto tasks = store_->PeekQueue("outbox", "", 10);
    EXPECT_EQ(tasks->size(), 1u);
    EXPECT_TRUE(CommitDelivered(*store_, "outbox", tasks->back(), 10, "ok").ok());
    EXPECT_EQ(store_->GetState(id)->status(), DELIVERED);
    return id;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  MessageIdGenerator ids_;
};

TEST_F(StoreEditTest, ResendQueuesTheMessageAsReceivedForANewDestination) {
  const uint64_t id = Delivered("c1");
  auto effects = store_->Resend(id, "dmp", "olivia");
  ASSERT_TRUE(effects.ok()) << effects.status();
  ASSERT_EQ(effects->size(), 1u);
  EXPECT_EQ((*effects)[0].destination, "dmp");

  auto tasks = store_->PeekQueue("dmp", "", 10);
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ(tasks->front().task.message_id(), id);
  EXPECT_FALSE(tasks->front().task.has_output());  // as received
  auto state = store_->GetState(id);
  EXPECT_EQ(state->status(), QUEUED);
  ASSERT_EQ(state->destinations_size(), 2);
  EXPECT_EQ(state->destinations(1).destination(), "dmp");
  EXPECT_EQ(state->destinations(1).route(), kResendRoute);
  EXPECT_EQ(state->destinations(1).queue_key(), tasks->front().key);
  const Event last = store_->GetHistory(id)->back();
  EXPECT_EQ(last.type(), EVENT_RESENT);
  EXPECT_EQ(last.actor(), "olivia");
  EXPECT_EQ(last.destination(), "dmp");

  // Delivered there, it is like any delivery.
  ASSERT_TRUE(CommitDelivered(*store_, "dmp", tasks->front(), 10, "ok").ok());
  EXPECT_EQ(store_->GetState(id)->status(), DELIVERED);
}

TEST_F(StoreEditTest, ResendRefusesAnUnknownOrAlreadyUsedDestination) {
  const uint64_t id = Delivered("c1");
  auto unknown = store_->Resend(id, "nowhere", "olivia");
  ASSERT_TRUE(absl::IsInvalidArgument(unknown.status())) << unknown.status();
  EXPECT_NE(unknown.status().message().find("dmp, outbox"), std::string::npos);
  auto again = store_->Resend(id, "outbox", "olivia");
  ASSERT_TRUE(absl::IsFailedPrecondition(again.status())) << again.status();
  EXPECT_NE(again.status().message().find("messages replay"), std::string::npos);
  EXPECT_TRUE(absl::IsNotFound(store_->Resend(id + 1000, "dmp", "olivia").status()));
  EXPECT_TRUE(store_->PeekQueue("dmp", "", 10)->empty());
}

TEST_F(StoreEditTest, EditCommitsANewMessageLinkedBothWays) {
  const uint64_t original = Delivered("c1");
  const StoredMessage before = *store_->GetMessage(original);
  navette::Envelope corrected = MakeTestEnvelope("c1");
  corrected.set_raw("MSH|^~\\&|A|B|C|D|20240101||ORU^R01|c1|P|2.5\rPID|1||9\r");
  EditRecord edit;
  edit.original_id = original;
  edit.id = ids_.Next();
  edit.envelope = &corrected;
  edit.actor = "olivia";
  edit.changes = "PID added";
  ASSERT_TRUE(store_->CommitEdit(edit).ok());

  // The original: its journal entry as it was, its status, and the link.
  EXPECT_EQ(store_->GetMessage(original)->SerializeAsString(), before.SerializeAsString());
  auto old_state = store_->GetState(original);
  EXPECT_EQ(old_state->status(), DELIVERED);
  EXPECT_EQ(old_state->superseded_by(), edit.id);
  const Event old_event = store_->GetHistory(original)->back();
  EXPECT_EQ(old_event.type(), EVENT_EDITED);
  EXPECT_EQ(old_event.actor(), "olivia");
  EXPECT_EQ(old_event.detail(),
            "edited by olivia into " + FormatMessageId(edit.id) + ": PID added");

  // The new one: received, in the router queue, with its link back.
  auto new_state = store_->GetState(edit.id);
  EXPECT_EQ(new_state->status(), RECEIVED);
  EXPECT_EQ(new_state->edited_from(), original);
  EXPECT_EQ(store_->GetMessage(edit.id)->envelope().raw(), corrected.raw());
  auto queued = store_->PeekRouterQueue("", 10);
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ(queued->front().message_id, edit.id);
  auto history = store_->GetHistory(edit.id);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].type(), EVENT_RECEIVED);
  EXPECT_EQ((*history)[1].detail(),
            "edit of " + FormatMessageId(original) + " by olivia: PID added");

  // The sender's retransmission of the original is still recognised.
  auto entry = store_->LookupControlId("sgl", "c1");
  ASSERT_TRUE(entry->has_value());
  EXPECT_EQ((*entry)->message_id(), original);

  // Superseded: a second edit, a replay and a resend name its successor.
  const std::string successor = FormatMessageId(edit.id);
  EditRecord second = edit;
  second.id = ids_.Next();
  auto refused = store_->CommitEdit(second);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_NE(refused.message().find(successor), std::string::npos);
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->Replay(original, "", "olivia").status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->Resend(original, "dmp", "olivia").status()));
}

TEST_F(StoreEditTest, EditRefusesAMessageStillOnItsWay) {
  const uint64_t id = ids_.Next();
  navette::Envelope envelope = MakeTestEnvelope("c2");
  IngressRecord record{id, &envelope, "hash"};
  ASSERT_TRUE(store_->CommitIngress({&record, 1}).ok());
  EditRecord edit;
  edit.original_id = id;
  edit.id = ids_.Next();
  edit.envelope = &envelope;
  edit.actor = "olivia";
  auto refused = store_->CommitEdit(edit);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_TRUE(absl::IsNotFound(store_->GetState(edit.id).status()));
  EXPECT_EQ(store_->GetState(id)->superseded_by(), 0u);
}

}  // namespace
}  // namespace navette::store
