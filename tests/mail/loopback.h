// Loopback plumbing of the test mail servers: free ports that parallel test
// processes do not share, and a probe that tells whether a server on a port
// has come up as far as greeting a client (over TLS where the port wants it).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace navette::testing::mail {

// A loopback TCP port that was free a moment ago and that no other process
// using this scheme will pick while this one lives: the scheme of
// tests/support/engine_process.h's FreePort (a flock on
// /tmp/navette-test-ports/<port>, ports 20000-32767 under the ephemeral
// range), repeated here so that the harness does not pull in the engine's
// test support, and compatible with it. 0 if none was found.
int ClaimFreePort();

struct TlsClientFiles {
  std::string ca;
  std::string cert;
  std::string key;
};

enum class Wire { kPlain, kTls };

// Connects to 127.0.0.1:`port`, does a TLS handshake first if `wire` is
// kTls (verifying the server against `files.ca` and presenting the client
// certificate), and reads the server's first line. True if it starts with
// `greeting` ("220" for SMTP, "* OK" for IMAP); otherwise false with what
// went wrong in `detail`. Gives up after `timeout`.
bool Greets(int port, Wire wire, std::string_view greeting, const TlsClientFiles& files,
            std::chrono::milliseconds timeout, std::string& detail);

}  // namespace navette::testing::mail
