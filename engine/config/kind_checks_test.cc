// The rules of each built-in kind (kinds/registry.h rows), as the
// configuration's checks report them: at the key, after the component's name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/config/checks_test_support.h"

namespace navette::engine::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(KindChecksTest, BadListenAddresses) {
  Checked checked = Check(R"(
engine:
  admin:
    listen: "localhost"
sources:
  - name: a
    mllp: {listen: "0.0.0.0:99999"}
  - name: b
    mllp: {listen: "::1:2575"}
  - name: c
    mllp: {listen: "[::1]:2575"}
  - name: d
    mllp: {}
destinations:
  - name: out
    file: {directory: out}
)");
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(
      checked.checks,
      ElementsAre("c.yaml:3:13: engine.admin: invalid listen address 'localhost': the port is "
                  "missing (expected host:port, e.g. \"0.0.0.0:2575\" or \"[::1]:2575\")",
                  "c.yaml:6:20: source 'a': invalid listen address '0.0.0.0:99999': the port "
                  "must be a number from 1 to 65535 (expected host:port, e.g. \"0.0.0.0:2575\" "
                  "or \"[::1]:2575\")",
                  "c.yaml:8:20: source 'b': invalid listen address '::1:2575': an IPv6 address "
                  "must be written in brackets (expected host:port, e.g. \"0.0.0.0:2575\" or "
                  "\"[::1]:2575\")",
                  "c.yaml:12:11: source 'd': mllp.listen is required"));
}

TEST(KindChecksTest, MllpPerPeerLimitWithinTheTotal) {
  Checked checked = Check(R"(
sources:
  - name: a
    mllp: {listen: "0.0.0.0:2575", max_connections_per_peer: 300}
  - name: b
    mllp: {listen: "0.0.0.0:2576", max_connections: 16}
  - name: c
    mllp: {listen: "0.0.0.0:2577", max_connections: 64, max_connections_per_peer: 64}
  - name: d
    mllp: {listen: "0.0.0.0:2578", max_connections: 4, max_connections_per_peer: 8}
destinations:
  - name: out
    file: {directory: out}
)");
  EXPECT_THAT(checked.conversion, IsEmpty());
  // b: the per-peer default follows a total below it.
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:3:62: source 'a': mllp.max_connections_per_peer (300) must not "
                          "exceed mllp.max_connections (256)",
                          "c.yaml:9:82: source 'd': mllp.max_connections_per_peer (8) must not "
                          "exceed mllp.max_connections (4)"));
}

TEST(KindChecksTest, HttpAndMllpDestinations) {
  Checked checked = Check(R"(
sources:
  - name: in
    mllp: {listen: "127.0.0.1:2575"}
destinations:
  - name: web
    http:
      url: "ftp://dpi.local/in"
      headers: {"Bad Name": "x", "X-Ok": "fine"}
      timeout: 0s
      tls: {cert_file: client.pem}
  - name: ris
    mllp: {address: "ris.local", ack_timeout: 0s}
  - name: nowhere
    http: {}
)");
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(
      checked.checks,
      ElementsAre(
          "c.yaml:7:12: destination 'web': http.url 'ftp://dpi.local/in' must start with http:// "
          "or https://",
          "c.yaml:8:16: destination 'web': http.headers: invalid header 'Bad Name' (a name is "
          "letters, digits and -_.!#$%&'*+^`|~; a value holds no line break)",
          "c.yaml:9:16: destination 'web': http.timeout must be at least 1ms",
          "c.yaml:10:24: destination 'web': tls.cert_file and tls.key_file go together (a client "
          "certificate needs its key)",
          "c.yaml:12:21: destination 'ris': mllp.address: invalid address 'ris.local': the port "
          "is missing (expected host:port, e.g. \"0.0.0.0:2575\" or \"[::1]:2575\")",
          "c.yaml:12:47: destination 'ris': mllp.ack_timeout must be at least 1ms",
          "c.yaml:14:11: destination 'nowhere': http.url is required"));
}

}  // namespace
}  // namespace navette::engine::config
