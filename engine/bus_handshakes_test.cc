// The bus guard's decisions without sockets: ZAP requests judged against the
// authorized keys, and monitor events turned into refusals told with the
// peer of their connection.
#include "engine/bus_handshakes.h"

#include <zmq.h>

#include <cstring>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A fixed Z85 key and its 32 bytes.
constexpr char kKey[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

std::string KeyBytes(const char* z85) {
  uint8_t bytes[32];
  EXPECT_NE(zmq_z85_decode(bytes, z85), nullptr);
  return std::string(reinterpret_cast<const char*>(bytes), 32);
}

std::vector<std::string> CurveRequest(const std::string& key_bytes) {
  return {"1.0", "7", "navette-ingress", "10.1.2.3", "", "CURVE", key_bytes};
}

TEST(ZapTest, AnAuthorizedKeyIsAllowedAndNamedAsTheUser) {
  auto request = ParseZapRequest(CurveRequest(KeyBytes(kKey)));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->address, "10.1.2.3");
  EXPECT_EQ(request->client_key, kKey);
  ZapVerdict verdict = JudgeZap(*request, {kKey});
  EXPECT_TRUE(verdict.allowed);
  EXPECT_THAT(ZapReplyFrames(*request, verdict), ElementsAre("1.0", "7", "200", "OK", kKey, ""));
}

TEST(ZapTest, AnyOtherKeyIsRefusedWithItsReason) {
  auto request = ParseZapRequest(CurveRequest(KeyBytes(kKey)));
  ASSERT_TRUE(request.ok());
  ZapVerdict verdict = JudgeZap(*request, {"0000000000000000000000000000000000000000"});
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.reason, "unauthorized_key");
  EXPECT_EQ(verdict.explanation, std::string("its CURVE public key ") + kKey +
                                     " is not in engine.ingress.curve.authorized_keys");
  EXPECT_THAT(ZapReplyFrames(*request, verdict),
              ElementsAre("1.0", "7", "400", "key not authorized", "", ""));
}

TEST(ZapTest, OtherMechanismsAndMalformedRequests) {
  auto null = ParseZapRequest(std::vector<std::string>{"1.0", "1", "d", "10.0.0.1", "", "NULL"});
  ASSERT_TRUE(null.ok());
  ZapVerdict verdict = JudgeZap(*null, {kKey});
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.reason, "mechanism_mismatch");

  EXPECT_FALSE(ParseZapRequest(std::vector<std::string>{"1.0", "1"}).ok());
  EXPECT_FALSE(ParseZapRequest(CurveRequest("short")).ok());
}

MonitorEvent Event(uint16_t event, uint32_t value, std::string endpoint = "tcp://0.0.0.0:5571") {
  return MonitorEvent{event, value, std::move(endpoint)};
}

TEST(MonitorEventTest, FramesAreReadAsLibzmqWritesThem) {
  char first[6];
  const uint16_t event = ZMQ_EVENT_ACCEPTED;
  const uint32_t value = 42;
  std::memcpy(first, &event, 2);
  std::memcpy(first + 2, &value, 4);
  auto parsed = ParseMonitorEvent(std::string_view(first, 6), "tcp://127.0.0.1:5571");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->event, ZMQ_EVENT_ACCEPTED);
  EXPECT_EQ(parsed->value, 42u);
  EXPECT_EQ(parsed->endpoint, "tcp://127.0.0.1:5571");
  EXPECT_FALSE(ParseMonitorEvent("abc", "x").has_value());
}

class HandshakeWatchTest : public ::testing::Test {
 protected:
  HandshakeWatch watch_{
      [](int fd) { return fd == 99 ? "" : "10.0.0." + std::to_string(fd) + ":4000"; }};
};

TEST_F(HandshakeWatchTest, AFailureIsToldWithThePeerOfTheConnectionThatCloses) {
  EXPECT_THAT(watch_.Take(Event(ZMQ_EVENT_ACCEPTED, 17)), IsEmpty());
  EXPECT_THAT(watch_.Take(Event(ZMQ_EVENT_ACCEPTED, 18)), IsEmpty());
  EXPECT_THAT(watch_.Take(Event(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                                ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)),
              IsEmpty());
  auto refusals = watch_.Take(Event(ZMQ_EVENT_DISCONNECTED, 18));
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].reason, "mechanism_mismatch");
  EXPECT_EQ(refusals[0].peer, "10.0.0.18:4000");
  EXPECT_EQ(refusals[0].endpoint, "tcp://0.0.0.0:5571");
  // The other connection closes normally: nothing to tell.
  EXPECT_THAT(watch_.Take(Event(ZMQ_EVENT_DISCONNECTED, 17)), IsEmpty());
  EXPECT_EQ(watch_.open_connections(), 0u);
}

TEST_F(HandshakeWatchTest, EachFailureHasItsReason) {
  watch_.Take(Event(ZMQ_EVENT_ACCEPTED, 5));
  watch_.Take(Event(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC));
  auto crypto = watch_.Take(Event(ZMQ_EVENT_DISCONNECTED, 5));
  ASSERT_EQ(crypto.size(), 1u);
  EXPECT_EQ(crypto[0].reason, "cryptographic");
  EXPECT_EQ(crypto[0].explanation,
            "its CURVE handshake does not decrypt (the adapter likely holds a wrong server "
            "public key)");

  watch_.Take(Event(ZMQ_EVENT_ACCEPTED, 6));
  watch_.Take(Event(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, ECONNRESET));
  auto incomplete = watch_.Take(Event(ZMQ_EVENT_DISCONNECTED, 6));
  ASSERT_EQ(incomplete.size(), 1u);
  EXPECT_EQ(incomplete[0].reason, "incomplete");

  watch_.Take(Event(ZMQ_EVENT_ACCEPTED, 7));
  watch_.Take(
      Event(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND));
  auto protocol = watch_.Take(Event(ZMQ_EVENT_DISCONNECTED, 7));
  ASSERT_EQ(protocol.size(), 1u);
  EXPECT_EQ(protocol[0].reason, "protocol");
  EXPECT_EQ(protocol[0].explanation, "ZMTP protocol error 0x10000001");
}

TEST_F(HandshakeWatchTest, AuthFailuresAreLeftToZap) {
  watch_.Take(Event(ZMQ_EVENT_ACCEPTED, 5));
  EXPECT_THAT(watch_.Take(Event(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400)), IsEmpty());
  EXPECT_THAT(watch_.Take(Event(ZMQ_EVENT_DISCONNECTED, 5)), IsEmpty());
}

TEST_F(HandshakeWatchTest, APeerThatCannotBeReadIsUnknown) {
  watch_.Take(Event(ZMQ_EVENT_ACCEPTED, 99));  // gone before it was read
  watch_.Take(
      Event(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH));
  auto refusals = watch_.Take(Event(ZMQ_EVENT_DISCONNECTED, 99));
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].peer, "unknown peer");

  // A failure never followed by its DISCONNECTED is still told, without
  // a peer, at the next event.
  watch_.Take(
      Event(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH));
  auto flushed = watch_.Take(Event(ZMQ_EVENT_ACCEPTED, 8));
  ASSERT_EQ(flushed.size(), 1u);
  EXPECT_EQ(flushed[0].peer, "unknown peer");
}

}  // namespace
}  // namespace navette::engine
