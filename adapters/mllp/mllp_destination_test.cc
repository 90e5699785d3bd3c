#include "adapters/mllp/mllp_destination.h"
#include "adapters/mllp/refused_port.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::adapters::mllp {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

using Outcome = DeliveryResult::Outcome;

// Long enough for a loaded CI machine; only reached when a test fails.
constexpr auto kArrival = 10s;

// A real MLLP listener on 127.0.0.1, one thread per connection, answering
// each frame as the test told it. Frames are cut by hand here rather than
// with the library's decoder, so that the test checks the bytes on the wire
// independently of the code under test.
class FakeMllpPeer {
 public:
  enum class Reply {
    kAck,             // MSA-1 = ack_code, MSA-2 = the message's MSH-10
    kWrongControlId,  // AA for some other message
    kGarbage,         // a frame that is not HL7
    kSilence,         // no answer; the connection stays open
    kClose,           // closes the connection without answering
  };

  FakeMllpPeer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = listen_fd_ >= 0 && pipe2(wake_.data(), O_CLOEXEC) == 0 &&
              bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
              listen(listen_fd_, 16) == 0;
    socklen_t size = sizeof address;
    ok = ok && getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size) == 0;
    if (!ok) throw std::runtime_error("FakeMllpPeer: cannot listen on 127.0.0.1");
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~FakeMllpPeer() {
    // The wake pipe is never read: once written, every poll below sees it.
    char byte = 0;
    [[maybe_unused]] ssize_t written = write(wake_[1], &byte, 1);
    acceptor_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      threads.swap(connection_threads_);
    }
    for (std::thread& thread : threads) thread.join();
    close(listen_fd_);
    close(wake_[0]);
    close(wake_[1]);
  }

  uint16_t port() const { return port_; }
  std::string address() const { return fmt::format("127.0.0.1:{}", port_); }

  void Answer(Reply reply, std::string ack_code = "AA", std::string text = "") {
    std::lock_guard lock(mutex_);
    reply_ = reply;
    ack_code_ = std::move(ack_code);
    error_text_ = std::move(text);
  }

  int accepted_connections() {
    std::lock_guard lock(mutex_);
    return accepted_;
  }

  // The bytes received on each connection, in the order accepted.
  std::vector<std::string> bytes_per_connection() {
    std::lock_guard lock(mutex_);
    return received_;
  }

  // Closes every open connection, as a receiver dropping idle connections
  // does, and returns once they are all closed. The FIN is on its way to the
  // client when shutdown() returns (on loopback it is already queued on the
  // client's socket).
  void CloseAllConnections() {
    std::unique_lock lock(mutex_);
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    ASSERT_TRUE(closed_.wait_for(lock, kArrival, [&] { return open_fds_.empty(); }));
  }

 private:
  // Waits until `fd` is readable; false when the peer is being torn down.
  bool WaitReadable(int fd) {
    std::array<pollfd, 2> entries{{{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}}};
    while (poll(entries.data(), entries.size(), -1) < 0) {
      if (errno != EINTR) return false;
    }
    return entries[1].revents == 0;
  }

  void AcceptLoop() {
    while (WaitReadable(listen_fd_)) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard lock(mutex_);
      const size_t index = received_.size();
      ++accepted_;
      received_.emplace_back();
      open_fds_.push_back(fd);
      connection_threads_.emplace_back([this, fd, index] { Serve(fd, index); });
    }
  }

  void Serve(int fd, size_t index) {
    std::string pending;  // bytes received and not yet cut into frames
    bool open = true;
    while (open && WaitReadable(fd)) {
      char buffer[4096];
      ssize_t got = recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) break;
      pending.append(buffer, static_cast<size_t>(got));
      {
        std::lock_guard lock(mutex_);
        received_[index].append(buffer, static_cast<size_t>(got));
      }
      for (size_t end; open && (end = pending.find("\x1c\r")) != std::string::npos;) {
        std::string content = pending.substr(1, end - 1);  // after <VT>
        pending.erase(0, end + 2);
        open = Respond(fd, content);
      }
    }
    std::lock_guard lock(mutex_);
    std::erase(open_fds_, fd);
    close(fd);
    closed_.notify_all();
  }

  // Answers one message; false to close the connection.
  bool Respond(int fd, const std::string& message) {
    Reply reply;
    std::string ack_code;
    std::string text;
    {
      std::lock_guard lock(mutex_);
      reply = reply_;
      ack_code = ack_code_;
      text = error_text_;
    }
    std::string ack;
    switch (reply) {
      case Reply::kSilence:
        return true;
      case Reply::kClose:
        return false;
      case Reply::kGarbage:
        ack = "this is not an HL7 message";
        break;
      case Reply::kWrongControlId:
        ack = MakeAck("AA", "SOMEONE-ELSE", "");
        break;
      case Reply::kAck:
        ack = MakeAck(ack_code, ControlIdOf(message), text);
        break;
    }
    std::string frame = "\x0b" + ack + "\x1c\r";
    return send(fd, frame.data(), frame.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(frame.size());
  }

  // MSH-10: the tenth '|'-separated piece of the first segment (MSH-1 is the
  // separator itself).
  static std::string ControlIdOf(const std::string& message) {
    std::string msh = message.substr(0, message.find('\r'));
    size_t start = 0;
    for (int field = 0; field < 9 && start != std::string::npos; ++field) {
      start = msh.find('|', start);
      if (start != std::string::npos) ++start;
    }
    if (start == std::string::npos) return {};
    return msh.substr(start, msh.find('|', start) - start);
  }

  static std::string MakeAck(const std::string& code, const std::string& control_id,
                             const std::string& text) {
    std::string ack = fmt::format(
        "MSH|^~\\&|PEER|PEER-FAC|NAVETTE|CHU-X|20260101120001||ACK^R01^ACK|ACK-{}|P|2.5\r"
        "MSA|{}|{}\r",
        control_id, code, control_id);
    if (!text.empty()) {
      ack += fmt::format("ERR||PID^1^3|207^Application internal error^HL70357|E||||{}\r", text);
    }
    return ack;
  }

  int listen_fd_ = -1;
  std::array<int, 2> wake_{-1, -1};
  uint16_t port_ = 0;
  std::thread acceptor_;

  std::mutex mutex_;
  std::condition_variable closed_;
  Reply reply_ = Reply::kAck;
  std::string ack_code_ = "AA";
  std::string error_text_;
  int accepted_ = 0;
  std::vector<std::string> received_;
  std::vector<int> open_fds_;
  std::vector<std::thread> connection_threads_;
};

std::string MakeMessage(const std::string& control_id) {
  return fmt::format(
      "MSH|^~\\&|DPI|CHU-X|LAB|CHU-X|20260101120000||ADT^A28^ADT_A05|{}|P|2.5\r"
      "EVN||20260101120000\r"
      "PID|||000123^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI||PAT-TROIS^DOMINIQUE\r",
      control_id);
}

store::StoredMessage MakeStored(const std::string& control_id) {
  store::StoredMessage stored;
  stored.set_id(1);
  stored.mutable_envelope()->set_raw(MakeMessage(control_id));
  stored.mutable_envelope()->mutable_hl7()->set_control_id(control_id);
  return stored;
}

class MllpDestinationTest : public ::testing::Test {
 protected:
  std::unique_ptr<MllpDestination> MakeDestination(
      uint32_t max_in_flight = 1, navette::config::MllpDestination::Failure on_ae =
                                      navette::config::MllpDestination::TRANSIENT) {
    navette::config::MllpDestination config;
    config.set_address(peer_.address());
    config.mutable_connect_timeout()->set_seconds(5);
    config.mutable_ack_timeout()->set_nanos(200'000'000);
    config.set_on_ae(on_ae);
    config.set_on_ar(navette::config::MllpDestination::PERMANENT);
    auto destination = MllpDestination::Create(config, max_in_flight);
    EXPECT_TRUE(destination.ok()) << destination.status();
    return destination.ok() ? std::move(*destination) : nullptr;
  }

  static DeliveryResult Deliver(MllpDestination& destination, const std::string& control_id) {
    store::StoredMessage stored = MakeStored(control_id);
    DeliveryRequest request{.message_id = 1, .route = "r", .message = &stored, .attempt = 0};
    return destination.Deliver(request);
  }

  FakeMllpPeer peer_;
};

TEST_F(MllpDestinationTest, AaIsDeliveredAndThePeerGetsExactlyTheFramedBytes) {
  auto destination = MakeDestination();
  DeliveryResult result = Deliver(*destination, "MSG-1");
  EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
  EXPECT_EQ(result.detail, "AA");
  EXPECT_THAT(peer_.bytes_per_connection(),
              ::testing::ElementsAre("\x0b" + MakeMessage("MSG-1") + "\x1c\r"));
}

// The envelope keeps MSH-10 decoded to UTF-8; the receiver echoes the bytes
// it got, here Latin-1 ("É" is 0xC9).
TEST_F(MllpDestinationTest, AnAccentedControlIdInLatin1IsMatchedOnTheBytesSent) {
  auto destination = MakeDestination();
  store::StoredMessage stored = MakeStored("MSG-\xC9T\xC9");
  stored.mutable_envelope()->mutable_hl7()->set_control_id("MSG-\xC3\x89T\xC3\x89");
  DeliveryRequest request{.message_id = 1, .route = "r", .message = &stored, .attempt = 0};
  DeliveryResult result = destination->Deliver(request);
  EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
}

// A route's output with its own MSH-10 (a business acknowledgement, built
// from the message): the receiver answers for the bytes it got, not for the
// message as received.
TEST_F(MllpDestinationTest, AnOutputWithItsOwnControlIdIsMatchedOnTheBytesSent) {
  auto destination = MakeDestination();
  store::StoredMessage stored = MakeStored("ORIGINAL-1");
  stored.mutable_envelope()->set_raw(MakeMessage("ZAM-1"));
  DeliveryRequest request{.message_id = 1, .route = "zam:dmp", .message = &stored, .attempt = 0};
  DeliveryResult result = destination->Deliver(request);
  EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
}

TEST_F(MllpDestinationTest, CaIsDelivered) {
  peer_.Answer(FakeMllpPeer::Reply::kAck, "CA");
  auto destination = MakeDestination();
  DeliveryResult result = Deliver(*destination, "MSG-1");
  EXPECT_EQ(result.outcome, Outcome::kDelivered);
  EXPECT_EQ(result.detail, "CA");
}

TEST_F(MllpDestinationTest, SequentialDeliveriesShareOneConnection) {
  auto destination = MakeDestination();
  EXPECT_EQ(Deliver(*destination, "MSG-1").outcome, Outcome::kDelivered);
  EXPECT_EQ(Deliver(*destination, "MSG-2").outcome, Outcome::kDelivered);
  EXPECT_EQ(peer_.accepted_connections(), 1);
  EXPECT_THAT(peer_.bytes_per_connection(),
              ::testing::ElementsAre("\x0b" + MakeMessage("MSG-1") + "\x1c\r" + "\x0b" +
                                     MakeMessage("MSG-2") + "\x1c\r"));
}

TEST_F(MllpDestinationTest, AeIsTransientByDefaultWithThePeersText) {
  peer_.Answer(FakeMllpPeer::Reply::kAck, "AE", "Database unavailable");
  auto destination = MakeDestination();
  DeliveryResult result = Deliver(*destination, "MSG-1");
  EXPECT_EQ(result.outcome, Outcome::kTransient);
  EXPECT_EQ(result.detail, "AE: Database unavailable");
  // An AE leaves the stream in step: the connection is kept.
  EXPECT_EQ(Deliver(*destination, "MSG-2").outcome, Outcome::kTransient);
  EXPECT_EQ(peer_.accepted_connections(), 1);
}

TEST_F(MllpDestinationTest, AeIsPermanentWhenConfiguredSo) {
  peer_.Answer(FakeMllpPeer::Reply::kAck, "AE", "Database unavailable");
  auto destination = MakeDestination(1, navette::config::MllpDestination::PERMANENT);
  DeliveryResult result = Deliver(*destination, "MSG-1");
  EXPECT_EQ(result.outcome, Outcome::kPermanent);
  EXPECT_EQ(result.detail, "AE: Database unavailable");
}

TEST_F(MllpDestinationTest, ArIsPermanent) {
  peer_.Answer(FakeMllpPeer::Reply::kAck, "AR", "Unsupported message type");
  auto destination = MakeDestination();
  DeliveryResult result = Deliver(*destination, "MSG-1");
  EXPECT_EQ(result.outcome, Outcome::kPermanent);
  EXPECT_EQ(result.detail, "AR: Unsupported message type");
}

TEST_F(MllpDestinationTest, CrWithoutTextGivesTheCodeAlone) {
  peer_.Answer(FakeMllpPeer::Reply::kAck, "CR");
  auto destination = MakeDestination();
  DeliveryResult result = Deliver(*destination, "MSG-1");
  EXPECT_EQ(result.outcome, Outcome::kPermanent);
  EXPECT_EQ(result.detail, "CR");
}

TEST_F(MllpDestinationTest, ALongErrorTextIsCutToOneShortLine) {
  // Control characters (a tab, a stray byte) cannot break the history line.
  peer_.Answer(FakeMllpPeer::Reply::kAck, "AE", "first\tline\x01" + std::string(300, 'x'));
  auto destination = MakeDestination();
  DeliveryResult result = Deliver(*destination, "MSG-1");
  EXPECT_EQ(result.outcome, Outcome::kTransient);
  EXPECT_THAT(result.detail, StartsWith("AE: first line"));
  EXPECT_EQ(result.detail.find_first_of("\t\x01"), std::string::npos) << result.detail;
  EXPECT_LE(result.detail.size(), 110u) << result.detail;
}

TEST_F(MllpDestinationTest, AnAckForAnotherMessageIsTransientAndDropsTheConnection) {
  peer_.Answer(FakeMllpPeer::Reply::kWrongControlId);
  auto destination = MakeDestination();
  DeliveryResult result = Deliver(*destination, "MSG-1");
  EXPECT_EQ(result.outcome, Outcome::kTransient);
  EXPECT_EQ(result.detail, "ACK for another message (MSA-2 'SOMEONE-ELSE', sent MSH-10 'MSG-1')");

  peer_.Answer(FakeMllpPeer::Reply::kAck);
  EXPECT_EQ(Deliver(*destination, "MSG-1").outcome, Outcome::kDelivered);
  EXPECT_EQ(peer_.accepted_connections(), 2);
}

TEST_F(MllpDestinationTest, AnUnparseableAckIsTransientAndDropsTheConnection) {
  peer_.Answer(FakeMllpPeer::Reply::kGarbage);
  auto destination = MakeDestination();
  DeliveryResult result = Deliver(*destination, "MSG-1");
  EXPECT_EQ(result.outcome, Outcome::kTransient);
  EXPECT_THAT(result.detail, StartsWith("unparseable ACK: "));

  peer_.Answer(FakeMllpPeer::Reply::kAck);
  EXPECT_EQ(Deliver(*destination, "MSG-1").outcome, Outcome::kDelivered);
  EXPECT_EQ(peer_.accepted_connections(), 2);
}

TEST_F(MllpDestinationTest, NoAckInTimeIsTransientAndDropsTheConnection) {
  peer_.Answer(FakeMllpPeer::Reply::kSilence);
  auto destination = MakeDestination();
  DeliveryResult result = Deliver(*destination, "MSG-1");
  EXPECT_EQ(result.outcome, Outcome::kTransient);
  EXPECT_EQ(result.detail, fmt::format("no ACK from {} within 200ms", peer_.address()));

  // A late ACK on the old connection cannot be taken for MSG-2's.
  peer_.Answer(FakeMllpPeer::Reply::kAck);
  EXPECT_EQ(Deliver(*destination, "MSG-2").outcome, Outcome::kDelivered);
  EXPECT_EQ(peer_.accepted_connections(), 2);
}

TEST_F(MllpDestinationTest, APeerClosingBeforeTheAckIsTransient) {
  peer_.Answer(FakeMllpPeer::Reply::kClose);
  auto destination = MakeDestination();
  DeliveryResult result = Deliver(*destination, "MSG-1");
  EXPECT_EQ(result.outcome, Outcome::kTransient);
  EXPECT_THAT(result.detail, HasSubstr("closed the connection before the ACK"));
  // Sent once: no resend within the attempt once the frame was out.
  EXPECT_EQ(peer_.accepted_connections(), 1);
}

TEST_F(MllpDestinationTest, ReconnectsWhenThePeerClosedAnIdleConnection) {
  auto destination = MakeDestination();
  ASSERT_EQ(Deliver(*destination, "MSG-1").outcome, Outcome::kDelivered);
  peer_.CloseAllConnections();

  DeliveryResult result = Deliver(*destination, "MSG-2");
  EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
  EXPECT_EQ(peer_.accepted_connections(), 2);
  // MSG-2 went out once, on the fresh connection only.
  EXPECT_THAT(peer_.bytes_per_connection(),
              ::testing::ElementsAre("\x0b" + MakeMessage("MSG-1") + "\x1c\r",
                                     "\x0b" + MakeMessage("MSG-2") + "\x1c\r"));
}

TEST_F(MllpDestinationTest, ARefusedConnectionIsTransient) {
  testing::RefusedPort refused;
  ASSERT_NE(refused.port(), 0);
  navette::config::MllpDestination config;
  config.set_address(fmt::format("127.0.0.1:{}", refused.port()));
  config.mutable_connect_timeout()->set_seconds(5);
  config.mutable_ack_timeout()->set_seconds(5);
  auto destination = MllpDestination::Create(config, 1);
  ASSERT_TRUE(destination.ok()) << destination.status();
  DeliveryResult result = Deliver(**destination, "MSG-1");
  EXPECT_EQ(result.outcome, Outcome::kTransient);
  EXPECT_THAT(result.detail, HasSubstr("Connection refused"));
}

TEST_F(MllpDestinationTest, ConcurrentDeliveriesAreAllDelivered) {
  constexpr int kCallers = 4;
  auto destination = MakeDestination(kCallers);
  std::vector<DeliveryResult> results(kCallers);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] { results[i] = Deliver(*destination, fmt::format("MSG-{}", i)); });
  }
  for (std::thread& caller : callers) caller.join();
  for (const DeliveryResult& result : results) {
    EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
  }
  EXPECT_LE(peer_.accepted_connections(), kCallers);
  std::string all_bytes;
  for (const std::string& bytes : peer_.bytes_per_connection()) all_bytes += bytes;
  for (int i = 0; i < kCallers; ++i) {
    EXPECT_THAT(all_bytes, HasSubstr(MakeMessage(fmt::format("MSG-{}", i))));
  }
}

TEST(MllpDestinationCreateTest, RejectsAnAddressWithoutPort) {
  navette::config::MllpDestination config;
  config.set_address("localhost");
  config.mutable_connect_timeout()->set_seconds(5);
  config.mutable_ack_timeout()->set_seconds(30);
  auto destination = MllpDestination::Create(config, 1);
  ASSERT_FALSE(destination.ok());
  EXPECT_EQ(destination.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace navette::adapters::mllp
