// The web console's server side (docs/console.md): its files served open
// with a strict Content-Security-Policy and no inline script, and the API
// calls it adds (whoami, status, parked) answering by role.
#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/support/admin_http.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"

namespace navette::testing {
namespace {

// Made-up tokens for the test configuration (never real secrets).
const std::string kViewerToken = "viewer-token-for-the-console-test";
const std::string kOperatorToken = "operator-token-for-the-console-test";

class ConsoleApiTest : public EngineTest {
 protected:
  ConsoleApiTest() : EngineTest("navette-console-api") {}
  void SetUp() override {
    EngineTest::SetUp();
    StartEngineWith(
        fmt::format("engine:\n"
                    "  admin:\n"
                    "    listen: \"127.0.0.1:{}\"\n"
                    "{}"
                    "sources:\n"
                    "  - name: lab\n"
                    "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
                    "destinations:\n"
                    "  - name: outbox\n"
                    "    file: {{ directory: outbox }}\n"
                    "routes:\n"
                    "  - {{ name: all, to: [outbox] }}\n",
                    admin_port_, TokensYaml({kViewerToken, kOperatorToken, ""}), mllp_port_));
  }
  httplib::Client Client() const { return AdminClient(admin_port_); }
};

TEST_F(ConsoleApiTest, TheConsoleIsAtTheAdminAddressWithAStrictPolicyAndNoInlineScript) {
  httplib::Client client = Client();
  auto root = client.Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 302);
  EXPECT_EQ(root->get_header_value("Location"), "/console/");

  // No token: the files hold no data.
  auto page = client.Get("/console/");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200) << page->body;
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const std::string policy = page->get_header_value("Content-Security-Policy");
  EXPECT_NE(policy.find("default-src 'none'"), std::string::npos) << policy;
  EXPECT_NE(policy.find("script-src 'self'"), std::string::npos) << policy;
  EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;
  EXPECT_EQ(policy.find("unsafe"), std::string::npos) << policy;
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page->get_header_value("Referrer-Policy"), "no-referrer");
  // Every script is a file of this origin: no inline script, no handler
  // attribute, no style attribute, nothing from another origin.
  EXPECT_FALSE(std::regex_search(page->body, std::regex("<script(?![^>]*\\bsrc=)"))) << page->body;
  EXPECT_FALSE(std::regex_search(page->body, std::regex("\\son[a-z]+\\s*=", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(page->body, std::regex("\\sstyle\\s*=", std::regex::icase)));
  EXPECT_EQ(page->body.find("http://"), std::string::npos);
  EXPECT_EQ(page->body.find("https://"), std::string::npos);

  auto script = client.Get("/console/js/app.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_FALSE(script->get_header_value("Content-Security-Policy").empty());

  auto missing = client.Get("/console/js/no-such-module.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  // Open means the console's files only: the API still wants a token.
  auto api = client.Get("/v1/status");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 401);
}

TEST_F(ConsoleApiTest, WhoAmISaysTheRoleAndWhetherItSeesPayloads) {
  httplib::Client client = Client();
  auto viewer = client.Get("/v1/whoami", Bearer(kViewerToken));
  ASSERT_TRUE(viewer);
  ASSERT_EQ(viewer->status, 200) << viewer->body;
  const nlohmann::json vera = nlohmann::json::parse(viewer->body);
  EXPECT_EQ(vera["user"], "vera");
  EXPECT_EQ(vera["role"], "viewer");
  EXPECT_EQ(vera["payload_role"], "operator");
  EXPECT_EQ(vera["may_see_payload"], false);

  auto operator_ = client.Get("/v1/whoami", Bearer(kOperatorToken));
  ASSERT_TRUE(operator_);
  const nlohmann::json otto = nlohmann::json::parse(operator_->body);
  EXPECT_EQ(otto["user"], "otto");
  EXPECT_EQ(otto["role"], "operator");
  EXPECT_EQ(otto["may_see_payload"], true);
}

TEST_F(ConsoleApiTest, StatusListsEachDestinationAndCountsWhatWaits) {
  httplib::Client client = Client();
  auto status = client.Get("/v1/status", Bearer(kViewerToken));
  ASSERT_TRUE(status);
  ASSERT_EQ(status->status, 200) << status->body;
  const nlohmann::json body = nlohmann::json::parse(status->body);
  EXPECT_FALSE(body["config_version"].get<std::string>().empty());
  ASSERT_EQ(body["destinations"].size(), 1u) << status->body;
  EXPECT_EQ(body["destinations"][0]["name"], "outbox");
  EXPECT_EQ(body["destinations"][0]["kind"], "file");
  EXPECT_EQ(body["destinations"][0]["queue_depth"], "0");
  EXPECT_EQ(body["destinations"][0]["circuit_open"], false);
  EXPECT_EQ(body["parked"]["messages"], "0");
  EXPECT_EQ(body["intake_paused"], false);

  auto refused = client.Get("/v1/status?verbose=1", Bearer(kViewerToken));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
}

TEST_F(ConsoleApiTest, ParkedDocumentsNamePatientsSoOnlyThePayloadRoleSeesThem) {
  httplib::Client client = Client();
  auto viewer = client.Get("/v1/parked", Bearer(kViewerToken));
  ASSERT_TRUE(viewer);
  EXPECT_EQ(viewer->status, 403) << viewer->body;
  EXPECT_NE(viewer->body.find("payload_role"), std::string::npos) << viewer->body;

  auto operator_ = client.Get("/v1/parked", Bearer(kOperatorToken));
  ASSERT_TRUE(operator_);
  ASSERT_EQ(operator_->status, 200) << operator_->body;
  const nlohmann::json body = nlohmann::json::parse(operator_->body);
  EXPECT_TRUE(body["patients"].empty());
  EXPECT_EQ(body["truncated"], false);

  auto bad = client.Get("/v1/parked?limit=0", Bearer(kOperatorToken));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

}  // namespace
}  // namespace navette::testing
