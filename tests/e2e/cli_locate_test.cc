// The CLI finds its engine (issue 11, point 10): an engine on a non-default
// admin port and data directory is reached with --config FILE (or
// $NAVETTE_CONFIG, or $NAVETTE_ADMIN), with the precedence --admin >
// $NAVETTE_ADMIN > configuration > default; and with no token the error
// names the token file looked for.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"

namespace navette::testing {
namespace {

// Sets (or, with nullopt, unsets) an environment variable for one scope;
// the commands the test runs inherit it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class CliLocateTest : public EngineTest {
 protected:
  CliLocateTest() : EngineTest("navette-cli-locate") {}
  void SetUp() override {
    EngineTest::SetUp();
    StartEngineWith(FileEngineConfig(admin_port_, mllp_port_));
    // A configuration naming an admin port nothing listens on.
    dead_config_ = (dir_ / "elsewhere.yaml").string();
    std::ofstream(dead_config_) << FileEngineConfig(FreePort(), FreePort());
  }
  std::string Config() const { return (dir_ / "config.yaml").string(); }
  std::string DataDir() const { return engine_->data_dir().string(); }

  // No inherited setting decides for the test.
  ScopedEnv no_token_{"NAVETTE_TOKEN", std::nullopt};
  ScopedEnv no_admin_{"NAVETTE_ADMIN", std::nullopt};
  ScopedEnv no_config_{"NAVETTE_CONFIG", std::nullopt};
  std::string dead_config_;
};

TEST_F(CliLocateTest, ConfigGivesTheAdminAddress) {
  CommandResult listed = RunNavette({"messages", "list", "--config", Config(), "-d", DataDir()});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("CONTROL-ID"), std::string::npos) << listed.out;

  // The configuration's address, named in the error when nothing answers.
  CommandResult dead = RunNavette({"messages", "list", "-c", dead_config_, "-d", DataDir()});
  EXPECT_EQ(dead.exit_code, 1);
  EXPECT_NE(dead.err.find(fmt::format("(from engine.admin.listen in {} (--config))", dead_config_)),
            std::string::npos)
      << dead.err;

  CommandResult missing =
      RunNavette({"messages", "list", "-c", (dir_ / "nope.yaml").string(), "-d", DataDir()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("cannot read the configuration " + (dir_ / "nope.yaml").string()),
            std::string::npos)
      << missing.err;
}

TEST_F(CliLocateTest, EnvironmentGivesTheConfigOrTheAddress) {
  {
    ScopedEnv config("NAVETTE_CONFIG", Config());
    CommandResult listed = RunNavette({"messages", "list", "-d", DataDir()});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    // --config wins over $NAVETTE_CONFIG.
    CommandResult flag = RunNavette({"messages", "list", "-c", dead_config_, "-d", DataDir()});
    EXPECT_EQ(flag.exit_code, 1);
    EXPECT_NE(flag.err.find("(--config)"), std::string::npos) << flag.err;
  }
  {
    // $NAVETTE_ADMIN wins over a configuration, as host:port or URL.
    ScopedEnv admin("NAVETTE_ADMIN", fmt::format("127.0.0.1:{}", admin_port_));
    CommandResult listed = RunNavette({"messages", "list", "-c", dead_config_, "-d", DataDir()});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
  }
  {
    // --admin wins over $NAVETTE_ADMIN.
    ScopedEnv admin("NAVETTE_ADMIN", "http://127.0.0.1:1");
    CommandResult env_only = RunNavette({"messages", "list", "-d", DataDir()});
    EXPECT_EQ(env_only.exit_code, 1);
    EXPECT_NE(env_only.err.find("at http://127.0.0.1:1 (from $NAVETTE_ADMIN)"), std::string::npos)
        << env_only.err;
    CommandResult flag = RunNavette({"messages", "list", "--admin", Admin(), "-d", DataDir()});
    EXPECT_EQ(flag.exit_code, 0) << flag.err;
  }
}

TEST_F(CliLocateTest, WithoutATokenTheErrorNamesTheFileLookedFor) {
  const std::filesystem::path elsewhere = dir_ / "not-the-data-dir";
  CommandResult none = RunNavette({"messages", "list", "-c", Config(), "-d", elsewhere.string()});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no admin token: no --token, no $NAVETTE_TOKEN, and no " +
                          (elsewhere / "admin.token").string() + " (not found)"),
            std::string::npos)
      << none.err;
  EXPECT_NE(none.err.find("pass --data-dir, or give --token"), std::string::npos) << none.err;
  EXPECT_EQ(none.err.find("refused the token"), std::string::npos) << none.err;

  // The default data directory is ./navette-data, as for `navette serve`.
  if (!std::filesystem::exists("navette-data/admin.token")) {
    CommandResult by_default = RunNavette({"messages", "list", "-c", Config()});
    EXPECT_NE(by_default.err.find(
                  (std::filesystem::current_path() / "navette-data" / "admin.token").string() +
                  " (not found)"),
              std::string::npos)
        << by_default.err;
  }

  // A token that is there but not this engine's: says where it came from.
  ScopedEnv token("NAVETTE_TOKEN", "not-this-engines-token");
  CommandResult wrong = RunNavette({"messages", "list", "-c", Config(), "-d", DataDir()});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("refused the token from $NAVETTE_TOKEN (401)"), std::string::npos)
      << wrong.err;
}

}  // namespace
}  // namespace navette::testing
