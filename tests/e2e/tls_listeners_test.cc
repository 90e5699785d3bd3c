// TLS on every listener (issue 16, acceptance 1), against the real binary:
// an MLLP source that requires a client certificate from its CA and a
// subject on its allow-list, an MLLP destination that reaches a second such
// source over TLS with a certificate of its own, and the admin API on HTTPS
// only. `navette send` and the CLI are the clients; each refusal is checked
// at the handshake and in the engine's log, which names the peer and the
// reason and never the message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "tests/support/engine_process.h"
#include "tests/support/hl7_samples.h"
#include "tests/support/test_pki.h"

namespace navette::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class TlsListenersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(FreshTestDir("navette-tls-listeners"));
    pki_ = new TestPki(*dir_ / "pki");
    pki_->IssueClient("stranger", "/CN=navette-client", "other_ca");
    pki_->IssueClient("sgl", "/O=CHU/CN=sgl", "ca");
    pki_->IssueClient("forwarder", "/CN=navette-forwarder", "ca");
    ASSERT_TRUE(pki_->ok()) << pki_->error();
    std::ofstream(*dir_ / "oru.hl7") << MakeOru("TLS-E2E-1", "IPP-TLS-4242");

    const std::string listener =
        fmt::format("cert_file: {}, key_file: {}, client_ca_file: {}", pki_->Path("server.pem"),
                    pki_->Path("server.key"), pki_->Path("ca.pem"));
    engine_ = new EngineProcess(
        *dir_ / "engine",
        fmt::format(R"(engine:
  admin:
    listen: "127.0.0.1:{admin}"
    tls: {{ cert_file: {cert}, key_file: {key} }}
sources:
  - name: sgl
    mllp:
      listen: "127.0.0.1:{mllp}"
      tls: {{ {listener}, allowed_clients: ["CN=navette-client"] }}
  - name: relay
    mllp:
      listen: "127.0.0.1:{relay}"
      tls: {{ {listener}, allowed_clients: ["DNS:forwarder.invalid", "CN=navette-forwarder"] }}
destinations:
  - name: forward
    mllp:
      address: "127.0.0.1:{relay}"
      tls: {{ ca_file: {ca}, cert_file: {fcert}, key_file: {fkey} }}
  - name: outbox
    file: {{ directory: outbox }}
routes:
  - {{ name: to-relay, from: [sgl], to: [forward] }}
  - {{ name: relayed, from: [relay], to: [outbox] }}
)",
                    fmt::arg("admin", admin_port_), fmt::arg("mllp", mllp_port_),
                    fmt::arg("relay", FreePort()), fmt::arg("listener", listener),
                    fmt::arg("cert", pki_->Path("server.pem")),
                    fmt::arg("key", pki_->Path("server.key")), fmt::arg("ca", pki_->Path("ca.pem")),
                    fmt::arg("fcert", pki_->Path("forwarder.pem")),
                    fmt::arg("fkey", pki_->Path("forwarder.key"))));
    engine_->set_admin_ca_file(pki_->Path("ca.pem"));
    absl::Status started = engine_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  static void TearDownTestSuite() {
    const bool stopped = engine_->Stop().ok();
    delete engine_;
    delete pki_;
    if (stopped && !::testing::UnitTest::GetInstance()->Failed()) {
      std::filesystem::remove_all(*dir_);
    }
    delete dir_;
  }

  // `navette send` of the sample with `flags` (TLS options).
  static CommandResult Send(std::vector<std::string> flags) {
    std::vector<std::string> args = {"send", "--port", std::to_string(mllp_port_)};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back((*dir_ / "oru.hl7").string());
    return RunNavette(args);
  }
  static std::vector<std::string> ClientFlags(const std::string& leaf) {
    return {"--ca",  pki_->Path("ca.pem"),     "--cert", pki_->Path(leaf + ".pem"),
            "--key", pki_->Path(leaf + ".key")};
  }
  static std::vector<std::string> Admin(std::vector<std::string> args) {
    for (const std::string& more :
         {std::string("--data-dir"), engine_->data_dir().string(), std::string("--admin"),
          fmt::format("https://127.0.0.1:{}", admin_port_)}) {
      args.push_back(more);
    }
    return args;
  }

  // Each refused `navette send` leaves one more line of this kind; waits
  // for the `count`th and checks that no log line carries the message.
  static void ExpectRefusalLogged(size_t count, const std::string& reason) {
    auto refusals = [] {
      size_t found = 0;
      for (size_t at = engine_->Log().find("mllp source sgl: peer 127.0.0.1:");
           at != std::string::npos;
           at = engine_->Log().find("mllp source sgl: peer 127.0.0.1:", at + 1)) {
        const std::string line = engine_->Log().substr(at, engine_->Log().find('\n', at) - at);
        if (line.find("TLS handshake refused") != std::string::npos) ++found;
      }
      return found;
    };
    EXPECT_TRUE(WaitFor([&] { return refusals() >= count; }, std::chrono::seconds(10)))
        << engine_->Log();
    EXPECT_THAT(engine_->Log(), HasSubstr(reason));
    for (const char* secret : {"PAT-TROIS", "IPP-TLS-4242", "TLS-E2E-1"}) {
      EXPECT_THAT(engine_->Log(), Not(HasSubstr(secret)));
    }
  }

  static inline std::filesystem::path* dir_ = nullptr;
  static inline TestPki* pki_ = nullptr;
  static inline EngineProcess* engine_ = nullptr;
  static inline const uint16_t admin_port_ = FreePort();
  static inline const uint16_t mllp_port_ = FreePort();
};

// Runs first (gtest keeps the order of a file): the refusal counts below
// start from a log with none.
TEST_F(TlsListenersTest, SendRefusedAtTheHandshakeForEachWrongCertificate) {
  CommandResult none = Send({"--ca", pki_->Path("ca.pem")});
  EXPECT_EQ(none.exit_code, 1) << none.out;
  ExpectRefusalLogged(1, "TLS handshake refused: peer did not return a certificate");

  CommandResult stranger = Send(ClientFlags("stranger"));
  EXPECT_EQ(stranger.exit_code, 1) << stranger.out;
  ExpectRefusalLogged(2,
                      "TLS handshake refused: client certificate CN=navette-client refused: unable "
                      "to get local issuer certificate");

  CommandResult not_listed = Send(ClientFlags("sgl"));
  EXPECT_EQ(not_listed.exit_code, 1) << not_listed.out;
  EXPECT_THAT(not_listed.err, HasSubstr("alert")) << not_listed.err;
  ExpectRefusalLogged(
      3, "TLS handshake refused: client certificate CN=sgl,O=CHU is not in allowed_clients");

  CommandResult plain = Send({});
  EXPECT_EQ(plain.exit_code, 1) << plain.out;
  ExpectRefusalLogged(4, "(the peer does not speak TLS: configured for plain TCP?)");

  CommandResult untrusted = Send({"--ca", pki_->Path("other_ca.pem"), "--cert",
                                  pki_->Path("client.pem"), "--key", pki_->Path("client.key")});
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_THAT(untrusted.err, HasSubstr("TLS handshake failed: peer's certificate refused: "));

  CommandResult missing = Send({"--ca", pki_->Path("missing.pem")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("navette send: --ca: cannot read "));
}

TEST_F(TlsListenersTest, AnAllowedClientIsServedAndTheDestinationForwardsOverTls) {
  CommandResult sent = Send(ClientFlags("client"));
  ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err << engine_->Log();
  EXPECT_THAT(sent.out, HasSubstr("MSA|AA|TLS-E2E-1"));
  // sgl -> forward (mllp over TLS, certificate CN=navette-forwarder) ->
  // relay -> outbox: the relay's copy is delivered to a file.
  EXPECT_TRUE(WaitFor(
      [] {
        if (!std::filesystem::exists(engine_->data_dir() / "outbox")) return false;
        for (const auto& entry :
             std::filesystem::directory_iterator(engine_->data_dir() / "outbox")) {
          if (ReadFileBytes(entry.path()).find("TLS-E2E-1") != std::string::npos) return true;
        }
        return false;
      },
      std::chrono::seconds(20)))
      << engine_->Log();
  EXPECT_THAT(engine_->Log(), HasSubstr("mllp source relay: peer 127.0.0.1:"));
  EXPECT_THAT(engine_->Log(), HasSubstr("TLS established (TLSv1.3, certificate "
                                        "CN=navette-forwarder)"));

  CommandResult listed =
      RunNavette(Admin({"messages", "list", "--source", "relay", "--ca", pki_->Path("ca.pem")}));
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("delivered"));
}

TEST_F(TlsListenersTest, TheAdminApiServesHttpsOnlyAndTheCliVerifiesIt) {
  CommandResult verified = RunNavette(Admin({"messages", "list", "--ca", pki_->Path("ca.pem")}));
  EXPECT_EQ(verified.exit_code, 0) << verified.err;

  // Through the configuration: https:// because engine.admin.tls is set.
  CommandResult from_config =
      RunNavette({"messages", "list", "--config", (*dir_ / "engine" / "config.yaml").string(),
                  "--data-dir", engine_->data_dir().string(), "--ca", pki_->Path("ca.pem")});
  EXPECT_EQ(from_config.exit_code, 0) << from_config.err;

  CommandResult plain = RunNavette({"messages", "list", "--data-dir", engine_->data_dir().string(),
                                    "--admin", fmt::format("http://127.0.0.1:{}", admin_port_)});
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_THAT(plain.err, HasSubstr("if it serves HTTPS (engine.admin.tls), use https://"));
  // That was the first refused handshake of this engine's admin API, so it
  // is logged at once (later ones within 10 s are counted into the next
  // line, which is why the unverified call comes last).
  auto http = HttpGet(admin_port_, "/healthz");
  EXPECT_FALSE(http.ok() && http->first == 200);
  EXPECT_TRUE(WaitFor(
      [] {
        return engine_->Log().find("connection(s) refused at the TLS handshake") !=
               std::string::npos;
      },
      std::chrono::seconds(10)))
      << engine_->Log();
  EXPECT_THAT(engine_->Log(), HasSubstr("the peer does not speak TLS"));

  // Refused by the CLI this time: it cannot verify the engine without --ca.
  CommandResult unverified = RunNavette(Admin({"messages", "list"}));
  EXPECT_EQ(unverified.exit_code, 1);
  EXPECT_THAT(unverified.err, HasSubstr("over TLS"));
  EXPECT_THAT(unverified.err, HasSubstr("--ca or $NAVETTE_CA"));
}

}  // namespace
}  // namespace navette::testing
