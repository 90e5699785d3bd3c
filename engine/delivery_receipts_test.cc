// Delivery receipts through the scheduler: what a destination returns with
// `delivered` is kept by the store, and a later destination of the same
// message finds it in its request.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <google/protobuf/wrappers.pb.h>

#include "common/clock.h"
#include "engine/delivery_scheduler.h"
#include "store/test_store.h"
#include "tests/support/store_inspector.h"

namespace navette::engine {
namespace {

// Delivers and hands back the document's id at the peer as its receipt.
class ReceiptDestination : public adapters::Destination {
 public:
  adapters::DeliveryResult Deliver(const adapters::DeliveryRequest&) override {
    google::protobuf::StringValue entry_uuid;
    entry_uuid.set_value("urn:uuid:0f1e");
    google::protobuf::Any receipt;
    receipt.PackFrom(entry_uuid);
    return adapters::DeliveryResult::Delivered("registered", receipt);
  }
};

// Delivers and records the receipts its requests carried.
class ReceiptReader : public adapters::Destination {
 public:
  adapters::DeliveryResult Deliver(const adapters::DeliveryRequest& request) override {
    std::lock_guard lock(mu_);
    seen_ = std::vector<store::DeliveryReceipt>(request.receipts.begin(), request.receipts.end());
    changed_.notify_all();
    return adapters::DeliveryResult::Delivered("ok");
  }
  std::optional<std::vector<store::DeliveryReceipt>> WaitForRequest(std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, timeout, [&] { return seen_.has_value(); });
    return seen_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::optional<std::vector<store::DeliveryReceipt>> seen_;
};

TEST(DeliveryReceipts, ALaterDestinationOfTheMessageSeesTheReceiptOfAnEarlierOne) {
  const std::filesystem::path dir = store::FreshStoreDir("navette-delivery-receipts");
  auto opened = store::Store::Open(dir.string());
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<store::Store> store = std::move(*opened);
  ASSERT_TRUE(store->EnsureQueues({"dmp", "ack"}).ok());
  const uint64_t id = 0x100;
  const navette::Envelope envelope = store::MakeTestEnvelope("c1");
  store::IngressRecord record{id, &envelope, "hash"};
  ASSERT_TRUE(store->CommitIngress({&record, 1}).ok());
  store::RoutedDelivery to_dmp{"r", "dmp", "", false, ""};
  store::RoutedDelivery to_ack{"r", "ack", "", false, ""};
  ASSERT_TRUE(store::CommitRouting(*store, id, {"r"}, {to_dmp, to_ack}, "v1").ok());

  // "dmp" delivers first; "ack" starts once its outcome is committed.
  ReceiptDestination dmp;
  DeliveryScheduler dmp_scheduler("dmp", dmp, *store, DeliveryPolicy{}, nullptr, Clock::System());
  ASSERT_TRUE(dmp_scheduler.Start(0).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool delivered = false;
  while (!delivered && std::chrono::steady_clock::now() < deadline) {
    auto state = store->GetState(id);
    ASSERT_TRUE(state.ok());
    delivered = state->destinations(0).status() == store::DELIVERY_DELIVERED;
    if (!delivered) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  dmp_scheduler.Stop();
  ASSERT_TRUE(delivered) << "dmp never delivered";

  ReceiptReader ack;
  DeliveryScheduler ack_scheduler("ack", ack, *store, DeliveryPolicy{}, nullptr, Clock::System());
  ASSERT_TRUE(ack_scheduler.Start(0).ok());
  auto seen = ack.WaitForRequest(std::chrono::seconds(20));
  ack_scheduler.Stop();
  ASSERT_TRUE(seen.has_value()) << "ack never got a request";
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ((*seen)[0].destination(), "dmp");
  EXPECT_EQ((*seen)[0].route(), "r");
  google::protobuf::StringValue body;
  ASSERT_TRUE((*seen)[0].body().UnpackTo(&body));
  EXPECT_EQ(body.value(), "urn:uuid:0f1e");

  store.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace navette::engine
