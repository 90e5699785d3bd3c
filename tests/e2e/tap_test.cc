// `navette tap` against the real engine: a destination that fails, then
// answers; another that refuses for good, then a replay. Taps run as
// subprocesses of their own, with a viewer's token, and what they print is
// read from their output files: the events of each message in the order
// they happened, filtered taps showing only what they ask for, no payload
// anywhere, and the same tap following again after the engine restarts on
// its data directory.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"
#include "tests/support/http_peer.h"

extern char** environ;

namespace navette::testing {
namespace {

using namespace std::chrono_literals;

constexpr char kViewerToken[] = "viewer-token-for-the-tap-test-0123456789";
// Written in the payload (PID-5 and an OBX value) only: no tap line may
// show them.
constexpr char kPatientName[] = "TAPZORGLUB";
constexpr char kFirstName[] = "CUNEGONDE";
constexpr char kResultText[] = "RESULTAT-SECRET-42";

std::string Oru(const std::string& control_id) {
  return fmt::format(
      "MSH|^~\\&|SIL-Y|labo|PFI-X|Organisation-X|20260101120000||ORU^R01^ORU_R01|{}|P|2.5\r"
      "PID|||000777^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI||{}^{}^^^^^L||19790328|F\r"
      "OBR|1|98765431^Nephro|1001-E1^labo|11502-2^CR d'examens biologiques^LN\r"
      "OBX|1|TX|11502-2^CR^LN||{}||||||F\r",
      control_id, kPatientName, kFirstName, kResultText);
}

// A `navette tap` running in the background, its stdout and stderr going
// to files that the test reads as they grow.
class TapProcess {
 public:
  TapProcess(const std::filesystem::path& dir, const std::string& name,
             const std::vector<std::string>& args)
      : out_(dir / (name + ".out")), err_(dir / (name + ".err")) {
    std::vector<std::string> storage = {NavetteBinary(), "tap"};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : storage) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~TapProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  TapProcess(const TapProcess&) = delete;
  TapProcess& operator=(const TapProcess&) = delete;

  bool started() const { return pid_ > 0; }
  // Whether it is still running (a tap ends only when interrupted).
  bool running() {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
  }
  std::vector<std::string> Lines() const { return navette::testing::Lines(ReadFileBytes(out_)); }
  std::string Out() const { return ReadFileBytes(out_); }
  std::string Err() const { return ReadFileBytes(err_); }
  bool WaitForErr(const std::string& text, int occurrences = 1) const {
    return WaitFor(
        [&] {
          const std::string err = Err();
          int found = 0;
          for (size_t at = err.find(text); at != std::string::npos; at = err.find(text, at + 1)) {
            ++found;
          }
          return found >= occurrences;
        },
        30s);
  }

 private:
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
};

// One event line of `tap --json`.
struct TapLine {
  std::string type, id, source, route, destination, actor, next_attempt_at;
  int attempt = 0;
};

int JsonNumber(const std::string& json, const std::string& key) {
  std::smatch match;
  if (std::regex_search(json, match, std::regex("\"" + key + "\":([0-9]+)"))) {
    return std::stoi(match[1]);
  }
  return -1;
}

TapLine Parse(const std::string& line) {
  return TapLine{.type = JsonField(line, "type"),
                 .id = JsonField(line, "id"),
                 .source = JsonField(line, "source"),
                 .route = JsonField(line, "route"),
                 .destination = JsonField(line, "destination"),
                 .actor = JsonField(line, "actor"),
                 .next_attempt_at = JsonField(line, "next_attempt_at"),
                 .attempt = JsonNumber(line, "attempt")};
}

// The events of message `id` in the tap's output, in order.
std::vector<TapLine> EventsOf(const TapProcess& tap, const std::string& id) {
  std::vector<TapLine> events;
  for (const std::string& line : tap.Lines()) {
    TapLine parsed = Parse(line);
    if (parsed.id == id) events.push_back(parsed);
  }
  return events;
}

// Where the event of `type` (and `destination`, unless empty) comes in
// `events`, from `from` on; -1 when it does not.
int IndexOf(const std::vector<TapLine>& events, const std::string& type,
            const std::string& destination = "", int from = 0) {
  for (int i = from; i < static_cast<int>(events.size()); ++i) {
    if (events[i].type == type && (destination.empty() || events[i].destination == destination)) {
      return i;
    }
  }
  return -1;
}

std::string Describe(const std::vector<TapLine>& events) {
  std::string out;
  for (const TapLine& event : events) {
    out += fmt::format("  {} {} {} attempt={}\n", event.type, event.route, event.destination,
                       event.attempt);
  }
  return out;
}

class TapTest : public EngineTest {
 protected:
  TapTest() : EngineTest("navette-tap") {}

  std::string Config(int peer_port) const {
    // request_timeout bounds each write to a tap, not the tap: the taps
    // below outlive it many times over.
    return fmt::format(R"(engine:
  admin:
    listen: "127.0.0.1:{}"
    request_timeout: 1s
    tokens:
      - {{ user: vera, sha256: {}, role: viewer }}
sources:
  - name: lab
    mllp: {{ listen: "127.0.0.1:{}" }}
destinations:
  - name: web
    http: {{ url: "http://127.0.0.1:{}/in", timeout: 5s }}
    delivery:
      retry: {{ initial_delay: 100ms, factor: 1, jitter: 0 }}
  - name: outbox
    file: {{ directory: outbox }}
routes:
  - {{ name: all, to: [web, outbox] }}
)",
                       admin_port_, Sha256Hex(kViewerToken), mllp_port_, peer_port);
  }
  std::vector<std::string> TapArgs(std::vector<std::string> args) const {
    args.insert(args.end(), {"--admin", Admin(), "--token", kViewerToken});
    return args;
  }
  std::string Diagnostics() const override {
    std::string out = EngineTest::Diagnostics();
    for (const TapProcess* tap : taps_) out += "\n--- tap stdout:\n" + tap->Out() + tap->Err();
    return out;
  }
  // Waits until `tap` shows an event of `type` to `destination` for `id`.
  void WaitForEvent(const TapProcess& tap, const std::string& id, const std::string& type,
                    const std::string& destination) {
    ASSERT_TRUE(WaitFor([&] { return IndexOf(EventsOf(tap, id), type, destination) >= 0; }, 30s))
        << "no " << type << " to " << destination << " for " << id << "\n"
        << Diagnostics();
  }

  std::vector<const TapProcess*> taps_;
};

TEST_F(TapTest, ShowsEachMessagesEventsInOrderFilteredWithoutPayloadAcrossARestart) {
  // web refuses TAP-1 twice (retried), TAP-2 for good until told otherwise.
  std::atomic<bool> accept_tap2{false};
  std::map<std::string, int> calls;
  std::mutex calls_mu;
  HttpPeer peer([&](const std::string& control_id) {
    std::lock_guard lock(calls_mu);
    const int call = ++calls[control_id];
    if (control_id == "TAP-1") return call <= 2 ? 503 : 200;
    if (control_id == "TAP-2") return accept_tap2 ? 200 : 400;
    return 200;
  });
  StartEngineWith(Config(peer.port()));

  TapProcess all(dir_, "all", TapArgs({"--json"}));
  TapProcess outbox(dir_, "outbox", TapArgs({"--json", "--destination", "outbox"}));
  TapProcess delivered(dir_, "delivered", TapArgs({"--json", "--state", "delivered"}));
  TapProcess human(dir_, "human", TapArgs({"--source", "lab"}));
  taps_ = {&all, &outbox, &delivered, &human};
  for (TapProcess* tap : {&all, &outbox, &delivered, &human}) {
    ASSERT_TRUE(tap->started());
    // Subscribed before the engine answers: what is sent next is seen.
    ASSERT_TRUE(tap->WaitForErr("navette tap: following events at")) << Diagnostics();
  }
  const auto following_since = std::chrono::steady_clock::now();

  // TAP-1: refused twice, then delivered; the file destination at once.
  Send(mllp_port_, Oru("TAP-1"));
  const std::string first = WaitForState("TAP-1", "delivered");
  ASSERT_FALSE(first.empty()) << Diagnostics();
  WaitForEvent(all, first, "delivered", "web");
  WaitForEvent(all, first, "delivered", "outbox");
  {
    const std::vector<TapLine> events = EventsOf(all, first);
    const int received = IndexOf(events, "received");
    const int routed = IndexOf(events, "routed", "web");
    const int retry1 = IndexOf(events, "retry", "web");
    const int retry2 = IndexOf(events, "retry", "web", retry1 + 1);
    const int done = IndexOf(events, "delivered", "web");
    EXPECT_EQ(received, 0) << Describe(events);
    EXPECT_TRUE(received < routed && routed < retry1 && retry1 < retry2 && retry2 < done)
        << Describe(events);
    EXPECT_LT(IndexOf(events, "routed", "outbox"), IndexOf(events, "delivered", "outbox"))
        << Describe(events);
    ASSERT_GE(retry2, 0) << Describe(events);
    EXPECT_EQ(events[retry1].attempt, 1);
    EXPECT_EQ(events[retry2].attempt, 2);
    EXPECT_FALSE(events[retry1].next_attempt_at.empty()) << Describe(events);
    EXPECT_EQ(events[done].attempt, 3);
    for (const TapLine& event : events) EXPECT_EQ(event.source, "lab");
  }

  // The taps outlive request_timeout (1 s) before TAP-2: what they show of
  // it comes on connections older than that. A wait for time to pass, which
  // is what is tested, not for something to happen.
  std::this_thread::sleep_until(following_since + 2500ms);

  // TAP-2: dead on web (400), then replayed once the peer takes it.
  Send(mllp_port_, Oru("TAP-2"));
  const std::string second = WaitForState("TAP-2", "dead");
  ASSERT_FALSE(second.empty()) << Diagnostics();
  WaitForEvent(all, second, "dead", "web");
  accept_tap2 = true;
  CommandResult replay = Messages({"messages", "replay", second, "--destination", "web"});
  ASSERT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  WaitForEvent(all, second, "delivered", "web");
  {
    const std::vector<TapLine> events = EventsOf(all, second);
    const int dead = IndexOf(events, "dead", "web");
    const int replayed = IndexOf(events, "replayed", "web");
    const int done = IndexOf(events, "delivered", "web");
    EXPECT_TRUE(IndexOf(events, "received") == 0 && dead > 0 && dead < replayed && replayed < done)
        << Describe(events);
    ASSERT_GE(replayed, 0) << Describe(events);
    EXPECT_EQ(events[replayed].actor, "local-admin");
  }

  // The filtered taps: only what they asked for, and all of it. Each saw
  // the last event the unfiltered tap waited for, so nothing is in flight.
  WaitForEvent(outbox, second, "delivered", "outbox");
  WaitForEvent(delivered, second, "delivered", "web");
  const std::vector<std::string> outbox_lines = outbox.Lines();
  for (const std::string& line : outbox_lines) {
    EXPECT_EQ(Parse(line).destination, "outbox") << line;
  }
  for (const std::string& id : {first, second}) {
    std::vector<std::string> kinds;
    for (const TapLine& event : EventsOf(outbox, id)) kinds.push_back(event.type);
    EXPECT_EQ(kinds, (std::vector<std::string>{"routed", "delivered"})) << id;
  }
  std::vector<std::pair<std::string, std::string>> delivered_seen;
  for (const std::string& line : delivered.Lines()) {
    const TapLine event = Parse(line);
    EXPECT_EQ(event.type, "delivered") << line;
    delivered_seen.emplace_back(event.id, event.destination);
  }
  std::sort(delivered_seen.begin(), delivered_seen.end());
  auto expected = std::vector<std::pair<std::string, std::string>>{
      {first, "outbox"}, {first, "web"}, {second, "outbox"}, {second, "web"}};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(delivered_seen, expected);

  // The human form: one line per event, its time first.
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const std::string& line : human.Lines()) {
          if (line.find(" delivered " + second) != std::string::npos &&
              line.find("destination=web") != std::string::npos) {
            return true;
          }
        }
        return false;
      },
      30s))
      << Diagnostics();
  EXPECT_TRUE(std::regex_search(
      human.Out(),
      std::regex("(^|\n)20[0-9-]+T[0-9:]+\\.[0-9]{3}Z received " + first + " source=lab")))
      << human.Out();

  // No tap lost its connection so far, though request_timeout is 1 s.
  for (TapProcess* tap : {&all, &outbox, &delivered, &human}) {
    EXPECT_EQ(tap->Err().find("unreachable"), std::string::npos) << tap->Err();
  }

  // Restart: the same taps, still running, follow the new engine.
  ASSERT_TRUE(engine_->Stop().ok()) << engine_->Log();
  for (TapProcess* tap : {&all, &outbox, &delivered, &human}) {
    ASSERT_TRUE(tap->WaitForErr("engine unreachable, reconnecting")) << Diagnostics();
  }
  ASSERT_TRUE(engine_->Start().ok()) << engine_->Log();
  for (TapProcess* tap : {&all, &outbox, &delivered, &human}) {
    ASSERT_TRUE(tap->WaitForErr("navette tap: following again")) << Diagnostics();
    EXPECT_TRUE(tap->running());
  }
  Send(mllp_port_, Oru("TAP-3"));
  const std::string third = WaitForState("TAP-3", "delivered");
  ASSERT_FALSE(third.empty()) << Diagnostics();
  WaitForEvent(all, third, "delivered", "web");
  WaitForEvent(outbox, third, "delivered", "outbox");
  EXPECT_EQ(IndexOf(EventsOf(all, third), "received"), 0) << Describe(EventsOf(all, third));

  // No payload anywhere: not the patient, not a result, not a segment.
  for (TapProcess* tap : {&all, &outbox, &delivered, &human}) {
    const std::string printed = tap->Out() + tap->Err();
    for (const char* secret : {kPatientName, kFirstName, kResultText, "PID|", "MSH|", "OBX|"}) {
      EXPECT_EQ(printed.find(secret), std::string::npos) << secret << " in:\n" << printed;
    }
    EXPECT_EQ(printed.find("heartbeat"), std::string::npos) << printed;
  }
}

TEST_F(TapTest, RefusesAnUnknownEventKindNamingTheValidOnes) {
  CommandResult result = RunNavette(
      {"tap", "--state", "delivered,retrying", "--admin", "http://127.0.0.1:1", "--token", "x"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("'retrying' is not an event kind"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("received, routed, unrouted, retry, delivered, dead, replayed"),
            std::string::npos)
      << result.err;
}

// The engine checks the filter too (a client other than the CLI), and a
// tap needs a token like every /v1 route.
TEST_F(TapTest, TheApiChecksItsFiltersAndToken) {
  StartEngineWith(Config(1));
  auto bad = HttpGet(admin_port_, "/v1/tap?state=bogus", kViewerToken);
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_EQ(bad->first, 400);
  EXPECT_NE(bad->second.find("'bogus' is not an event kind"), std::string::npos) << bad->second;
  auto unknown = HttpGet(admin_port_, "/v1/tap?status=dead", kViewerToken);
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_EQ(unknown->first, 400);
  auto anonymous = HttpGet(admin_port_, "/v1/tap");
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  EXPECT_EQ(anonymous->first, 401);
}

}  // namespace
}  // namespace navette::testing
