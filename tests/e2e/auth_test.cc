// Acceptance: the admin API answers only to a known token with a role high
// enough, leaves probes and the metrics scraper open, never logs tokens, and
// the CLI finds its token (--token, NAVETTE_TOKEN, <data dir>/admin.token).
#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "adapters/mllp/client.h"
#include "tests/support/admin_http.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

// Made-up tokens for the test configuration (never real secrets).
const std::string kViewerToken = "viewer-token-for-the-auth-test";
const std::string kOperatorToken = "operator-token-for-the-auth-test";
const std::string kWrongToken = "not-a-configured-token";
// A message id that need not exist: the role check comes before the route.
const std::string kReplayPath = "/v1/messages/0000000000000001/replay";

std::string AuthConfig(uint16_t admin_port, uint16_t mllp_port, const std::string& tokens_yaml) {
  return fmt::format(
      "engine:\n"
      "  admin:\n"
      "    listen: \"127.0.0.1:{}\"\n"
      "    tokens:\n{}"
      "sources:\n"
      "  - name: lab\n"
      "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
      "destinations:\n"
      "  - name: outbox\n"
      "    file: {{ directory: outbox }}\n"
      "routes:\n"
      "  - {{ name: all, to: [outbox] }}\n",
      admin_port, tokens_yaml, mllp_port);
}

class AuthTest : public EngineTest {
 protected:
  AuthTest() : EngineTest("navette-auth") {}
  void StartEngine(const std::string& tokens_yaml) {
    StartEngineWith(AuthConfig(admin_port_, mllp_port_, tokens_yaml));
  }
  void StartWithViewerAndOperator() {
    StartEngine(
        fmt::format("      - {{ user: vera, sha256: \"{}\", role: viewer }}\n"
                    "      - {{ user: otto, sha256: \"{}\", role: operator }}\n",
                    Sha256Hex(kViewerToken), Sha256Hex(kOperatorToken)));
  }
  httplib::Client Client() const { return AdminClient(admin_port_); }
};

TEST_F(AuthTest, ReadingNeedsAKnownToken) {
  StartWithViewerAndOperator();
  httplib::Client client = Client();

  auto anonymous = client.Get("/v1/messages");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_NE(anonymous->body.find("\"error\""), std::string::npos) << anonymous->body;

  auto wrong = client.Get("/v1/messages", Bearer(kWrongToken));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->get_header_value("WWW-Authenticate"), "Bearer");

  // Not a bearer token: refused too.
  auto basic = client.Get("/v1/messages", {{"Authorization", "Basic " + kViewerToken}});
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401);

  auto viewer = client.Get("/v1/messages", Bearer(kViewerToken));
  ASSERT_TRUE(viewer);
  EXPECT_EQ(viewer->status, 200) << viewer->body;
  auto lower_scheme = client.Get("/v1/messages", {{"Authorization", "bearer " + kViewerToken}});
  ASSERT_TRUE(lower_scheme);
  EXPECT_EQ(lower_scheme->status, 200);
  auto operator_reads = client.Get("/v1/messages", Bearer(kOperatorToken));
  ASSERT_TRUE(operator_reads);
  EXPECT_EQ(operator_reads->status, 200);

  // Unknown paths under /v1/ answer 401 too: no token, no map of the API.
  auto unknown = client.Get("/v1/no-such-thing");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 401);
}

TEST_F(AuthTest, ChangingNeedsTheOperatorRole) {
  StartWithViewerAndOperator();
  // A real message, delivered to the outbox, for the operator to replay.
  auto mllp = adapters::mllp::MllpClient::Connect("127.0.0.1", mllp_port_, std::chrono::seconds(5));
  ASSERT_TRUE(mllp.ok()) << mllp.status();
  auto ack = (*mllp)->Exchange(MakeOru("AUTH1"), std::chrono::seconds(10));
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_NE(ack->find("MSA|AA|"), std::string::npos) << *ack;
  httplib::Client client = Client();
  std::string id;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto listed = client.Get("/v1/messages?state=delivered", Bearer(kViewerToken));
        if (!listed || listed->body.find("\"id\":\"") == std::string::npos) return false;
        id = listed->body.substr(listed->body.find("\"id\":\"") + 6, 16);
        return true;
      },
      std::chrono::seconds(10)))
      << engine_->Log();
  const std::string replay_path = "/v1/messages/" + id + "/replay";

  auto anonymous = client.Post(replay_path, "{}", "application/json");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto wrong = client.Post(replay_path, Bearer(kWrongToken), "{}", "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);

  auto viewer = client.Post(replay_path, Bearer(kViewerToken), "{}", "application/json");
  ASSERT_TRUE(viewer);
  EXPECT_EQ(viewer->status, 403) << viewer->body;
  EXPECT_NE(viewer->body.find("\"error\""), std::string::npos) << viewer->body;
  auto viewer_discards =
      client.Post("/v1/messages/" + id + "/discard", Bearer(kViewerToken), "", "application/json");
  ASSERT_TRUE(viewer_discards);
  EXPECT_EQ(viewer_discards->status, 403);
  auto viewer_bulk =
      client.Post("/v1/replays", Bearer(kViewerToken), R"({"state":"dead"})", "application/json");
  ASSERT_TRUE(viewer_bulk);
  EXPECT_EQ(viewer_bulk->status, 403);
  // The viewer's refusal changed nothing.
  auto before = client.Get("/v1/messages/" + id, Bearer(kViewerToken));
  ASSERT_TRUE(before);
  EXPECT_EQ(before->body.find("\"type\":\"replayed\""), std::string::npos) << before->body;

  auto operator_replays = client.Post(replay_path, Bearer(kOperatorToken),
                                      R"({"destination":"outbox"})", "application/json");
  ASSERT_TRUE(operator_replays);
  EXPECT_EQ(operator_replays->status, 200) << operator_replays->body;
  auto after = client.Get("/v1/messages/" + id, Bearer(kViewerToken));
  ASSERT_TRUE(after);
  EXPECT_NE(after->body.find("\"actor\":\"otto\""), std::string::npos) << after->body;

  auto viewer_deletes = client.Delete("/v1/messages/" + id, Bearer(kViewerToken));
  ASSERT_TRUE(viewer_deletes);
  EXPECT_EQ(viewer_deletes->status, 403);
}

TEST_F(AuthTest, ProbesAndMetricsStayOpen) {
  StartWithViewerAndOperator();
  httplib::Client client = Client();
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
}

TEST_F(AuthTest, LocalAdminTokenIsPrivateAndAccepted) {
  StartEngine("");
  const std::filesystem::path file = engine_->data_dir() / "admin.token";
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  const std::string token = engine_->admin_token();
  EXPECT_TRUE(std::regex_match(token, std::regex("[0-9a-f]{64}"))) << token;

  httplib::Client client = Client();
  auto listed = client.Get("/v1/messages", Bearer(token));
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);

  // A restart keeps the same token: the CLI's copy stays valid.
  ASSERT_TRUE(engine_->Stop().ok());
  ASSERT_TRUE(engine_->Start().ok()) << engine_->Log();
  EXPECT_EQ(engine_->admin_token(), token);
  auto again = client.Get("/v1/messages", Bearer(token));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST_F(AuthTest, RefusalsAreLoggedWithoutTheToken) {
  StartWithViewerAndOperator();
  httplib::Client client = Client();
  ASSERT_TRUE(client.Get("/v1/messages", Bearer(kWrongToken)));
  ASSERT_TRUE(client.Post(kReplayPath, Bearer(kViewerToken), "{}", "application/json"));
  ASSERT_TRUE(client.Get("/v1/messages", Bearer(kViewerToken)));
  EXPECT_TRUE(WaitFor(
      [&] {
        const std::string log = engine_->Log();
        return log.find("/v1/messages from") != std::string::npos &&
               log.find("user 'vera'") != std::string::npos;
      },
      std::chrono::seconds(5)))
      << engine_->Log();
  const std::string log = engine_->Log();
  EXPECT_EQ(log.find(kWrongToken), std::string::npos) << log;
  EXPECT_EQ(log.find(kViewerToken), std::string::npos) << log;
  EXPECT_EQ(log.find(engine_->admin_token()), std::string::npos) << log;
}

TEST_F(AuthTest, CliFindsItsToken) {
  StartWithViewerAndOperator();
  const std::string data_dir = engine_->data_dir().string();

  // The local admin token, from --data-dir.
  CommandResult local = RunNavette({"messages", "list", "--admin", Admin(), "-d", data_dir});
  EXPECT_EQ(local.exit_code, 0) << local.err;

  // --token wins over the data directory.
  CommandResult wrong =
      RunNavette({"messages", "list", "--admin", Admin(), "-d", data_dir, "--token", kWrongToken});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("refused the token from --token (401)"), std::string::npos) << wrong.err;
  CommandResult viewer = RunNavette({"messages", "list", "--admin", Admin(), "-d",
                                     (dir_ / "elsewhere").string(), "--token", kViewerToken});
  EXPECT_EQ(viewer.exit_code, 0) << viewer.err;

  // NAVETTE_TOKEN, when there is no --token (inherited by the child).
  ASSERT_EQ(::setenv("NAVETTE_TOKEN", kViewerToken.c_str(), 1), 0);
  CommandResult from_env =
      RunNavette({"messages", "list", "--admin", Admin(), "-d", (dir_ / "elsewhere").string()});
  ::unsetenv("NAVETTE_TOKEN");
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;

  // No token anywhere.
  CommandResult none = RunNavette({"messages", "show", "0000000000000001", "--admin", Admin(), "-d",
                                   (dir_ / "elsewhere").string()});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no admin token: no --token, no $NAVETTE_TOKEN, and no " +
                          (dir_ / "elsewhere" / "admin.token").string() + " (not found)"),
            std::string::npos)
      << none.err;
}

TEST_F(AuthTest, TokenNewPrintsAnEntryTheEngineAccepts) {
  CommandResult made = RunNavette({"token", "new", "--user", "nurse station", "--role", "viewer"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const size_t first_line_end = made.out.find('\n');
  ASSERT_NE(first_line_end, std::string::npos);
  const std::string token = made.out.substr(0, first_line_end);
  EXPECT_TRUE(std::regex_match(token, std::regex("[0-9a-f]{64}"))) << made.out;
  EXPECT_NE(made.out.find("shown only this once"), std::string::npos) << made.out;
  EXPECT_NE(made.out.find("sha256: " + Sha256Hex(token)), std::string::npos) << made.out;

  // Paste the printed entry (everything after the token) under tokens.
  std::string entry;
  std::stringstream lines(made.out.substr(first_line_end + 1));
  for (std::string line; std::getline(lines, line);) entry += "      " + line + "\n";
  StartEngine(entry);
  httplib::Client client = Client();
  auto viewer = client.Get("/v1/messages", Bearer(token));
  ASSERT_TRUE(viewer);
  EXPECT_EQ(viewer->status, 200) << engine_->Log();
  auto post = client.Post(kReplayPath, Bearer(token), "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 403);

  CommandResult bad_role = RunNavette({"token", "new", "--user", "x", "--role", "superuser"});
  EXPECT_NE(bad_role.exit_code, 0);
}

}  // namespace
}  // namespace navette::testing
