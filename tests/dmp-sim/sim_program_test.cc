// The built navette-dmp-sim as a child process on free ports with a fresh
// --dir: it becomes healthy, prints a destination naming its files, stops
// with exit 0 on SIGTERM, and says in one line which port it cannot take.
// And `navette sim dmp`, which hands its arguments to that program.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "tests/support/engine_process.h"

extern char** environ;

namespace navette::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr auto kStartDeadline = std::chrono::seconds(30);

// A child whose stdout and stderr go to files in `dir`; killed if the test
// ends without reaping it.
class ChildProcess {
 public:
  ChildProcess(fs::path dir, std::string binary, std::vector<std::string> args)
      : dir_(std::move(dir)) {
    std::vector<std::string> argv_strings = {std::move(binary)};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_strings) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (dir_ / "out").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (dir_ / "err").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  bool started() const { return pid_ > 0; }
  void Signal(int signal) const { ::kill(pid_, signal); }
  // The exit code (128 + signal when killed), -1 if it is still running at
  // the deadline.
  int Wait(std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
    int status = 0;
    const bool exited =
        WaitFor([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, deadline);
    if (!exited) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string out() const { return ReadFileBytes(dir_ / "out"); }
  std::string err() const { return ReadFileBytes(dir_ / "err"); }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
};

// Kept when the test failed, for its out and err files.
void RemoveUnlessFailed(const fs::path& dir) {
  if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

bool Healthy(uint16_t admin_port) {
  httplib::Client client("127.0.0.1", admin_port);
  client.set_connection_timeout(1, 0);
  httplib::Result result = client.Get("/health");
  return result && result->status == 200;
}

TEST(SimProgramTest, StartsPrintsItsDestinationAndStopsOnSigterm) {
  const fs::path dir = FreshTestDir("dmp_sim_program");
  const uint16_t port = FreePort();
  const uint16_t admin_port = FreePort();
  ChildProcess sim(dir, NAVETTE_DMP_SIM_BINARY,
                   {"--dir", (dir / "pki").string(), "--port", std::to_string(port), "--admin-port",
                    std::to_string(admin_port)});
  ASSERT_TRUE(sim.started());
  ASSERT_TRUE(WaitFor([&] { return Healthy(admin_port); }, kStartDeadline)) << sim.err();

  const std::string out = sim.out();
  EXPECT_THAT(out, HasSubstr(absl::StrCat("repository_url: \"https://127.0.0.1:", port,
                                          "/DocumentRepository_Service\"")));
  EXPECT_THAT(out,
              HasSubstr(absl::StrCat("https://127.0.0.1:", port, "/DocumentRegistry_Service")));
  EXPECT_THAT(out, HasSubstr(absl::StrCat("http://127.0.0.1:", admin_port)));
  for (const char* file : {"ca.pem", "auth.pem", "auth.key", "sign.pem", "sign.key"}) {
    const fs::path path = dir / "pki" / file;
    EXPECT_TRUE(fs::exists(path)) << path;
    EXPECT_THAT(out, HasSubstr(absl::StrCat("\"", path.string(), "\""))) << file;
  }
  EXPECT_THAT(out, Not(HasSubstr("server.key")));  // the simulator's own, not the engine's

  sim.Signal(SIGTERM);
  EXPECT_EQ(sim.Wait(), 0) << sim.err();
  RemoveUnlessFailed(dir);
}

TEST(SimProgramTest, ATakenPortIsOneLineNamingItAndExit1) {
  const fs::path dir = FreshTestDir("dmp_sim_program");
  // A listener holds the port for the whole test.
  const int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(holder, 1), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int taken = ntohs(address.sin_port);

  ChildProcess sim(dir, NAVETTE_DMP_SIM_BINARY,
                   {"--dir", (dir / "pki").string(), "--port", std::to_string(taken),
                    "--admin-port", std::to_string(FreePort())});
  ASSERT_TRUE(sim.started());
  EXPECT_EQ(sim.Wait(), 1);
  ::close(holder);
  const std::string err = sim.err();
  EXPECT_THAT(err, HasSubstr(absl::StrCat("127.0.0.1:", taken)));
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_EQ(sim.out(), "");
  RemoveUnlessFailed(dir);
}

TEST(SimProgramTest, NavetteSimDmpHandsItsArgumentsToTheSimulator) {
  CommandResult help = RunNavette({"sim", "dmp", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  // The simulator's own help, not navette's.
  EXPECT_THAT(help.out, HasSubstr("navette-dmp-sim"));
  EXPECT_THAT(help.out, HasSubstr("--lenient"));
  EXPECT_THAT(help.out, HasSubstr("--admin-port"));
}

TEST(SimProgramTest, NavetteSimDmpWithoutTheSimulatorBesideItSaysWhereItLooked) {
  const fs::path dir = FreshTestDir("dmp_sim_program");
  const fs::path lonely = dir / "navette";
  fs::copy_file(NavetteBinary(), lonely);
  ChildProcess navette(dir, lonely.string(), {"sim", "dmp", "--lenient"});
  ASSERT_TRUE(navette.started());
  EXPECT_EQ(navette.Wait(), 1);
  EXPECT_THAT(navette.err(), HasSubstr((dir / "navette-dmp-sim").string()));
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace navette::testing
