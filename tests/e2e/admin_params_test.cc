// The admin API refuses what it does not understand (issue 11, point 11): a
// query parameter a route does not take is answered 400 naming it and the
// ones the route takes, on every /v1 route, rather than silently ignored (a
// script filtering on `control_id=` used to get every message).
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <string>

#include <fmt/format.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

class AdminParamsTest : public EngineTest {
 protected:
  AdminParamsTest() : EngineTest("navette-admin-params") {}
  void SetUp() override {
    EngineTest::SetUp();
    StartEngineWith(FileEngineConfig(admin_port_, mllp_port_));
    token_ = engine_->admin_token();
  }
  std::pair<long, std::string> Get(const std::string& path) {
    auto answer = HttpGet(admin_port_, path, token_);
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? *answer : std::make_pair(0L, std::string());
  }
  std::pair<long, std::string> Post(const std::string& path) {
    auto answer = HttpPost(admin_port_, path, "{}", token_);
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? *answer : std::make_pair(0L, std::string());
  }
  // A message in the store, delivered; its id.
  std::string SendOne(const std::string& control_id) {
    const auto path = dir_ / (control_id + ".hl7");
    std::ofstream(path, std::ios::binary) << MakeOru(control_id);
    CommandResult sent = RunNavette({"send", "--port", std::to_string(mllp_port_), path.string()});
    EXPECT_EQ(sent.exit_code, 0) << sent.out << sent.err;
    std::string id;
    WaitFor(
        [&] {
          auto [status, body] = Get("/v1/messages?state=delivered");
          const size_t at = body.find("\"id\":\"");
          if (status != 200 || at == std::string::npos) return false;
          id = body.substr(at + 6, 16);
          return true;
        },
        std::chrono::seconds(20));
    return id;
  }

  std::string token_;
};

TEST_F(AdminParamsTest, ListRefusesAFilterItDoesNotKnow) {
  ASSERT_FALSE(SendOne("ORU-1").empty()) << engine_->Log();

  auto [status, body] = Get("/v1/messages?msh10=ORU-1");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body,
            "{\"error\":\"unknown query parameter 'msh10' (GET /v1/messages takes state, "
            "source, route, destination, ipp, ins, control_id, document_id, set_id, field, since, "
            "until, limit, before)\",\"details\":[]}");

  auto [several_status, several] = Get("/v1/messages?limit=5&colour=red&msh10=x");
  EXPECT_EQ(several_status, 400);
  EXPECT_NE(several.find("unknown query parameters 'colour', 'msh10'"), std::string::npos)
      << several;

  auto [twice_status, twice] = Get("/v1/messages?state=dead&state=delivered");
  EXPECT_EQ(twice_status, 400);
  EXPECT_NE(twice.find("query parameter given more than once: 'state'"), std::string::npos)
      << twice;

  // The known ones still work, all together.
  auto [ok_status, ok] = Get("/v1/messages?state=delivered&source=lab&route=all&limit=5");
  EXPECT_EQ(ok_status, 200) << ok;
  EXPECT_NE(ok.find("\"control_id\":\"ORU-1\""), std::string::npos) << ok;
}

TEST_F(AdminParamsTest, EveryRouteRefusesParametersItDoesNotTake) {
  const std::string id = SendOne("ORU-1");
  ASSERT_FALSE(id.empty()) << engine_->Log();
  for (const std::string& path : {"/v1/messages/" + id + "?verbose=1",
                                  "/v1/messages/" + id + "/delivered?destination=outbox&verbose=1",
                                  std::string("/v1/replays/1?verbose=1")}) {
    auto [status, body] = Get(path);
    EXPECT_EQ(status, 400) << path;
    EXPECT_NE(body.find("unknown query parameter 'verbose'"), std::string::npos)
        << path << ": " << body;
  }
  for (const std::string action : {"replay", "discard", "release"}) {
    auto [status, body] = Post(fmt::format("/v1/messages/{}/{}?force=1", id, action));
    EXPECT_EQ(status, 400) << action;
    EXPECT_NE(body.find("unknown query parameter 'force' (POST /v1/messages/" + id + "/" + action +
                        " takes none)"),
              std::string::npos)
        << body;
  }
  auto [bulk_status, bulk] = Post("/v1/replays?state=dead");
  EXPECT_EQ(bulk_status, 400);
  EXPECT_NE(bulk.find("unknown query parameter 'state'"), std::string::npos) << bulk;

  // The message was left alone by every refused action.
  auto [shown_status, shown] = Get("/v1/messages/" + id);
  EXPECT_EQ(shown_status, 200);
  EXPECT_NE(shown.find("\"state\":\"delivered\""), std::string::npos) << shown;
}

TEST_F(AdminParamsTest, AFormEncodedBodyIsNotTakenForParameters) {
  // `curl -d '{}'` labels its JSON body as a form: its fields are not query
  // parameters.
  const std::string id = SendOne("ORU-1");
  ASSERT_FALSE(id.empty()) << engine_->Log();
  httplib::Client client("127.0.0.1", admin_port_);
  client.set_read_timeout(10);
  auto answer =
      client.Post("/v1/messages/" + id + "/discard", {{"Authorization", "Bearer " + token_}}, "{}",
                  "application/x-www-form-urlencoded");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_NE(answer->body.find("\"state\":\"discarded\""), std::string::npos) << answer->body;
}

}  // namespace
}  // namespace navette::testing
