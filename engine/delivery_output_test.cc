// What a destination gets of a route's output: the output's bytes in place of
// the raw message, and, when the route's steps made another kind of document
// (build_cda's CDA), its content type and document record with them.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>

#include "common/clock.h"
#include "engine/delivery_scheduler.h"
#include "store/test_store.h"

namespace navette::engine {
namespace {

// Delivers and keeps the envelope of the first request.
class EnvelopeRecorder : public adapters::Destination {
 public:
  adapters::DeliveryResult Deliver(const adapters::DeliveryRequest& request) override {
    std::lock_guard lock(mu_);
    if (!seen_) seen_ = request.message->envelope();
    changed_.notify_all();
    return adapters::DeliveryResult::Delivered("ok");
  }
  std::optional<navette::Envelope> WaitForRequest(std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, timeout, [&] { return seen_.has_value(); });
    return seen_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::optional<navette::Envelope> seen_;
};

class DeliveryOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = store::FreshStoreDir("navette-delivery-output");
    auto opened = store::Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"out"}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Message 0x100, from a profiled source (its envelope has a record),
  // routed by route "r" to "out" with `output`; what "out" is given.
  std::optional<navette::Envelope> DeliverOutput(const store::RouteOutput& output) {
    navette::Envelope envelope = store::MakeTestEnvelope("c1");
    envelope.set_content_type("application/hl7-v2");
    envelope.mutable_document()->set_profile("sgl");
    store::IngressRecord record{0x100, &envelope, "hash"};
    EXPECT_TRUE(store_->CommitIngress({&record, 1}).ok());
    store::RoutingDecision decision;
    decision.id = 0x100;
    decision.routes = {"r"};
    decision.deliveries.push_back({"r", "out", "", true, ""});
    decision.outputs.emplace_back("r", output);
    EXPECT_TRUE(store_->CommitRouting({&decision, 1}, "v1").ok());

    EnvelopeRecorder out;
    DeliveryScheduler scheduler("out", out, *store_, DeliveryPolicy{}, nullptr, Clock::System());
    EXPECT_TRUE(scheduler.Start(0).ok());
    auto seen = out.WaitForRequest(std::chrono::seconds(20));
    scheduler.Stop();
    return seen;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(DeliveryOutputTest, ACdaOutputComesWithItsContentTypeAndRecord) {
  store::RouteOutput output;
  output.set_payload("<ClinicalDocument/>");
  output.set_content_type("text/xml");
  output.mutable_document()->set_profile("sgl");
  output.mutable_document()->mutable_cda()->set_id("1.2.250.1.999.7.1");
  auto seen = DeliverOutput(output);
  ASSERT_TRUE(seen.has_value()) << "out never got a request";
  EXPECT_EQ(seen->raw(), "<ClinicalDocument/>");
  EXPECT_EQ(seen->content_type(), "text/xml");
  EXPECT_EQ(seen->document().cda().id(), "1.2.250.1.999.7.1");
}

TEST_F(DeliveryOutputTest, AnOutputThatChangedNeitherKeepsTheEnvelopesOwn) {
  store::RouteOutput output;
  output.set_payload("MSH|^~\\&|changed\r");
  auto seen = DeliverOutput(output);
  ASSERT_TRUE(seen.has_value()) << "out never got a request";
  EXPECT_EQ(seen->raw(), "MSH|^~\\&|changed\r");
  EXPECT_EQ(seen->content_type(), "application/hl7-v2");
  EXPECT_EQ(seen->document().profile(), "sgl");
  EXPECT_FALSE(seen->document().has_cda());
}

}  // namespace
}  // namespace navette::engine
