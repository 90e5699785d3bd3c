// `navette check` and `navette serve` refuse the same files with the same
// line (issue 12, acceptance 3): each case writes one configuration, runs
// `check FILE` and `serve --config FILE` on it, and expects both to fail and
// both to print the same "file:line:col: error: ..." line at the offending
// key. A warning does not fail either, and `check --connect` says per
// destination what it found.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_process.h"
#include "tests/support/loopback_listener.h"
#include "tests/support/test_pki.h"

namespace navette::testing {
namespace {

using ::testing::HasSubstr;

class CheckServeAgreeTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = FreshTestDir("navette-check-serve"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The configuration's lines 1 to 6: the admin API and one MLLP source
  // `lab`; `sources_extra` adds lines after them (more sources).
  std::string Head(const std::string& sources_extra = "") const {
    return fmt::format(
        "engine:\n"
        "  admin: {{ listen: \"127.0.0.1:{}\" }}\n"
        "sources:\n"
        "  - name: lab\n"
        "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
        "{}"
        "destinations:\n",
        admin_port_, mllp_port_, sources_extra);
  }

  std::string ConfigPath() const { return (dir_ / "engine" / "config.yaml").string(); }

  // Runs both commands on `yaml` and checks that each fails, printing
  // `expected` (the line after "file:") exactly.
  void ExpectBothRefuse(const std::string& yaml, const std::string& expected) {
    EngineProcess engine(dir_ / "engine", yaml);
    const std::string line = ConfigPath() + ":" + expected;

    CommandResult checked =
        RunNavette({"check", ConfigPath(), "--data-dir", engine.data_dir().string()});
    EXPECT_EQ(checked.exit_code, 1) << checked.err;
    EXPECT_THAT(Lines(checked.err), ::testing::Contains(line)) << checked.err;

    absl::Status started = engine.Start();
    EXPECT_FALSE(started.ok()) << "serve started on a configuration check refuses";
    EXPECT_THAT(Lines(engine.Log()), ::testing::Contains(line)) << engine.Log();
    // Refused before anything was made.
    EXPECT_FALSE(std::filesystem::exists(engine.data_dir() / "store"));
  }

  std::filesystem::path dir_;
  uint16_t admin_port_ = FreePort();
  uint16_t mllp_port_ = FreePort();
};

TEST_F(CheckServeAgreeTest, AnHttpDestinationWhoseCaFileIsMissing) {
  const std::string missing = (dir_ / "missing-ca.pem").string();
  const std::string yaml = Head() + fmt::format(
                                        "  - name: dmp\n"
                                        "    http:\n"
                                        "      url: \"https://127.0.0.1:1/in\"\n"
                                        "      tls:\n"
                                        "        ca_file: {}\n"
                                        "routes:\n"
                                        "  - {{ name: all, to: [dmp] }}\n",
                                        missing);
  ExpectBothRefuse(yaml, fmt::format("11:18: error: destination 'dmp': http.tls.ca_file: cannot "
                                     "read {}: No such file or directory",
                                     missing));
}

TEST_F(CheckServeAgreeTest, AnHttpDestinationWhoseCaFileHoldsNoCertificate) {
  const std::string empty = (dir_ / "empty-ca.pem").string();
  std::ofstream(empty) << "# the certificates go here\n";
  const std::string yaml = Head() + fmt::format(
                                        "  - name: dmp\n"
                                        "    http:\n"
                                        "      url: \"https://127.0.0.1:1/in\"\n"
                                        "      tls: {{ ca_file: {} }}\n"
                                        "routes:\n"
                                        "  - {{ name: all, to: [dmp] }}\n",
                                        empty);
  ExpectBothRefuse(yaml, fmt::format("10:23: error: destination 'dmp': http.tls.ca_file: {} holds "
                                     "no PEM certificate",
                                     empty));
}

TEST_F(CheckServeAgreeTest, AnHttpDestinationWhoseClientKeyIsMissing) {
  TestPki pki(dir_ / "pki");
  ASSERT_TRUE(pki.ok()) << pki.error();
  const std::string missing = (dir_ / "pki" / "gone.key").string();
  const std::string yaml = Head() + fmt::format(
                                        "  - name: dmp\n"
                                        "    http:\n"
                                        "      url: \"https://127.0.0.1:1/in\"\n"
                                        "      tls:\n"
                                        "        ca_file: {}\n"
                                        "        cert_file: {}\n"
                                        "        key_file: {}\n"
                                        "routes:\n"
                                        "  - {{ name: all, to: [dmp] }}\n",
                                        pki.Path("ca.pem"), pki.Path("client.pem"), missing);
  ExpectBothRefuse(yaml, fmt::format("13:19: error: destination 'dmp': http.tls.key_file: cannot "
                                     "read {}: No such file or directory",
                                     missing));
}

TEST_F(CheckServeAgreeTest, AnMllpSourceWhoseTlsKeyIsNotTheCertificates) {
  TestPki pki(dir_ / "pki");
  ASSERT_TRUE(pki.ok()) << pki.error();
  const std::string yaml =
      Head(fmt::format("  - name: sgl\n"
                       "    mllp:\n"
                       "      listen: \"127.0.0.1:{}\"\n"
                       "      tls:\n"
                       "        cert_file: {}\n"
                       "        key_file: {}\n",
                       FreePort(), pki.Path("server.pem"), pki.Path("client.key"))) +
      "  - name: outbox\n"
      "    file: { directory: outbox }\n"
      "routes:\n"
      "  - { name: all, to: [outbox] }\n";
  ExpectBothRefuse(yaml, fmt::format("11:19: error: source 'sgl': mllp.tls.key_file: {} is not "
                                     "the key of the certificate in {}",
                                     pki.Path("client.key"), pki.Path("server.pem")));
}

TEST_F(CheckServeAgreeTest, AnMllpSourceWithAnUnreadableAllowList) {
  TestPki pki(dir_ / "pki");
  ASSERT_TRUE(pki.ok()) << pki.error();
  const std::string yaml = Head(fmt::format("  - name: sgl\n"
                                            "    mllp:\n"
                                            "      listen: \"127.0.0.1:{}\"\n"
                                            "      tls:\n"
                                            "        cert_file: {}\n"
                                            "        key_file: {}\n"
                                            "        client_ca_file: {}\n"
                                            "        allowed_clients: [\"CN=sgl\", \"sgl.chu\"]\n",
                                            FreePort(), pki.Path("server.pem"),
                                            pki.Path("server.key"), pki.Path("ca.pem"))) +
                           "  - name: outbox\n"
                           "    file: { directory: outbox }\n"
                           "routes:\n"
                           "  - { name: all, to: [outbox] }\n";
  ExpectBothRefuse(yaml,
                   "13:26: error: source 'sgl': mllp.tls.allowed_clients: allowed_clients[1] "
                   "'sgl.chu': 'sgl.chu' is not attribute=value (a subject such as CN=x,O=y, or "
                   "DNS:/IP:/email:/URI:)");
}

TEST_F(CheckServeAgreeTest, AnMllpDestinationWhoseCaFileIsMissing) {
  const std::string missing = (dir_ / "missing-ca.pem").string();
  const std::string yaml = Head() + fmt::format(
                                        "  - name: dpi\n"
                                        "    mllp:\n"
                                        "      address: \"127.0.0.1:1\"\n"
                                        "      tls: {{ ca_file: {} }}\n"
                                        "routes:\n"
                                        "  - {{ name: all, to: [dpi] }}\n",
                                        missing);
  ExpectBothRefuse(yaml, fmt::format("10:23: error: destination 'dpi': mllp.tls.ca_file: cannot "
                                     "read {}: No such file or directory",
                                     missing));
}

TEST_F(CheckServeAgreeTest, AFileDestinationWhoseDirectoryCannotBeCreated) {
  // A regular file where a directory of the path should be: refused even
  // for root.
  const std::filesystem::path blocker = dir_ / "blocker";
  std::ofstream(blocker) << "not a directory";
  const std::string directory = (blocker / "outbox").string();
  const std::string yaml = Head() + fmt::format(
                                        "  - name: outbox\n"
                                        "    file:\n"
                                        "      directory: {}\n"
                                        "routes:\n"
                                        "  - {{ name: all, to: [outbox] }}\n",
                                        directory);
  ExpectBothRefuse(yaml, fmt::format("9:18: error: destination 'outbox': file.directory: cannot "
                                     "create {}: {} is not a directory",
                                     directory, blocker.string()));
}

TEST_F(CheckServeAgreeTest, TwoSourcesOnOneListenAddress) {
  const std::string yaml = Head(fmt::format("  - name: lab2\n"
                                            "    mllp:\n"
                                            "      listen: \"127.0.0.1:{}\"\n",
                                            mllp_port_)) +
                           "  - name: outbox\n"
                           "    file: { directory: outbox }\n"
                           "routes:\n"
                           "  - { name: all, to: [outbox] }\n";
  ExpectBothRefuse(yaml, fmt::format("8:15: error: source 'lab2': listen address 127.0.0.1:{} "
                                     "overlaps 127.0.0.1:{} of source 'lab' (line 5): the second "
                                     "could never listen",
                                     mllp_port_, mllp_port_));
}

TEST_F(CheckServeAgreeTest, AttachInsWithNoIdentityFeedIsAWarningForBoth) {
  const std::string yaml = Head() +
                           "  - name: outbox\n"
                           "    file: { directory: outbox }\n"
                           "routes:\n"
                           "  - name: lab\n"
                           "    steps: [ { attach_ins: {} } ]\n"
                           "    to: [outbox]\n";
  EngineProcess engine(dir_ / "engine", yaml);
  const std::string warning = ConfigPath() +
                              ":11:14: warning: route 'lab': attach_ins reads the identity store, "
                              "but no route has an identity_feed step to fill it: every document "
                              "would park forever (on_missing: park)";
  CommandResult checked =
      RunNavette({"check", ConfigPath(), "--data-dir", engine.data_dir().string()});
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_EQ(Lines(checked.err), std::vector<std::string>{warning});
  EXPECT_THAT(checked.out, HasSubstr(": ok (1 source, 1 route, 1 destination"));

  ASSERT_TRUE(engine.Start().ok()) << engine.Log();
  EXPECT_THAT(engine.Log(), HasSubstr(" warning " + warning));
  EXPECT_TRUE(engine.Stop().ok());
}

TEST_F(CheckServeAgreeTest, CheckConnectSaysPerDestinationWhatItFound) {
  LoopbackListener up;
  LoopbackListener down(LoopbackListener::Mode::kBoundOnly);
  ASSERT_TRUE(up.ok() && down.ok());
  const std::string yaml = Head() + fmt::format(
                                        "  - name: lis\n"
                                        "    mllp: {{ address: \"127.0.0.1:{}\" }}\n"
                                        "  - name: dmp\n"
                                        "    http: {{ url: \"http://127.0.0.1:{}/in\" }}\n"
                                        "  - name: outbox\n"
                                        "    file: {{ directory: outbox }}\n"
                                        "routes:\n"
                                        "  - {{ name: all, to: [lis, dmp, outbox] }}\n",
                                        up.port(), down.port());
  EngineProcess engine(dir_ / "engine", yaml);
  CommandResult checked =
      RunNavette({"check", "--connect", ConfigPath(), "--data-dir", engine.data_dir().string()});
  EXPECT_EQ(checked.exit_code, 1) << checked.out << checked.err;
  EXPECT_THAT(checked.out, HasSubstr(fmt::format(
                               "destination 'lis' (mllp): ok: connected to 127.0.0.1:{}\n"
                               "destination 'dmp' (http): FAILED: cannot connect to 127.0.0.1:{}: "
                               "Connection refused\n"
                               "destination 'outbox' (file): not probed (the file kind has no "
                               "probe)\n",
                               up.port(), down.port())));
  // The probe opened a connection and sent nothing on it.
  EXPECT_EQ(up.BytesUntilClosed(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace navette::testing
