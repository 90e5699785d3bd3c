#include "common/listen_address.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette {
namespace {

using ::testing::HasSubstr;

TEST(ListenAddressTest, ParsesHostAndPort) {
  auto ipv4 = ParseListenAddress("0.0.0.0:2575");
  ASSERT_TRUE(ipv4.ok()) << ipv4.status();
  EXPECT_EQ(ipv4->host, "0.0.0.0");
  EXPECT_EQ(ipv4->port, 2575);

  auto name = ParseListenAddress("mllp-gw.chu.local:65535");
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(name->host, "mllp-gw.chu.local");
  EXPECT_EQ(name->port, 65535);
}

TEST(ListenAddressTest, ParsesBracketedIpv6) {
  auto loopback = ParseListenAddress("[::1]:2575");
  ASSERT_TRUE(loopback.ok()) << loopback.status();
  EXPECT_EQ(loopback->host, "::1");
  EXPECT_EQ(loopback->port, 2575);

  auto any = ParseListenAddress("[::]:1");
  ASSERT_TRUE(any.ok()) << any.status();
  EXPECT_EQ(any->host, "::");

  auto zoned = ParseListenAddress("[fe80::1%eth0]:2575");
  ASSERT_TRUE(zoned.ok()) << zoned.status();
  EXPECT_EQ(zoned->host, "fe80::1%eth0");
}

TEST(ListenAddressTest, RejectsBadAddresses) {
  struct Case {
    std::string_view text;
    std::string_view why;
  };
  for (const Case& c : {
           Case{"", "it is empty"},
           Case{"2575", "the port is missing"},
           Case{"localhost:", "the port is missing"},
           Case{":2575", "the host is missing"},
           Case{"localhost:0", "from 1 to 65535"},
           Case{"localhost:65536", "from 1 to 65535"},
           Case{"localhost:25a", "from 1 to 65535"},
           Case{"localhost:-1", "from 1 to 65535"},
           Case{"::1:2575", "must be written in brackets"},
           Case{"[::1]2575", "missing ':port'"},
           Case{"[::1:2575", "missing ']'"},
           Case{"[]:2575", "an IPv6 address is expected"},
           Case{"[127.0.0.1]:2575", "an IPv6 address is expected"},
           Case{"my host:2575", "unexpected ' ' in the host"},
           Case{"tcp://host:2575", "without a scheme"},
           Case{"host/x:2575", "unexpected '/' in the host"},
       }) {
    auto address = ParseListenAddress(c.text);
    ASSERT_FALSE(address.ok()) << c.text;
    EXPECT_THAT(std::string(address.status().message()), HasSubstr(c.why)) << c.text;
    EXPECT_THAT(std::string(address.status().message()),
                HasSubstr(fmt::format("invalid listen address '{}'", c.text)));
  }
}

}  // namespace
}  // namespace navette
