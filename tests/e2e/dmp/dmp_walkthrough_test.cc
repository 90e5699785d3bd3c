// The README's "DMP path on one machine" (issue 14, acceptance 6), as a
// user runs it: `navette sim dmp` as its own process, the engine on the
// shipped example configuration (examples/dmp/navette-dmp.yaml, with free
// ports and the simulator's directory put in), the example ADTs and ORU
// sent with `navette send`, and the simulator's admin endpoint asked what
// it registered.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_replace.h"
#include "tests/support/engine_process.h"

extern char** environ;

namespace navette::testing {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kExamples = std::filesystem::path(NAVETTE_SOURCE_DIR) / "examples/dmp";

// `navette sim dmp ...` in the background, stopped (SIGTERM) at the end.
class SimulatorProcess {
 public:
  explicit SimulatorProcess(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {NAVETTE_BINARY, "sim", "dmp"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> pointers;
    for (std::string& arg : argv) pointers.push_back(arg.data());
    pointers.push_back(nullptr);
    if (posix_spawn(&pid_, NAVETTE_BINARY, nullptr, nullptr, pointers.data(), environ) != 0) {
      pid_ = -1;
    }
  }
  ~SimulatorProcess() { Stop(); }
  bool started() const { return pid_ > 0; }
  // The exit status after SIGTERM; -1 if it was not running.
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

TEST(DmpWalkthroughTest, TheExampleDocumentIsRegisteredInTheSimulator) {
  const std::filesystem::path dir = FreshTestDir("navette-dmp-walkthrough");
  const uint16_t dmp_port = FreePort();
  const uint16_t sim_admin_port = FreePort();
  SimulatorProcess simulator({"--dir", (dir / "dmp-sim").string(), "--test-platform", "--port",
                              std::to_string(dmp_port), "--admin-port",
                              std::to_string(sim_admin_port)});
  ASSERT_TRUE(simulator.started());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto health = HttpGet(sim_admin_port, "/health");
        return health.ok() && health->first == 200;
      },
      std::chrono::seconds(60)))
      << "the simulator never answered on its admin port";

  // The example configuration, on free ports, naming the simulator's files.
  const uint16_t admin_port = FreePort();
  const uint16_t gam_port = FreePort();
  const uint16_t sgl_port = FreePort();
  const std::string yaml =
      absl::StrReplaceAll(ReadFileBytes(kExamples / "navette-dmp.yaml"),
                          {{"127.0.0.1:8575", fmt::format("127.0.0.1:{}", admin_port)},
                           {"127.0.0.1:2575", fmt::format("127.0.0.1:{}", gam_port)},
                           {"127.0.0.1:2576", fmt::format("127.0.0.1:{}", sgl_port)},
                           {"127.0.0.1:8443", fmt::format("127.0.0.1:{}", dmp_port)},
                           {" dmp-sim/", fmt::format(" {}/", (dir / "dmp-sim").string())}});
  EngineProcess engine(dir / "engine", yaml);
  ASSERT_TRUE(engine.Start().ok()) << engine.Log();

  CommandResult adts = RunNavette({"send", "--port", std::to_string(gam_port),
                                   (kExamples / "adt-a28-pat-trois.hl7").string(),
                                   (kExamples / "adt-a31-pat-trois.hl7").string()});
  ASSERT_EQ(adts.exit_code, 0) << adts.out << adts.err;
  CommandResult oru = RunNavette({"send", "--port", std::to_string(sgl_port),
                                  (kExamples / "oru-cr-bio-pat-trois.hl7").string()});
  ASSERT_EQ(oru.exit_code, 0) << oru.out << oru.err;
  EXPECT_THAT(oru.out, HasSubstr("MSA|AA|BIO-1"));

  std::string documents;
  const bool registered = WaitFor(
      [&] {
        auto listed = HttpGet(sim_admin_port, "/documents");
        documents = listed.ok() ? listed->second : "";
        return documents.find("1.2.250.1.213.1.1.1.55.2024.9.1") != std::string::npos;
      },
      std::chrono::seconds(60));
  ASSERT_TRUE(registered) << documents << engine.Log();
  EXPECT_THAT(documents,
              HasSubstr("\"patientId\":\"279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH\""));
  EXPECT_THAT(documents, HasSubstr("\"classCode\":\"10^1.2.250.1.213.1.1.4.1\""));
  EXPECT_THAT(documents, HasSubstr("StatusType:Approved"));

  EXPECT_TRUE(engine.Stop().ok());
  const int status = simulator.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace navette::testing
