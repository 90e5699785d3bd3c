#include "adapters/mllp/server.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "adapters/hl7v2/ack.h"
#include "adapters/hl7v2/header.h"
#include "adapters/hl7v2/message_view.h"
#include "adapters/hl7v2/test_fixtures.h"
#include "adapters/mllp/client.h"
#include "adapters/mllp/frame.h"
#include "adapters/mllp/server_test_support.h"
#include "tests/support/loopback_peer.h"

namespace navette::adapters::mllp {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;
using namespace std::chrono_literals;

std::string Message(std::string_view control_id, std::string_view extra_segments = "") {
  return fmt::format(
      "MSH|^~\\&|GAM|CHU-X|DPI|CHU-X|20240306111154||ADT^A01^ADT_A01|{}|P|2.5\r"
      "EVN||20240306111154\rPID|1||000003^^^CHU-X&000897406&N^PI\r{}",
      control_id, extra_segments);
}

// Polls `condition` until it holds, for at most kArrival.
bool WaitUntil(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + kArrival;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

hl7v2::AckResult ParsedAck(const absl::StatusOr<std::string>& frame) {
  EXPECT_TRUE(frame.ok()) << frame.status();
  if (!frame.ok()) return {};
  auto ack = hl7v2::ParseAck(*frame);
  EXPECT_TRUE(ack.ok()) << ack.status() << " in " << *frame;
  return ack.value_or(hl7v2::AckResult{});
}

navette::Hl7Header AckHeader(const std::string& frame) {
  auto view = hl7v2::MessageView::Parse(frame);
  EXPECT_TRUE(view.ok()) << view.status();
  if (!view.ok()) return {};
  return hl7v2::ReadHeaderFields(*view);
}

class MllpServerTest : public ::testing::Test {
 protected:
  void TearDown() override { server_.reset(); }

  void StartServer(MllpServerOptions options = {}) {
    options.source_name = "lab";
    options.listen_host = "127.0.0.1";
    options.listen_port = 0;
    server_ = std::make_unique<MllpServer>(options, publisher_);
    absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
    ASSERT_NE(server_->port(), 0);
  }

  std::unique_ptr<MllpClient> Connect() {
    auto client = MllpClient::Connect("127.0.0.1", server_->port(), kArrival);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::move(*client) : nullptr;
  }

  ScopedLogCapture log_;     // outlives server_, which logs until it stops
  FakePublisher publisher_;  // outlives server_
  std::unique_ptr<MllpServer> server_;
};

TEST_F(MllpServerTest, AcknowledgesWithSwappedApplicationsAfterPublishing) {
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  std::string message = Message("CTRL-1");
  auto before = std::chrono::system_clock::now();
  auto frame = client->Exchange(message, kArrival);
  auto after = std::chrono::system_clock::now();
  auto ack = ParsedAck(frame);
  EXPECT_EQ(ack.code, "AA");
  EXPECT_EQ(ack.control_id, "CTRL-1");
  navette::Hl7Header header = AckHeader(*frame);
  EXPECT_EQ(header.sending_application(), "DPI");
  EXPECT_EQ(header.receiving_application(), "GAM");
  EXPECT_EQ(header.message_type(), "ACK^A01^ACK");
  EXPECT_THAT(header.control_id(), MatchesRegex("NAV[0-9]+"));

  auto envelopes = publisher_.envelopes();
  ASSERT_EQ(envelopes.size(), 1u);
  const navette::Envelope& envelope = envelopes[0];
  EXPECT_EQ(envelope.source(), "lab");
  EXPECT_EQ(envelope.raw(), message);
  EXPECT_EQ(envelope.content_type(), "application/hl7-v2");
  EXPECT_EQ(envelope.charset(), "UNICODE UTF-8");
  EXPECT_EQ(envelope.hl7().control_id(), "CTRL-1");
  EXPECT_EQ(envelope.hl7().message_type(), "ADT^A01^ADT_A01");
  EXPECT_THAT(envelope.peer(), MatchesRegex("127\\.0\\.0\\.1:[0-9]+"));
  auto micros = [](auto time) {
    return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  };
  EXPECT_GE(envelope.received_at_us(), micros(before));
  EXPECT_LE(envelope.received_at_us(), micros(after));
}

TEST_F(MllpServerTest, AcknowledgesTheCorpusSamples) {
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  struct Sample {
    const char* file;
    const char* control_id;
    const char* charset;
  };
  for (const Sample& sample : {Sample{"oru_r01_cr_bio_init.hl7", "015", "UNICODE UTF-8"},
                               Sample{"adt_a01_sgl_admission.er7", "3975", "UNICODE UTF-8"},
                               Sample{"mdm_t02_cr_radio_init.er7", "015", "UNICODE UTF-8"},
                               Sample{"zam_z01_reception_dmp.hl7", "017", "UNICODE UTF-8"}}) {
    std::string message = NormalizeSegmentTerminators(hl7v2::testing::ReadHl7Fixture(sample.file));
    auto ack = ParsedAck(client->Exchange(message, kArrival));
    EXPECT_EQ(ack.code, "AA") << sample.file;
    EXPECT_EQ(ack.control_id, sample.control_id) << sample.file;
    auto envelopes = publisher_.envelopes();
    ASSERT_FALSE(envelopes.empty());
    EXPECT_EQ(envelopes.back().raw(), message) << sample.file;
    EXPECT_EQ(envelopes.back().charset(), sample.charset) << sample.file;
  }
}

TEST_F(MllpServerTest, DoesNotAcknowledgeBeforeThePublishCompletes) {
  publisher_.set_mode(FakePublisher::Mode::kHold);
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->SendRaw(EncodeFrame(Message("HELD-1"))).ok());
  ASSERT_TRUE(publisher_.WaitForHeld(1));

  auto early = client->ReadFrame(kAbsence);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kDeadlineExceeded) << early.status();

  publisher_.ReleaseHeld();
  auto ack = ParsedAck(client->ReadFrame(kArrival));
  EXPECT_EQ(ack.code, "AA");
  EXPECT_EQ(ack.control_id, "HELD-1");
}

TEST_F(MllpServerTest, AnswersAeWhenThePublishFails) {
  publisher_.set_mode(FakePublisher::Mode::kFail);
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  auto frame = client->Exchange(Message("FAIL-1"), kArrival);
  auto ack = ParsedAck(frame);
  EXPECT_EQ(ack.code, "AE");
  EXPECT_EQ(ack.control_id, "FAIL-1");
  EXPECT_EQ(ack.condition_code, 207);
  EXPECT_EQ(ack.text, "message could not be stored; send it again");
  EXPECT_THAT(*frame, HasSubstr("\rERR|||207^Application internal error^HL70357|E||||"));
  EXPECT_TRUE(log_->WaitFor("message MSH-10 FAIL-1 not stored, answering AE"));
  EXPECT_TRUE(log_->WaitFor("disk full"));
}

TEST_F(MllpServerTest, ClosesAConnectionThatSendsBytesBeforeAStartBlock) {
  StartServer();
  auto bad = Connect();
  auto good = Connect();
  ASSERT_NE(bad, nullptr);
  ASSERT_NE(good, nullptr);

  ASSERT_TRUE(bad->SendRaw("GET / HTTP/1.1\r\n\r\n" + EncodeFrame(Message("BAD-1"))).ok());
  EXPECT_TRUE(bad->PeerClosed(kArrival));
  EXPECT_TRUE(publisher_.envelopes().empty());
  EXPECT_TRUE(log_->WaitFor("byte 0x47 before a start block (0x0B)"));

  auto ack = ParsedAck(good->Exchange(Message("GOOD-1"), kArrival));
  EXPECT_EQ(ack.code, "AA");
  EXPECT_EQ(ack.control_id, "GOOD-1");
  ASSERT_EQ(publisher_.envelopes().size(), 1u);
  EXPECT_EQ(publisher_.envelopes()[0].hl7().control_id(), "GOOD-1");
}

TEST_F(MllpServerTest, ClosesOnAStartBlockInsideAFrame) {
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client
                  ->SendRaw("\x0B"
                            "MSH|^~\\&|\x0B")
                  .ok());
  EXPECT_TRUE(client->PeerClosed(kArrival));
  EXPECT_TRUE(publisher_.envelopes().empty());
}

// Records the reasons passed to MllpServerOptions::on_rejected (io thread).
class RejectionLog {
 public:
  std::function<void(std::string_view)> Callback() {
    return [this](std::string_view reason) {
      {
        std::lock_guard lock(mutex_);
        reasons_.emplace_back(reason);
      }
      changed_.notify_all();
    };
  }
  bool WaitForCount(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kArrival, [&] { return reasons_.size() >= count; });
  }
  std::vector<std::string> reasons() {
    std::lock_guard lock(mutex_);
    return reasons_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> reasons_;
};

TEST_F(MllpServerTest, PublishesNothingFromAFrameTruncatedByClose) {
  RejectionLog rejections;
  MllpServerOptions options;
  options.on_rejected = rejections.Callback();
  StartServer(options);
  std::string partial = std::string(1, kStartBlock) + Message("TRUNC-1");
  {
    auto client = Connect();
    ASSERT_NE(client, nullptr);
    ASSERT_TRUE(client->SendRaw(partial).ok());
  }  // closed without the end block
  EXPECT_TRUE(log_->WaitFor(
      fmt::format("frame truncated by peer close after {} bytes", partial.size() - 1)));
  EXPECT_TRUE(publisher_.envelopes().empty());
  ASSERT_TRUE(rejections.WaitForCount(1));
  EXPECT_THAT(rejections.reasons(), ::testing::ElementsAre("truncated"));
}

TEST_F(MllpServerTest, CountsAFrameLeftUnfinishedUntilTheIdleTimeout) {
  RejectionLog rejections;
  MllpServerOptions options;
  options.idle_timeout = 100ms;
  options.on_rejected = rejections.Callback();
  StartServer(options);
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->SendRaw(std::string(1, kStartBlock) + Message("STALL-1")).ok());
  EXPECT_TRUE(client->PeerClosed(kArrival));
  ASSERT_TRUE(rejections.WaitForCount(1));
  EXPECT_THAT(rejections.reasons(), ::testing::ElementsAre("truncated"));
  EXPECT_TRUE(log_->WaitFor("closing connection idle for 100 ms, frame truncated after"));
  EXPECT_TRUE(publisher_.envelopes().empty());
}

TEST_F(MllpServerTest, RefusesAnOversizeMessageAndKeepsTheConnection) {
  MllpServerOptions options;
  options.max_message_bytes = 1024;
  StartServer(options);
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  std::string big = Message("BIG-1", "OBX|1|ED|" + std::string(4000, 'A') + "\r");
  auto ack = ParsedAck(client->Exchange(big, kArrival));
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.control_id, "BIG-1");
  EXPECT_EQ(ack.condition_code, 207);
  EXPECT_EQ(ack.text,
            fmt::format("message of {} bytes exceeds the limit of 1024 bytes", big.size()));
  EXPECT_TRUE(publisher_.envelopes().empty());

  auto next = ParsedAck(client->Exchange(Message("SMALL-1"), kArrival));
  EXPECT_EQ(next.code, "AA");
  EXPECT_EQ(next.control_id, "SMALL-1");
  EXPECT_EQ(publisher_.envelopes().size(), 1u);
}

TEST_F(MllpServerTest, RefusesWhatIsNotHl7) {
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  auto ack = ParsedAck(client->Exchange("<ClinicalDocument xmlns=\"urn:hl7-org:v3\"/>", kArrival));
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.condition_code, 100);
  EXPECT_THAT(ack.text, HasSubstr("must start with \"MSH\""));
  EXPECT_TRUE(publisher_.envelopes().empty());

  auto bad_segment = ParsedAck(client->Exchange(Message("SEG-1", "p!d|1\r"), kArrival));
  EXPECT_EQ(bad_segment.code, "AR");
  EXPECT_EQ(bad_segment.condition_code, 100);
  EXPECT_THAT(bad_segment.text, HasSubstr("segment 4 (\"p!d\"): invalid segment id"));
  EXPECT_TRUE(publisher_.envelopes().empty());
}

TEST_F(MllpServerTest, RefusesAnEmptyMessage) {
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  for (std::string_view empty : {"", "\r", "\r\n"}) {
    auto ack = ParsedAck(client->Exchange(empty, kArrival));
    EXPECT_EQ(ack.code, "AR");
    EXPECT_EQ(ack.condition_code, 100);
    EXPECT_EQ(ack.text, "empty message: no MSH segment");
  }
  EXPECT_TRUE(publisher_.envelopes().empty());
}

TEST_F(MllpServerTest, RefusesAMissingControlId) {
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  auto frame =
      client->Exchange("MSH|^~\\&|GAM|CHU-X|DPI|CHU-X|20240306||ADT^A01||P|2.5\r", kArrival);
  auto ack = ParsedAck(frame);
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.condition_code, 101);
  EXPECT_EQ(ack.text, "MSH-10 (message control id) is empty");
  EXPECT_THAT(*frame, HasSubstr("\rERR||MSH^1^10|101^"));
  EXPECT_TRUE(publisher_.envelopes().empty());
}

TEST_F(MllpServerTest, ReportsEachRefusalWithItsReason) {
  std::mutex mutex;
  std::vector<std::string> reasons;
  MllpServerOptions options;
  options.max_message_bytes = 1024;
  options.on_rejected = [&](std::string_view reason) {
    std::lock_guard lock(mutex);
    reasons.emplace_back(reason);
  };
  StartServer(options);
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  // Each refusal is reported before its answer is written, so it is recorded
  // by the time the answer arrives.
  EXPECT_EQ(ParsedAck(client->Exchange("not hl7", kArrival)).code, "AR");
  EXPECT_EQ(ParsedAck(client->Exchange("\r", kArrival)).code, "AR");
  EXPECT_EQ(ParsedAck(client->Exchange("MSH|^~\\&|GAM|CHU-X|DPI|CHU-X|20240306||ADT^A01||P|2.5\r",
                                       kArrival))
                .code,
            "AR");
  EXPECT_EQ(
      ParsedAck(client->Exchange(Message("BIG-1", std::string(2000, 'A') + "\r"), kArrival)).code,
      "AR");
  publisher_.set_mode(FakePublisher::Mode::kFail);
  EXPECT_EQ(ParsedAck(client->Exchange(Message("FAIL-1"), kArrival)).code, "AE");
  ASSERT_TRUE(client->SendRaw("GET / HTTP/1.1\r\n").ok());
  EXPECT_TRUE(client->PeerClosed(kArrival));

  std::lock_guard lock(mutex);
  EXPECT_THAT(reasons, ::testing::ElementsAre("not_hl7", "empty", "bad_header", "too_large",
                                              "publish_failed", "framing"));
}

TEST_F(MllpServerTest, AnswersInTheSenderDelimiters) {
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  struct Case {
    std::string message;
    std::string ack_start;
  };
  for (const Case& test_case : {
           Case{"MSH|^~\\&#|GAM|CHU-X|DPI|CHU-X|20240306||ADT^A01^ADT_A01|TRUNC-7|P|2.7\r",
                "MSH|^~\\&#|DPI|CHU-X|GAM|CHU-X|"},
           Case{"MSH*^~\\&*GAM*CHU-X*DPI*CHU-X*20240306**ADT^A01^ADT_A01*STAR-1*P*2.5\r",
                "MSH*^~\\&*DPI*CHU-X*GAM*CHU-X*"},
           Case{"MSH|!@#$|GAM|CHU-X|DPI|CHU-X|20240306||ADT!A01!ADT_A01|ODD-1|P|2.5\r",
                "MSH|!@#$|DPI|CHU-X|GAM|CHU-X|"},
       }) {
    auto frame = client->Exchange(test_case.message, kArrival);
    ASSERT_TRUE(frame.ok()) << frame.status();
    EXPECT_THAT(*frame, StartsWith(test_case.ack_start));
    auto ack = ParsedAck(frame);
    EXPECT_EQ(ack.code, "AA") << *frame;
    EXPECT_EQ(AckHeader(*frame).message_type(),
              fmt::format("ACK{0}A01{0}ACK", test_case.ack_start[4]));
  }
  EXPECT_EQ(publisher_.envelopes().size(), 3u);
}

TEST_F(MllpServerTest, AnswersFramesOfOneWriteInOrderOneAtATime) {
  publisher_.set_mode(FakePublisher::Mode::kHold);
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->SendRaw(EncodeFrame(Message("FIRST")) + EncodeFrame(Message("SECOND"))).ok());

  // The second frame is not handed over while the first is unanswered.
  ASSERT_TRUE(publisher_.WaitForHeld(1));
  EXPECT_EQ(client->ReadFrame(kAbsence).status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(publisher_.envelopes().size(), 1u);

  publisher_.ReleaseHeld();
  EXPECT_EQ(ParsedAck(client->ReadFrame(kArrival)).control_id, "FIRST");
  ASSERT_TRUE(publisher_.WaitForHeld(1));
  publisher_.ReleaseHeld();
  EXPECT_EQ(ParsedAck(client->ReadFrame(kArrival)).control_id, "SECOND");

  auto envelopes = publisher_.envelopes();
  ASSERT_EQ(envelopes.size(), 2u);
  EXPECT_EQ(envelopes[0].hl7().control_id(), "FIRST");
  EXPECT_EQ(envelopes[1].hl7().control_id(), "SECOND");
}

TEST_F(MllpServerTest, AnswersEveryFrameOfOneWrite) {
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  std::string burst;
  for (int i = 0; i < 10; ++i) burst += EncodeFrame(Message(fmt::format("B{}", i))) + "\r\n";
  ASSERT_TRUE(client->SendRaw(burst).ok());
  for (int i = 0; i < 10; ++i) {
    auto ack = ParsedAck(client->ReadFrame(kArrival));
    EXPECT_EQ(ack.code, "AA");
    EXPECT_EQ(ack.control_id, fmt::format("B{}", i));
  }
}

TEST_F(MllpServerTest, AnswersAfterTheSenderHalfCloses) {
  publisher_.set_mode(FakePublisher::Mode::kSucceedFromThread);
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(
      client->SendRaw(EncodeFrame(Message("HALF-1")) + EncodeFrame(Message("HALF-2"))).ok());
  ASSERT_TRUE(client->ShutdownSend().ok());
  EXPECT_EQ(ParsedAck(client->ReadFrame(kArrival)).control_id, "HALF-1");
  EXPECT_EQ(ParsedAck(client->ReadFrame(kArrival)).control_id, "HALF-2");
  EXPECT_TRUE(client->PeerClosed(kArrival));
}

TEST_F(MllpServerTest, ServesManyConcurrentConnections) {
  publisher_.set_mode(FakePublisher::Mode::kSucceedFromThread);
  StartServer();
  constexpr int kClients = 32;
  constexpr int kMessages = 20;
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      auto client = MllpClient::Connect("127.0.0.1", server_->port(), kArrival);
      ASSERT_TRUE(client.ok()) << client.status();
      for (int i = 0; i < kMessages; ++i) {
        std::string id = fmt::format("C{}-{}", t, i);
        auto frame = (*client)->Exchange(Message(id), kArrival);
        ASSERT_TRUE(frame.ok()) << id << ": " << frame.status();
        auto ack = hl7v2::ParseAck(*frame);
        ASSERT_TRUE(ack.ok()) << ack.status();
        EXPECT_EQ(ack->code, "AA") << id;
        EXPECT_EQ(ack->control_id, id);
        if (ack->code == "AA" && ack->control_id == id) ++accepted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), kClients * kMessages);
  EXPECT_EQ(publisher_.envelopes().size(), static_cast<size_t>(kClients * kMessages));
}

TEST_F(MllpServerTest, ClosesConnectionsOverTheLimit) {
  RejectionLog rejections;
  MllpServerOptions options;
  options.max_connections = 1;
  options.on_rejected = rejections.Callback();
  StartServer(options);
  auto first = Connect();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(ParsedAck(first->Exchange(Message("ONE"), kArrival)).code, "AA");  // now counted

  auto second = Connect();
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(second->PeerClosed(kArrival));
  EXPECT_TRUE(log_->WaitFor("refusing connection over the limit of 1 connections"));
  ASSERT_TRUE(rejections.WaitForCount(1));
  EXPECT_THAT(rejections.reasons(), ::testing::ElementsAre("connection_limit"));

  EXPECT_EQ(ParsedAck(first->Exchange(Message("TWO"), kArrival)).code, "AA");
}

// One peer (127.0.0.2) tries to take every slot with idle connections: it gets
// its share, the rest of its connections are closed at once, and another
// peer (127.0.0.1) is still served.
TEST_F(MllpServerTest, OnePeerHoldingIdleConnectionsCannotLockOthersOut) {
  RejectionLog rejections;
  MllpServerOptions options;
  options.max_connections = 8;
  options.max_connections_per_peer = 3;
  options.on_rejected = rejections.Callback();
  StartServer(options);

  std::vector<testing::LoopbackPeer> greedy;
  for (size_t i = 0; i < options.max_connections; ++i) {
    auto peer = testing::LoopbackPeer::Connect("127.0.0.2", server_->port());
    ASSERT_TRUE(peer.ok()) << peer.status();
    greedy.push_back(std::move(*peer));
  }
  // Accepted in the order they connected: the first three are held, the
  // others refused.
  for (size_t i = options.max_connections_per_peer; i < greedy.size(); ++i) {
    EXPECT_TRUE(greedy[i].ClosedByServer(kArrival)) << "connection " << i;
  }
  for (size_t i = 0; i < options.max_connections_per_peer; ++i) {
    EXPECT_FALSE(greedy[i].ClosedByServer(kAbsence)) << "connection " << i;
  }

  auto other = Connect();
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(ParsedAck(other->Exchange(Message("OTHER-1"), kArrival)).code, "AA");

  const size_t refused = options.max_connections - options.max_connections_per_peer;
  ASSERT_TRUE(rejections.WaitForCount(refused));
  EXPECT_EQ(rejections.reasons(), std::vector<std::string>(refused, "peer_connection_limit"));
}

TEST_F(MllpServerTest, APeerGetsItsSlotBackWhenItsConnectionCloses) {
  MllpServerOptions options;
  options.max_connections_per_peer = 1;
  StartServer(options);
  // Each connection is closed before the next; the server may see the close
  // a moment after the next connects, which it then refuses: try again.
  for (int round = 0; round < 5; ++round) {
    const std::string id = fmt::format("ROUND-{}", round);
    EXPECT_TRUE(WaitUntil([&] {
      auto client = MllpClient::Connect("127.0.0.1", server_->port(), kArrival);
      if (!client.ok()) return false;
      auto frame = (*client)->Exchange(Message(id), kArrival);
      return frame.ok() && ParsedAck(frame).code == "AA";
    })) << id;
  }
}

TEST_F(MllpServerTest, LogsRefusedConnectionsOnceThenAsACountPerInterval) {
  RejectionLog rejections;
  MllpServerOptions options;
  options.max_connections_per_peer = 1;
  options.refusal_log_interval = 500ms;
  options.on_rejected = rejections.Callback();
  StartServer(options);

  constexpr int kRefused = 20;
  auto held = testing::LoopbackPeer::Connect("127.0.0.2", server_->port());
  ASSERT_TRUE(held.ok()) << held.status();
  for (int i = 0; i < kRefused; ++i) {
    auto refused = testing::LoopbackPeer::Connect("127.0.0.2", server_->port());
    ASSERT_TRUE(refused.ok()) << refused.status();
    EXPECT_TRUE(refused->ClosedByServer(kArrival));
  }
  ASSERT_TRUE(rejections.WaitForCount(kRefused));

  // Every refusal is accounted for, in far fewer lines than refusals: one at
  // the first of a run, then one count per interval.
  static const std::regex kSummary(
      R"(mllp source lab: refused (\d+) more connections from 127\.0\.0\.2 over the per-peer )"
      R"(limit of 1 in the last 500 ms)");
  int accounted = 0, lines = 0;
  EXPECT_TRUE(WaitUntil([&] {
    accounted = lines = 0;
    for (const std::string& line : log_->lines()) {
      std::smatch match;
      if (line.starts_with("mllp source lab: refusing connection from 127.0.0.2 over the "
                           "per-peer limit of 1 (peer 127.0.0.2:") &&
          line.ends_with("); further refusals like it are counted and logged every 500 ms")) {
        ++accounted;
        ++lines;
      } else if (std::regex_match(line, match, kSummary)) {
        accounted += std::stoi(match[1]);
        ++lines;
      }
    }
    return accounted == kRefused;
  })) << accounted;
  EXPECT_LT(lines, kRefused / 2);
}

TEST_F(MllpServerTest, ClosesIdleConnections) {
  MllpServerOptions options;
  options.idle_timeout = 100ms;
  StartServer(options);
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->PeerClosed(kArrival));
  EXPECT_TRUE(log_->WaitFor("closing connection idle for 100 ms"));
}

TEST_F(MllpServerTest, KeepsABusyConnectionOpenPastTheIdleTimeout) {
  publisher_.set_mode(FakePublisher::Mode::kHold);
  MllpServerOptions options;
  options.idle_timeout = 100ms;
  StartServer(options);
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->SendRaw(EncodeFrame(Message("SLOW-1"))).ok());
  ASSERT_TRUE(publisher_.WaitForHeld(1));
  EXPECT_FALSE(client->PeerClosed(3 * options.idle_timeout));
  publisher_.ReleaseHeld();
  EXPECT_EQ(ParsedAck(client->ReadFrame(kArrival)).code, "AA");
}

TEST_F(MllpServerTest, NamesTheAddressWhenBindFails) {
  StartServer();
  MllpServerOptions options;
  options.source_name = "second";
  options.listen_port = server_->port();
  MllpServer second(options, publisher_);
  absl::Status started = second.Start();
  ASSERT_FALSE(started.ok());
  EXPECT_THAT(std::string(started.message()),
              HasSubstr(fmt::format("cannot listen on 127.0.0.1:{}", server_->port())));
}

TEST_F(MllpServerTest, RefusesLimitsOfZero) {
  MllpServerOptions options;
  options.listen_port = 0;
  options.max_connections = 0;
  MllpServer server(options, publisher_);
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kInvalidArgument);
  options.max_connections = 1;
  options.max_message_bytes = 0;
  MllpServer other(options, publisher_);
  EXPECT_EQ(other.Start().code(), absl::StatusCode::kInvalidArgument);
  options.max_message_bytes = 1024;
  options.max_connections_per_peer = 0;
  MllpServer third(options, publisher_);
  EXPECT_EQ(third.Start().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(MllpServerTest, DropsAPublishThatCompletesAfterStop) {
  publisher_.set_mode(FakePublisher::Mode::kHold);
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->SendRaw(EncodeFrame(Message("LATE-1"))).ok());
  ASSERT_TRUE(publisher_.WaitForHeld(1));
  server_.reset();
  EXPECT_TRUE(client->PeerClosed(kArrival));
  publisher_.ReleaseHeld();  // must neither crash nor answer
  EXPECT_EQ(client->ReadFrame(kAbsence).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(MllpServerTest, NeverLogsMessageContent) {
  constexpr std::string_view kSecret = "DUPONT^JEANNE";
  MllpServerOptions options;
  options.max_message_bytes = 2048;
  StartServer(options);
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  std::string pid = fmt::format("PID|1||123||{}\r", kSecret);
  EXPECT_EQ(ParsedAck(client->Exchange(Message("LOG-1", pid), kArrival)).code, "AA");
  EXPECT_EQ(
      ParsedAck(client->Exchange("MSH|^~\\&|A|B|C|D|20240306||ADT^A01||P|2.5\r" + pid, kArrival))
          .code,
      "AR");
  EXPECT_EQ(
      ParsedAck(client->Exchange(Message("LOG-2", pid + std::string(3000, 'x')), kArrival)).code,
      "AR");
  publisher_.set_mode(FakePublisher::Mode::kFail);
  EXPECT_EQ(ParsedAck(client->Exchange(Message("LOG-3", pid), kArrival)).code, "AE");
  ASSERT_TRUE(client->SendRaw(std::string(kSecret)).ok());
  EXPECT_TRUE(client->PeerClosed(kArrival));
  EXPECT_TRUE(log_->WaitFor("before a start block"));

  auto lines = log_->lines();
  EXPECT_FALSE(lines.empty());
  for (const auto& line : lines) {
    EXPECT_EQ(line.find("DUPONT"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace navette::adapters::mllp
