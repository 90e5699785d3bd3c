// Ingress against a real store, with a test DEALER socket as the adapter:
// the order of commit and confirm (no confirm before the batch's synced
// write returns; a failed write answers every publish of its batch with an
// error), and requests ingress cannot read, answered at once rather than
// left to the adapter's timeout.
#include "engine/ingress.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "adapters/bus/dealer_publisher.h"
#include "engine/intake_gate.h"
#include "proto/bus.pb.h"
#include "tests/support/fake_clock.h"

namespace navette::engine {
namespace {

using namespace std::chrono_literals;

// The real store behind a gate: while held, CommitIngress waits before
// writing; it can be told to fail instead of writing. Records each batch it
// was given, and the ids whose synced write has returned.
class HeldCommitter : public IngressCommitter {
 public:
  explicit HeldCommitter(store::Store& store) : store_(store) {}

  absl::StatusOr<std::optional<store::ControlIdEntry>> LookupControlId(
      std::string_view source, std::string_view control_id) const override {
    return store_.LookupControlId(source, control_id);
  }
  absl::Status CommitIngress(std::span<const store::IngressRecord> records) override {
    std::unique_lock lock(mu_);
    batch_sizes_.push_back(records.size());
    changed_.notify_all();
    changed_.wait(lock, [&] { return !held_; });
    if (failing_) return absl::UnavailableError("test: the disk is full");
    lock.unlock();
    absl::Status written = store_.CommitIngress(records);
    lock.lock();
    if (written.ok()) {
      for (const store::IngressRecord& record : records) durable_.insert(record.id);
    }
    return written;
  }

  void Hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    held_ = false;
    changed_.notify_all();
  }
  void Fail(bool failing) {
    std::lock_guard lock(mu_);
    failing_ = failing;
  }
  // Waits until `count` commits have been entered (held or not).
  bool WaitForCommits(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return batch_sizes_.size() >= count; });
  }
  std::vector<size_t> batch_sizes() const {
    std::lock_guard lock(mu_);
    return batch_sizes_;
  }
  bool durable(uint64_t id) const {
    std::lock_guard lock(mu_);
    return durable_.count(id) > 0;
  }

 private:
  store::Store& store_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool held_ = false;
  bool failing_ = false;
  std::vector<size_t> batch_sizes_;
  std::set<uint64_t> durable_;
};

navette::Envelope Message(const std::string& control_id) {
  navette::Envelope envelope;
  envelope.set_source("lab");
  envelope.set_received_at_us(1);
  envelope.set_raw("MSH|^~\\&|A|B|C|D|20240101||ORU^R01|" + control_id + "|P|2.5\r");
  envelope.set_content_type("application/hl7-v2");
  envelope.set_charset("UNICODE UTF-8");
  envelope.mutable_hl7()->set_control_id(control_id);
  envelope.mutable_hl7()->set_message_type("ORU^R01");
  envelope.mutable_hl7()->set_encoding_characters("|^~\\&");
  return envelope;
}

// What a header of raw Latin-1 bytes put in the envelope gave before the
// MLLP source decoded headers: a string field that is not UTF-8.
navette::Envelope NotUtf8Message(const std::string& control_id) {
  navette::Envelope envelope = Message(control_id);
  envelope.mutable_hl7()->set_sending_facility("H\xD4PITAL");
  return envelope;
}

class IngressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("navette-ingress-test-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto opened = store::Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    committer_ = std::make_unique<HeldCommitter>(*store_);
    IngressOptions options;
    options.clock = &clock_;
    options.intake_gate = &gate_;
    options.longest_hold = 60s;  // longer than any wait below: only progress lets a batch go
    ingress_ = std::make_unique<Ingress>(context_, *committer_, ids_, options, [] {});
    ASSERT_TRUE(ingress_->Start().ok());
    adapter_ = zmq::socket_t(context_, zmq::socket_type::dealer);
    adapter_.set(zmq::sockopt::linger, 0);
    adapter_.connect(kIngressInprocEndpoint);
  }
  void TearDown() override {
    committer_->Release();
    adapter_.close();
    ingress_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // inproc: once send returns, the request is in ingress's queue.
  void SendRaw(const std::string& payload) {
    ASSERT_TRUE(adapter_.send(zmq::buffer(payload), zmq::send_flags::none).has_value());
  }
  void Publish(uint64_t correlation, const navette::Envelope& envelope) {
    bus::BusRequest request;
    request.mutable_publish()->set_correlation(correlation);
    *request.mutable_publish()->mutable_envelope() = envelope;
    SendRaw(request.SerializeAsString());
  }
  // The next confirm, or nullopt when none comes within `timeout`.
  std::optional<bus::Confirm> NextConfirm(std::chrono::milliseconds timeout) {
    zmq::pollitem_t items[] = {{adapter_.handle(), 0, ZMQ_POLLIN, 0}};
    if (zmq::poll(items, 1, timeout) == 0) return std::nullopt;
    zmq::message_t frame;
    if (!adapter_.recv(frame, zmq::recv_flags::dontwait)) return std::nullopt;
    bus::BusReply reply;
    EXPECT_TRUE(reply.ParseFromArray(frame.data(), static_cast<int>(frame.size())));
    return reply.confirm();
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  IntakeGate gate_;
  zmq::context_t context_;
  std::unique_ptr<store::Store> store_;
  store::MessageIdGenerator ids_;
  std::unique_ptr<HeldCommitter> committer_;
  std::unique_ptr<Ingress> ingress_;
  zmq::socket_t adapter_;
};

TEST_F(IngressTest, NoConfirmLeavesBeforeTheSyncedWriteReturns) {
  constexpr uint64_t kCount = 5;
  committer_->Hold();
  for (uint64_t i = 1; i <= kCount; ++i) Publish(i, Message(fmt::format("HELD-{}", i)));
  ASSERT_TRUE(committer_->WaitForCommits(1, 10s));
  // The first batch is in CommitIngress, held before its write: a confirm
  // sent before the commit would already be here.
  EXPECT_FALSE(NextConfirm(500ms).has_value());

  committer_->Release();
  std::set<uint64_t> confirmed;
  for (uint64_t i = 1; i <= kCount; ++i) {
    auto confirm = NextConfirm(10s);
    ASSERT_TRUE(confirm.has_value()) << "confirm " << i << " of " << kCount;
    EXPECT_EQ(confirm->error(), "");
    ASSERT_NE(confirm->message_id(), 0u);
    // By the time a confirm arrives, the write that holds its message has
    // returned, and the message can be read back.
    EXPECT_TRUE(committer_->durable(confirm->message_id())) << confirm->correlation();
    EXPECT_TRUE(store_->GetMessage(confirm->message_id()).ok());
    confirmed.insert(confirm->correlation());
  }
  EXPECT_EQ(confirmed.size(), kCount);
}

// Backpressure (intake_gate.h): while a destination is past its backlog, a
// new message is not committed, so not confirmed, until the destination
// has moved some of its queue out.
TEST_F(IngressTest, ADestinationPastItsBacklogHoldsTheBatchUntilItMoves) {
  gate_.Report("files", true, 100);
  Publish(1, Message("HELD-BY-BACKLOG"));
  EXPECT_FALSE(committer_->WaitForCommits(1, 500ms));
  EXPECT_FALSE(NextConfirm(1ms).has_value());

  // The destination delivers, one message at a time, until the confirm
  // comes (whenever the ingress thread began to wait).
  std::optional<bus::Confirm> confirm;
  for (uint64_t left = 101; !confirm && left < 1100; ++left) {
    gate_.Report("files", true, left);
    confirm = NextConfirm(10ms);
  }
  ASSERT_TRUE(confirm.has_value());
  EXPECT_EQ(confirm->error(), "");
  EXPECT_TRUE(committer_->durable(confirm->message_id()));
  EXPECT_EQ(ingress_->stats().held, 1u);
}

TEST_F(IngressTest, AFailedCommitAnswersEveryMessageOfItsBatchWithAnError) {
  // A first publish holds the ingress thread in its commit while the batch
  // under test gathers behind it, so that all of it is one batch.
  constexpr uint64_t kCount = 10;
  committer_->Fail(true);
  committer_->Hold();
  Publish(100, Message("FIRST"));
  ASSERT_TRUE(committer_->WaitForCommits(1, 10s));
  for (uint64_t i = 1; i <= kCount; ++i) Publish(i, Message(fmt::format("FAIL-{}", i)));
  committer_->Release();

  std::set<uint64_t> refused;
  for (uint64_t i = 0; i <= kCount; ++i) {
    auto confirm = NextConfirm(10s);
    ASSERT_TRUE(confirm.has_value()) << "confirm " << i;
    // An error the adapter turns into AE: not permanent, no id.
    EXPECT_NE(confirm->error(), "");
    EXPECT_FALSE(confirm->permanent());
    EXPECT_EQ(confirm->message_id(), 0u);
    refused.insert(confirm->correlation());
  }
  EXPECT_EQ(refused.size(), kCount + 1);
  EXPECT_EQ(committer_->batch_sizes(), (std::vector<size_t>{1, kCount}));
  EXPECT_EQ(store_->LastMessageId(), 0u);

  // Sent again once the disk is back, each is a new message, not a
  // retransmission of something half-written.
  committer_->Fail(false);
  for (uint64_t i = 1; i <= kCount; ++i) Publish(i, Message(fmt::format("FAIL-{}", i)));
  for (uint64_t i = 1; i <= kCount; ++i) {
    auto confirm = NextConfirm(10s);
    ASSERT_TRUE(confirm.has_value());
    EXPECT_EQ(confirm->error(), "");
    EXPECT_NE(confirm->message_id(), 0u);
    EXPECT_FALSE(confirm->duplicate());
  }
}

// The retransmission window is measured on the injected clock from the
// original's receipt: the same bytes again exactly a window (24 h) later are
// a retransmission, confirmed with the original's id; a microsecond later
// they are a new message.
TEST_F(IngressTest, RetransmissionWindowEndsExactlyOnTheClock) {
  navette::Envelope original = Message("RETX");
  original.set_received_at_us(clock_.NowMicros());
  Publish(1, original);
  const std::optional<bus::Confirm> first = NextConfirm(10s);
  ASSERT_TRUE(first.has_value());
  ASSERT_NE(first->message_id(), 0u);
  EXPECT_FALSE(first->duplicate());

  clock_.Advance(24h);
  Publish(2, original);
  const std::optional<bus::Confirm> again = NextConfirm(10s);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->duplicate());
  EXPECT_EQ(again->message_id(), first->message_id());

  clock_.Advance(1us);
  Publish(3, original);
  const std::optional<bus::Confirm> late = NextConfirm(10s);
  ASSERT_TRUE(late.has_value());
  EXPECT_FALSE(late->duplicate());
  EXPECT_NE(late->message_id(), 0u);
  EXPECT_NE(late->message_id(), first->message_id());
  EXPECT_EQ(ingress_->stats().retransmissions, 1u);
}

TEST_F(IngressTest, AnUnreadablePublishIsRefusedAtOnceForGood) {
  Publish(7, NotUtf8Message("LATIN-1"));
  auto confirm = NextConfirm(5s);
  ASSERT_TRUE(confirm.has_value()) << "no answer: the adapter would wait for its timeout";
  EXPECT_EQ(confirm->correlation(), 7u);
  EXPECT_TRUE(confirm->permanent());
  EXPECT_EQ(confirm->message_id(), 0u);
  EXPECT_EQ(confirm->error(),
            "the engine cannot read the message's envelope: its field hl7.sending_facility is "
            "not valid UTF-8");
  EXPECT_EQ(ingress_->stats().refused, 1u);
  EXPECT_TRUE(committer_->batch_sizes().empty());  // nothing to commit

  // The next publish on the same socket is served as usual.
  Publish(8, Message("NEXT"));
  auto next = NextConfirm(10s);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->correlation(), 8u);
  EXPECT_EQ(next->error(), "");
}

TEST_F(IngressTest, ARequestWithoutCorrelationIsCountedAndIngressGoesOn) {
  SendRaw("\xFF\xFF\xFF not a protobuf");
  bus::BusRequest empty;  // parses, but is no publish
  SendRaw(empty.SerializeAsString());
  Publish(9, Message("AFTER"));
  auto confirm = NextConfirm(10s);
  ASSERT_TRUE(confirm.has_value());
  EXPECT_EQ(confirm->correlation(), 9u);
  EXPECT_EQ(confirm->error(), "");
  EXPECT_EQ(ingress_->stats().unreadable, 2u);
}

// Through the real publisher, as an adapter sees it: the refusal arrives as
// InvalidArgument (answered AR) long before the confirm timeout.
TEST_F(IngressTest, ThePublisherReportsAnUnreadablePublishAsRefused) {
  adapters::bus::DealerPublisher publisher(context_, kIngressInprocEndpoint, 60s);
  ASSERT_TRUE(publisher.Start().ok());
  std::promise<absl::Status> done;
  publisher.Publish(NotUtf8Message("LATIN-1"),
                    [&](absl::StatusOr<adapters::bus::PublishResult> result) {
                      done.set_value(result.status());
                    });
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  absl::Status status = future.get();
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_NE(status.message().find("hl7.sending_facility"), std::string_view::npos) << status;
  publisher.Stop();
}

}  // namespace
}  // namespace navette::engine
