// The bus's security rule as `check` reports it (ingress_security.h): which
// endpoints need CURVE, and the keys a curve block must hold, each error at
// its key. Key files are real files in a test directory.
#include "engine/config/ingress_security.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/config/checks_test_support.h"

namespace navette::engine::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(IngressSecurityTest, LoopbackHosts) {
  for (std::string_view host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (std::string_view host :
       {"0.0.0.0", "*", "10.0.0.1", "128.0.0.1", "[::]", "lo", "localhost.example", "", "[::1"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(IngressSecurityTest, WhichEndpointsTakeCurve) {
  navette::config::Ingress ingress;
  EXPECT_EQ(SecurityOf(ingress, "tcp://127.0.0.1:5571"), BusSecurity::kCurve);
  EXPECT_EQ(SecurityOf(ingress, "tcp://0.0.0.0:5571"), BusSecurity::kCurve);
  EXPECT_EQ(SecurityOf(ingress, "ipc:///run/navette.sock"), BusSecurity::kPlain);
  ingress.set_allow_plain_loopback(true);
  EXPECT_EQ(SecurityOf(ingress, "tcp://127.0.0.1:5571"), BusSecurity::kPlain);
  EXPECT_EQ(SecurityOf(ingress, "tcp://[::1]:5571"), BusSecurity::kPlain);
  EXPECT_EQ(SecurityOf(ingress, "tcp://localhost:5571"), BusSecurity::kPlain);
  EXPECT_EQ(SecurityOf(ingress, "tcp://*:5571"), BusSecurity::kCurve);
  EXPECT_EQ(SecurityOf(ingress, "tcp://192.168.1.4:5571"), BusSecurity::kCurve);
}

class IngressChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("navette-ingress-checks-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto engine = adapters::bus::NewCurveKeyPair();
    auto adapter = adapters::bus::NewCurveKeyPair();
    ASSERT_TRUE(engine.ok() && adapter.ok());
    engine_ = *engine;
    adapter_ = *adapter;
    secret_file_ = Write("engine.key", engine_.secret_key + "\n", 0600);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }

  std::filesystem::path dir_;
  adapters::bus::CurveKeyPair engine_;
  adapters::bus::CurveKeyPair adapter_;
  std::string secret_file_;
};

TEST_F(IngressChecksTest, PlainTcpIsRefusedAtItsEntryUnlessLoopbackIsAllowed) {
  Checked checked = Check(WithBase(R"(
engine:
  ingress:
    bind: ["tcp://0.0.0.0:5571", "ipc:///run/navette.sock", "tcp://127.0.0.1:5572"]
)"));
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(
      checked.checks,
      ElementsAre("c.yaml:10:12: engine.ingress.bind: 'tcp://0.0.0.0:5571' needs "
                  "engine.ingress.curve (keys from `navette keys new`); plain tcp is allowed only "
                  "on a loopback address, with allow_plain_loopback: true",
                  "c.yaml:10:61: engine.ingress.bind: 'tcp://127.0.0.1:5572' needs "
                  "engine.ingress.curve (keys from `navette keys new`); plain tcp is allowed only "
                  "on a loopback address, with allow_plain_loopback: true"));

  // allow_plain_loopback lets the loopback one go plain, never the other.
  checked = Check(WithBase(R"(
engine:
  ingress:
    bind: ["tcp://0.0.0.0:5571", "tcp://127.0.0.1:5572", "tcp://[::1]:5573"]
    allow_plain_loopback: true
)"));
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:10:12: engine.ingress.bind: 'tcp://0.0.0.0:5571' needs "
                          "engine.ingress.curve (keys from `navette keys new`); plain tcp is "
                          "allowed only on a loopback address, with allow_plain_loopback: true"));
}

TEST_F(IngressChecksTest, ACompleteCurveBlockPasses) {
  const std::string keys_file =
      Write("authorized", fmt::format("# adapters\n{} lab\n", adapter_.public_key), 0644);
  Checked checked = Check(WithBase(fmt::format(R"(
engine:
  ingress:
    bind: ["tcp://0.0.0.0:5571", "tcp://127.0.0.1:5572"]
    allow_plain_loopback: true
    curve:
      secret_key_file: "{}"
      authorized_keys: ["{}"]
      authorized_keys_file: "{}"
)",
                                               secret_file_, adapter_.public_key, keys_file)));
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(checked.checks, IsEmpty());

  navette::config::IngressCurve curve;
  curve.set_secret_key_file(secret_file_);
  curve.add_authorized_keys(adapter_.public_key);
  curve.set_authorized_keys_file(keys_file);
  auto keys = ReadIngressCurveKeys(curve);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->server.public_key, engine_.public_key);
  EXPECT_EQ(keys->server.secret_key, engine_.secret_key);
  EXPECT_THAT(keys->authorized, ElementsAre(adapter_.public_key));  // once, not twice
}

TEST_F(IngressChecksTest, EachKeyProblemIsReportedAtItsKey) {
  const std::string open_secret = Write("open.key", engine_.secret_key + "\n", 0644);
  const std::string bad_keys = Write("authorized", "not-a-key lab\n", 0644);
  Checked checked = Check(WithBase(fmt::format(R"(
engine:
  ingress:
    bind: ["tcp://0.0.0.0:5571"]
    curve:
      secret_key_file: "{}"
      authorized_keys: ["{}", "too-short"]
      authorized_keys_file: "{}"
)",
                                               open_secret, adapter_.public_key, bad_keys)));
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(
      checked.checks,
      ElementsAre(
          fmt::format("c.yaml:12:24: engine.ingress.curve.secret_key_file: {} is open to other "
                      "users (mode 0644): a secret key file must not be (chmod 600 it)",
                      open_secret),
          "c.yaml:13:69: engine.ingress.curve.authorized_keys[1]: not a CURVE key: 9 "
          "characters, where a Z85 key has 40",
          fmt::format("c.yaml:14:29: engine.ingress.curve.authorized_keys_file: {}:1: not a "
                      "CURVE key: 9 characters, where a Z85 key has 40",
                      bad_keys)));
}

TEST_F(IngressChecksTest, ASecretKeyFileIsRequiredAndMustExist) {
  Checked checked = Check(WithBase(fmt::format(R"(
engine:
  ingress:
    bind: ["tcp://0.0.0.0:5571"]
    curve:
      authorized_keys: ["{}"]
)",
                                               adapter_.public_key)));
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:12:7: engine.ingress.curve: secret_key_file is required (the "
                          "engine's secret key, from `navette keys new`)"));

  const std::string missing = (dir_ / "missing.key").string();
  checked = Check(WithBase(fmt::format(R"(
engine:
  ingress:
    bind: ["tcp://0.0.0.0:5571"]
    curve: {{secret_key_file: "{}", authorized_keys: ["{}"]}}
)",
                                       missing, adapter_.public_key)));
  EXPECT_THAT(checked.checks,
              ElementsAre(fmt::format("c.yaml:11:30: engine.ingress.curve.secret_key_file: "
                                      "cannot read {}: No such file or directory",
                                      missing)));
}

TEST_F(IngressChecksTest, CurveWithNoAuthorizedKeyIsRefused) {
  const std::string empty = Write("authorized", "# nobody yet\n", 0644);
  Checked checked = Check(WithBase(fmt::format(R"(
engine:
  ingress:
    bind: ["tcp://0.0.0.0:5571"]
    curve:
      secret_key_file: "{}"
      authorized_keys_file: "{}"
)",
                                               secret_file_, empty)));
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:12:7: engine.ingress.curve: no authorized key (authorized_keys "
                          "or authorized_keys_file): no adapter could publish"));
  navette::config::IngressCurve curve;
  curve.set_secret_key_file(secret_file_);
  curve.set_authorized_keys_file(empty);
  EXPECT_EQ(ReadIngressCurveKeys(curve).status().message(),
            "engine.ingress.curve: no authorized key");
}

TEST_F(IngressChecksTest, CurveThatNoEndpointTakesIsAWarning) {
  Checked checked = Check(WithBase(fmt::format(R"(
engine:
  ingress:
    bind: ["tcp://127.0.0.1:5571"]
    allow_plain_loopback: true
    curve: {{secret_key_file: "{}", authorized_keys: ["{}"]}}
)",
                                               secret_file_, adapter_.public_key)));
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:12:12: warning: engine.ingress.curve is set but no "
                          "engine.ingress.bind endpoint takes CURVE (ipc:// and, with "
                          "allow_plain_loopback, loopback tcp:// are plain)"));
}

}  // namespace
}  // namespace navette::engine::config
