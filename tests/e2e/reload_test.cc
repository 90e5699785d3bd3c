// Hot reload (issue 16, acceptance 3), against the real binary: `navette
// reload` and SIGHUP swap a new configuration in while a sender keeps one
// MLLP connection open and sending (every message AA); a new route and a
// new destination apply to the next messages, a new source listens, and
// each message shows the version that routed it; a broken file is refused
// with the check's lines and the running configuration stays.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "tests/support/cli_output.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ReloadTest : public EngineTest {
 protected:
  ReloadTest() : EngineTest("navette-reload") {}

  // v1: one source, everything to `outbox`. `more_destinations`,
  // `more_routes` and `more_sources` are YAML list items added to each.
  std::string Config(const std::string& more_sources, const std::string& more_destinations,
                     const std::string& more_routes) const {
    return fmt::format(R"(engine:
  admin: {{ listen: "127.0.0.1:{}" }}
sources:
  - name: lab
    mllp: {{ listen: "127.0.0.1:{}" }}
{}destinations:
  - name: outbox
    file: {{ directory: outbox }}
{}routes:
  - {{ name: all, to: [outbox] }}
{})",
                       admin_port_, mllp_port_, more_sources, more_destinations, more_routes);
  }
  void Rewrite(const std::string& yaml) const { std::ofstream(dir_ / "config.yaml") << yaml; }

  // Whether a file of `directory` (under the data directory) holds `text`.
  bool Delivered(const std::string& directory, const std::string& text) const {
    const auto path = dir_ / "data" / directory;
    if (!std::filesystem::exists(path)) return false;
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      if (ReadFileBytes(entry.path()).find(text) != std::string::npos) return true;
    }
    return false;
  }
  // The version that routed the message with `control_id`, once delivered.
  // Found by its MSH-10: the loop below sends more than a page of others.
  std::string ConfigOf(const std::string& control_id) const {
    std::string id;
    WaitFor(
        [&] {
          for (const std::string& line :
               Lines(Messages({"messages", "list", "--json", "--control-id", control_id}).out)) {
            if (JsonField(line, "state") == "delivered") id = JsonField(line, "id");
          }
          return !id.empty();
        },
        std::chrono::seconds(30));
    EXPECT_FALSE(id.empty()) << control_id << "\n" << Diagnostics();
    for (const std::string& line : Lines(Show(id))) {
      if (line.rfind("  config:", 0) == 0) return line.substr(line.find_last_of(' ') + 1);
    }
    return "";
  }
  // The version `navette reload` printed: "configuration reloaded: version
  // V (was W)".
  static std::string ReloadedVersion(const std::string& out) {
    const std::string marker = "configuration reloaded: version ";
    const size_t at = out.find(marker);
    if (at == std::string::npos) return "";
    const size_t start = at + marker.size();
    return out.substr(start, out.find(' ', start) - start);
  }
};

TEST_F(ReloadTest, ANewRouteAppliesToTheNextMessageWhileAConnectionKeepsSending) {
  StartEngineWith(Config("", "", ""));
  auto client =
      adapters::mllp::MllpClient::Connect("127.0.0.1", mllp_port_, std::chrono::seconds(10));
  ASSERT_TRUE(client.ok()) << client.status();
  auto exchange = [&](const std::string& control_id) {
    auto ack = (*client)->Exchange(MakeOru(control_id), std::chrono::seconds(20));
    if (!ack.ok()) return std::string(ack.status().message());
    auto parsed = adapters::hl7v2::ParseAck(*ack);
    return parsed.ok() ? parsed->code : std::string("unreadable ACK");
  };
  ASSERT_EQ(exchange("RL-1"), "AA");
  const std::string v1 = ConfigOf("RL-1");
  ASSERT_FALSE(v1.empty());

  // A sender on the open connection, all through the reload.
  std::atomic<bool> reloaded{false};
  std::vector<std::string> answers;
  std::thread sender([&] {
    for (int i = 0; !reloaded || i < 3; ++i) {
      answers.push_back(exchange(fmt::format("RL-LOOP-{}", i)));
      if (i > 2000) break;  // a reload that never ends fails below
    }
  });
  const uint16_t lab2_port = FreePort();
  Rewrite(
      Config(fmt::format("  - name: lab2\n    mllp: {{ listen: \"127.0.0.1:{}\" }}\n", lab2_port),
             "  - name: copy\n    file: { directory: copies }\n",
             "  - { name: copy, from: [lab], to: [copy] }\n"));
  CommandResult reload = Messages({"reload"});
  reloaded = true;
  sender.join();
  ASSERT_EQ(reload.exit_code, 0) << reload.err << Diagnostics();
  EXPECT_THAT(reload.out, HasSubstr(fmt::format("(was {})", v1)));
  EXPECT_THAT(reload.out, HasSubstr("destination 'copy' added"));
  EXPECT_THAT(reload.out, HasSubstr("source 'lab2' added"));
  const std::string v2 = ReloadedVersion(reload.out);
  ASSERT_FALSE(v2.empty()) << reload.out;
  EXPECT_GE(answers.size(), 3u);
  for (const std::string& answer : answers) EXPECT_EQ(answer, "AA");

  // The same connection: the next message goes through the new route too.
  ASSERT_EQ(exchange("RL-2"), "AA");
  EXPECT_TRUE(WaitFor([&] { return Delivered("copies", "RL-2"); }, std::chrono::seconds(20)))
      << Diagnostics();
  // The outbox is its own destination: it may deliver a moment later.
  EXPECT_TRUE(WaitFor([&] { return Delivered("outbox", "RL-2"); }, std::chrono::seconds(20)));
  EXPECT_FALSE(Delivered("copies", "RL-1"));
  EXPECT_EQ(ConfigOf("RL-1"), v1);
  EXPECT_EQ(ConfigOf("RL-2"), v2);
  // The new source listens; the metric names the running version.
  Send(lab2_port, MakeOru("RL-LAB2"));
  EXPECT_EQ(ConfigOf("RL-LAB2"), v2);
  auto metrics = HttpGet(admin_port_, "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_THAT(metrics->second,
              HasSubstr(fmt::format("navette_config_info{{version=\"{}\"}} 1", v2)));
  EXPECT_THAT(metrics->second, Not(HasSubstr(fmt::format("version=\"{}\"", v1))));

  // A broken file: refused with the check's line, the running one stays.
  Rewrite(Config("", "", "  - { name: broken, from: [lab], to: [nowhere] }\n"));
  CommandResult refused = Messages({"reload"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("the configuration was not reloaded; the running one stays"));
  EXPECT_THAT(refused.err, HasSubstr((dir_ / "config.yaml").string() + ":"));
  EXPECT_THAT(refused.err, HasSubstr("error: route 'broken': unknown destination 'nowhere'"));
  ASSERT_EQ(exchange("RL-3"), "AA");
  EXPECT_EQ(ConfigOf("RL-3"), v2);
  EXPECT_TRUE(WaitFor([&] { return Delivered("copies", "RL-3"); }, std::chrono::seconds(20)));

  // SIGHUP: the copy route removed.
  Rewrite(Config("", "  - name: copy\n    file: { directory: copies }\n", ""));
  ASSERT_EQ(::kill(engine_->pid(), SIGHUP), 0);
  std::string v4;
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string log = engine_->Log();
        const size_t at = log.rfind("configuration reloaded: version ");
        if (at == std::string::npos || log.find(v2, at) == std::string::npos) return false;
        v4 = ReloadedVersion(log.substr(at));
        return v4 != v2;
      },
      std::chrono::seconds(20)))
      << Diagnostics();
  ASSERT_EQ(exchange("RL-4"), "AA");
  EXPECT_EQ(ConfigOf("RL-4"), v4);
  EXPECT_FALSE(Delivered("copies", "RL-4"));

  // Each reload is in the audit trail, with who asked.
  CommandResult audit = Messages({"audit", "list"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr(fmt::format("{} -> {}", v1, v2)));
  EXPECT_THAT(audit.out, HasSubstr(fmt::format("refused; running configuration {} kept", v2)));
  EXPECT_THAT(audit.out, HasSubstr("SIGHUP (admin)"));
  EXPECT_THAT(audit.out, HasSubstr("local-admin (admin)"));
}

TEST_F(ReloadTest, AChangedDestinationContinuesItsQueueWithTheNewSettings) {
  StartEngineWith(Config("", "", ""));
  Send(mllp_port_, MakeOru("RD-1"));
  ASSERT_TRUE(WaitFor([&] { return Delivered("outbox", "RD-1"); }, std::chrono::seconds(20)));
  // The outbox moves: messages routed after the reload land in the new one.
  std::string moved = Config("", "", "");
  moved.replace(moved.find("directory: outbox"), 17, "directory: outbox-new");
  Rewrite(moved);
  CommandResult reload = Messages({"reload"});
  ASSERT_EQ(reload.exit_code, 0) << reload.err;
  EXPECT_THAT(reload.out, HasSubstr("destination 'outbox' continues with its new settings"));
  Send(mllp_port_, MakeOru("RD-2"));
  EXPECT_TRUE(WaitFor([&] { return Delivered("outbox-new", "RD-2"); }, std::chrono::seconds(20)))
      << Diagnostics();
  EXPECT_FALSE(Delivered("outbox", "RD-2"));
}

}  // namespace
}  // namespace navette::testing
