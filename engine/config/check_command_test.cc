#include "engine/config/check_command.h"
#include "engine/builtin_kinds.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/config/loader.h"

namespace navette::engine::config {
namespace {

using ::testing::IsEmpty;

const std::string kFixtures = std::string(NAVETTE_FIXTURES_DIR) + "/config";

TEST(CheckCommandTest, ValidFileSummarises) {
  std::string path = kFixtures + "/example.yaml";
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunCheck(path, BuiltinKinds(), out, err), 0);
  EXPECT_THAT(err.str(), IsEmpty());
  LoadResult loaded = LoadConfigFile(path, BuiltinKinds());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(out.str(), path + ": ok (2 sources, 4 routes, 2 destinations, version " +
                           loaded.config->version + ")\n");
}

TEST(CheckCommandTest, SingularCounts) {
  std::string path = ::testing::TempDir() + "/check_command_test_default.yaml";
  {
    std::ofstream file(path);
    file << DefaultConfigText();
  }
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunCheck(path, BuiltinKinds(), out, err), 0) << err.str();
  EXPECT_EQ(out.str(), path + ": ok (1 source, 1 route, 1 destination, version " +
                           ConfigVersion(DefaultConfigText()) + ")\n");
  std::remove(path.c_str());
}

TEST(CheckCommandTest, PrintsEveryErrorAndFails) {
  std::string path = kFixtures + "/three_errors.yaml";
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunCheck(path, BuiltinKinds(), out, err), 1);
  EXPECT_THAT(out.str(), IsEmpty());
  EXPECT_EQ(err.str(),
            path +
                ":15:7: error: unknown key 'max_conections' in sources[0].mllp (expected one "
                "of: listen, max_message_bytes, idle_timeout, max_connections, "
                "max_connections_per_peer, tls); did you mean 'max_connections'?\n" +
                path +
                ":23:9: error: route 'cr-bio': unknown destination 'dmpp' (known: dmp, outbox)\n" +
                path +
                ":30:20: error: route 'adt': invalid RE2 pattern for PID-3.1: missing ): "
                "(abc\n");
}

TEST(CheckCommandTest, MissingFileFails) {
  std::string path = kFixtures + "/missing.yaml";
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunCheck(path, BuiltinKinds(), out, err), 1);
  EXPECT_THAT(out.str(), IsEmpty());
  EXPECT_EQ(err.str(),
            path + ": error: cannot read the configuration file: No such file or directory\n");
}

}  // namespace
}  // namespace navette::engine::config
