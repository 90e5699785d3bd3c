// Shared by the store's identity tests (store_identity_test.cc,
// store_parking_test.cc, store_ins_index_test.cc): a store with an "outbox"
// queue, messages ingested, parked and routed, and readers of what they left.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "store/keys.h"
#include "store/message_id.h"
#include "store/store.h"
#include "store/test_store.h"
#include "tests/support/store_inspector.h"

namespace navette::store::identity_test {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

inline const std::string kPrior = std::string("P1\x1f") + "A";
inline const std::string kSurvivor = std::string("S\x1f") + "A";

inline RouteHold Hold(const std::string& route, const std::string& patient) {
  RouteHold hold;
  hold.set_route(route);
  hold.set_reason("identity not qualified (provisional)");
  hold.set_patient(patient);
  hold.set_at_us(1700000000000000);
  return hold;
}

inline identity::Identity Record(const std::string& ipp, identity::IdentityStatus status) {
  identity::Identity record;
  record.set_ipp(ipp);
  record.set_authority("A");
  record.set_status(status);
  if (status == identity::QUALIFIED) {
    record.mutable_ins()->set_matricule("279035121518989");
    record.mutable_ins()->set_oid("1.2.250.1.213.1.4.10");
  }
  return record;
}

inline identity::IdentityChange Change(uint64_t message_id, const std::string& trigger,
                                       const std::string& summary) {
  identity::IdentityChange change;
  change.set_at_us(1700000000000000);
  change.set_message_id(message_id);
  change.set_trigger(trigger);
  change.set_summary(summary);
  return change;
}

inline bool HasEvent(const std::vector<Event>& events, EventType type,
                     std::string_view detail_part) {
  return std::any_of(events.begin(), events.end(), [&](const Event& event) {
    return event.type() == type && event.detail().find(detail_part) != std::string::npos;
  });
}

class StoreIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshStoreDir("navette-store-identity-test");
    auto opened = Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"outbox"}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  uint64_t Ingest(const std::string& control_id, const std::string& type) {
    const uint64_t id = ids_.Next();
    navette::Envelope envelope;
    envelope.set_source("sil");
    envelope.set_received_at_us(1700000000000000);
    envelope.set_raw("MSH|^~\\&|A|B|C|D|20240101||" + type + "|" + control_id + "|P|2.5\r");
    envelope.mutable_hl7()->set_control_id(control_id);
    envelope.mutable_hl7()->set_message_type(type);
    IngressRecord record;
    record.id = id;
    record.envelope = &envelope;
    record.content_hash = "hash-" + control_id;
    EXPECT_TRUE(store_->CommitIngress({&record, 1}).ok());
    return id;
  }

  absl::Status Commit(const RoutingDecision& decision) {
    return store_->CommitRouting({&decision, 1}, "v1", [this] {
      tickets_.push_back(ids_.Next());
      return tickets_.back();
    });
  }

  // A document routed to "lab" and parked there under `patient`.
  uint64_t IngestParked(const std::string& control_id, const std::string& patient) {
    const uint64_t id = Ingest(control_id, "ORU^R01");
    RoutingDecision decision;
    decision.id = id;
    decision.routes = {"lab"};
    decision.parked = {Hold("lab", patient)};
    EXPECT_TRUE(Commit(decision).ok());
    return id;
  }

  // An ADT consumed by the "feed" route, carrying `update`.
  absl::Status CommitAdt(uint64_t id, IdentityUpdate update) {
    RoutingDecision decision;
    decision.id = id;
    decision.routes = {"feed"};
    decision.identity_update = std::move(update);
    return Commit(decision);
  }

  MessageState State(uint64_t id) {
    auto state = store_->GetState(id);
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? *state : MessageState();
  }
  std::vector<uint64_t> Parked(const std::string& patient) {
    auto parked = store_->ListParked(patient);
    EXPECT_TRUE(parked.ok()) << parked.status();
    return parked.ok() ? *parked : std::vector<uint64_t>();
  }
  std::vector<Event> History(uint64_t id) {
    auto history = store_->GetHistory(id);
    EXPECT_TRUE(history.ok()) << history.status();
    return history.ok() ? *history : std::vector<Event>();
  }
  std::vector<uint64_t> Listed(MessageStatus status) {
    auto listed = store_->Search({.status = status});
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<uint64_t> ids;
    if (listed.ok()) {
      for (const ListedMessage& message : listed->messages) ids.push_back(message.id);
    }
    return ids;
  }
  std::vector<RouterQueueEntry> RouterQueue() {
    auto entries = store_->PeekRouterQueue("", 100);
    EXPECT_TRUE(entries.ok()) << entries.status();
    return entries.ok() ? *entries : std::vector<RouterQueueEntry>();
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  MessageIdGenerator ids_;
  std::vector<uint64_t> tickets_;  // handed out by Commit's next_ticket_id
};

}  // namespace navette::store::identity_test
