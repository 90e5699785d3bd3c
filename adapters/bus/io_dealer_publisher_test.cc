#include "adapters/bus/io_dealer_publisher.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "proto/bus.pb.h"

namespace navette::adapters::bus {
namespace {

using namespace std::chrono_literals;

// An io thread, and an "engine" ROUTER that the test answers by hand.
class IoDealerPublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_ = zmq::socket_t(context_, zmq::socket_type::router);
    router_.bind("inproc://io-dealer-test");
  }
  void TearDown() override {
    io_.stop();
    if (io_thread_.joinable()) io_thread_.join();
    publisher_.reset();  // after the io thread: as the contract requires
  }
  void StartIo(std::chrono::milliseconds timeout = 30s) {
    auto publisher = IoDealerPublisher::Connect(context_, "inproc://io-dealer-test", io_, timeout);
    ASSERT_TRUE(publisher.ok()) << publisher.status();
    publisher_ = std::move(*publisher);
    io_thread_ = std::thread([this] {
      io_thread_id_ = std::this_thread::get_id();
      auto guard = asio::make_work_guard(io_);
      io_.run();
    });
  }
  // Publishes on the io thread; the future gets the result and whether the
  // callback ran on the io thread.
  std::future<std::pair<absl::StatusOr<PublishResult>, bool>> Publish(
      const std::string& control_id) {
    auto promise = std::make_shared<std::promise<std::pair<absl::StatusOr<PublishResult>, bool>>>();
    auto future = promise->get_future();
    asio::post(io_, [this, control_id, promise] {
      navette::Envelope envelope;
      envelope.mutable_hl7()->set_control_id(control_id);
      publisher_->Publish(envelope, [this, promise](absl::StatusOr<PublishResult> result) {
        promise->set_value({std::move(result), std::this_thread::get_id() == io_thread_id_});
      });
    });
    return future;
  }
  // Receives one publish on the ROUTER: (identity, request).
  std::pair<std::string, navette::bus::BusRequest> ReceivePublish() {
    zmq::message_t identity, payload;
    EXPECT_TRUE(router_.recv(identity));
    EXPECT_TRUE(router_.recv(payload));
    navette::bus::BusRequest request;
    EXPECT_TRUE(request.ParseFromArray(payload.data(), static_cast<int>(payload.size())));
    return {identity.to_string(), request};
  }
  void Confirm(const std::string& identity, uint64_t correlation, uint64_t id,
               const std::string& error = "", bool permanent = false, bool paused = false) {
    navette::bus::BusReply reply;
    reply.mutable_confirm()->set_correlation(correlation);
    reply.mutable_confirm()->set_message_id(id);
    reply.mutable_confirm()->set_error(error);
    reply.mutable_confirm()->set_permanent(permanent);
    reply.mutable_confirm()->set_intake_paused(paused);
    router_.send(zmq::buffer(identity), zmq::send_flags::sndmore);
    router_.send(zmq::buffer(reply.SerializeAsString()), zmq::send_flags::none);
  }

  zmq::context_t context_;
  zmq::socket_t router_;
  asio::io_context io_;
  std::unique_ptr<IoDealerPublisher> publisher_;
  std::thread io_thread_;
  std::thread::id io_thread_id_;
};

TEST_F(IoDealerPublisherTest, ConfirmsReachTheirPublishOnTheIoThread) {
  StartIo();
  constexpr int kCount = 200;
  std::vector<std::future<std::pair<absl::StatusOr<PublishResult>, bool>>> futures;
  for (int i = 0; i < kCount; ++i) futures.push_back(Publish("c" + std::to_string(i)));
  // Answer out of order, in bursts, as a batching engine does.
  std::vector<std::pair<std::string, navette::bus::BusRequest>> received;
  for (int i = 0; i < kCount; ++i) received.push_back(ReceivePublish());
  for (int i = kCount - 1; i >= 0; --i) {
    const auto& [identity, request] = received[i];
    const int index = std::stoi(request.publish().envelope().hl7().control_id().substr(1));
    if (index == 7) {
      Confirm(identity, request.publish().correlation(), 0, "the engine could not store it");
    } else if (index == 8) {
      Confirm(identity, request.publish().correlation(), 0, "the engine cannot read it", true);
    } else if (index == 9) {
      Confirm(identity, request.publish().correlation(), 0, "intake paused", false, true);
    } else {
      Confirm(identity, request.publish().correlation(), 1000 + index);
    }
  }
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(futures[i].wait_for(10s), std::future_status::ready) << i;
    auto [result, on_io_thread] = futures[i].get();
    EXPECT_TRUE(on_io_thread);
    if (i == 7) {  // transient: the sender is to send it again
      EXPECT_TRUE(absl::IsUnavailable(result.status())) << result.status();
      EXPECT_EQ(result.status().message(), "the engine could not store it");
      continue;
    }
    if (i == 8) {  // permanent: the message itself is refused, with the engine's reason
      EXPECT_TRUE(absl::IsInvalidArgument(result.status())) << result.status();
      EXPECT_EQ(result.status().message(), "the engine cannot read it");
      continue;
    }
    if (i == 9) {  // intake paused: to send again later, in the engine's words
      EXPECT_TRUE(absl::IsResourceExhausted(result.status())) << result.status();
      EXPECT_EQ(result.status().message(), "intake paused");
      continue;
    }
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->message_id, 1000u + i);
  }
}

TEST_F(IoDealerPublisherTest, UnconfirmedPublishFailsAfterTheTimeout) {
  StartIo(200ms);
  auto future = Publish("lost");
  ReceivePublish();  // the engine takes it and never answers
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  auto [result, on_io_thread] = future.get();
  EXPECT_TRUE(absl::IsDeadlineExceeded(result.status())) << result.status();
}

TEST_F(IoDealerPublisherTest, DestructionFailsWhatIsStillInFlight) {
  StartIo();
  auto future = Publish("pending");
  ReceivePublish();
  io_.stop();
  io_thread_.join();
  publisher_.reset();
  ASSERT_EQ(future.wait_for(1s), std::future_status::ready);
  EXPECT_TRUE(absl::IsUnavailable(future.get().first.status()));
}

}  // namespace
}  // namespace navette::adapters::bus
