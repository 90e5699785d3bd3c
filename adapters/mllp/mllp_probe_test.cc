// ProbeMllp against a real listener on loopback and a port nobody listens on.
#include "adapters/mllp/mllp_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace navette::adapters::mllp {
namespace {

int BoundSocket(uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return -1;
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  port = ntohs(address.sin_port);
  return fd;
}

navette::config::MllpDestination Config(uint16_t port) {
  navette::config::MllpDestination config;
  config.set_address(fmt::format("127.0.0.1:{}", port));
  config.mutable_connect_timeout()->set_seconds(10);
  return config;
}

TEST(MllpProbeTest, ConnectsAndSendsNothing) {
  uint16_t port = 0;
  int listener = BoundSocket(port);
  ASSERT_GE(listener, 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  kinds::ProbeResult result = ProbeMllp(Config(port));
  EXPECT_TRUE(result.ok) << result.detail;
  EXPECT_EQ(result.detail, fmt::format("connected to 127.0.0.1:{}", port));
  // The connection reached the listener, and ends with no byte sent.
  pollfd ready{listener, POLLIN, 0};
  ASSERT_EQ(::poll(&ready, 1, 10000), 1);
  int accepted = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(accepted, 0);
  pollfd readable{accepted, POLLIN, 0};
  ASSERT_EQ(::poll(&readable, 1, 10000), 1);
  char byte = 0;
  EXPECT_EQ(::read(accepted, &byte, 1), 0);
  ::close(accepted);
  ::close(listener);
}

TEST(MllpProbeTest, SaysWhenNothingListens) {
  uint16_t port = 0;
  int bound = BoundSocket(port);
  ASSERT_GE(bound, 0);
  kinds::ProbeResult result = ProbeMllp(Config(port));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.detail, fmt::format("cannot connect to 127.0.0.1:{}: Connection refused", port));
  ::close(bound);
}

TEST(MllpProbeTest, AnAddressWithoutAPortIsSaidToBeOne) {
  navette::config::MllpDestination config;
  config.set_address("127.0.0.1");
  kinds::ProbeResult result = ProbeMllp(config);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.detail, "mllp.address '127.0.0.1': the port is missing");
}

}  // namespace
}  // namespace navette::adapters::mllp
