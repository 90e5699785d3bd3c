// Chromedriver: the chromedriver process and its group (tests/support/webdriver.h).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/support/engine_process.h"
#include "tests/support/spawn_logged.h"
#include "tests/support/webdriver.h"

namespace navette::testing {
namespace {

// Starts `argv` as the leader of a new process group, stdout and stderr to
// `log`. engine_process.cc's spawner runs only the navette binary and keeps
// it in the test's group; here the group is the point: Chromium and its
// zygote, renderer and GPU processes inherit it, so that one kill(-pgid)
// reaches all of them even when chromedriver itself dies first.
pid_t SpawnGroupLeader(std::vector<std::string> argv, const std::filesystem::path& log) {
  return SpawnLogged(std::move(argv), log,
                     {.new_process_group = true, .append = false, .close_inherited = false});
}

}  // namespace

bool ChromedriverAvailable() { return ::access(kChromedriverPath, X_OK) == 0; }

absl::StatusOr<std::unique_ptr<Chromedriver>> Chromedriver::Start(
    std::chrono::milliseconds timeout) {
  if (!ChromedriverAvailable()) {
    return absl::NotFoundError(
        fmt::format("{} not found (Debian: chromium-driver)", kChromedriverPath));
  }
  char dir_template[] = "/tmp/navette-chromedriver-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) {
    return absl::InternalError("cannot create a directory under /tmp for chromedriver's log");
  }
  const std::filesystem::path dir = dir_template;
  const uint16_t port = FreePort();
  const pid_t pid = SpawnGroupLeader(
      // Without --allowed-ips it listens on loopback only.
      {kChromedriverPath, fmt::format("--port={}", port)}, dir / "chromedriver.log");
  if (pid <= 0) {
    std::filesystem::remove_all(dir);
    return absl::InternalError(fmt::format("cannot spawn {}", kChromedriverPath));
  }
  // From here the destructor cleans up, whatever happens.
  std::unique_ptr<Chromedriver> driver(new Chromedriver(dir, port, pid));

  // /status answers before chromedriver can start sessions; "ready" says
  // when it can.
  bool exited = false;
  const bool ready = WaitFor(
      [&] {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
          exited = true;
          return true;
        }
        auto response = HttpGet(port, "/status");
        if (!response.ok() || response->first != 200) return false;
        const nlohmann::json body = nlohmann::json::parse(response->second, nullptr, false);
        return body.is_object() && body.contains("value") && body["value"].value("ready", false);
      },
      timeout);
  if (exited) {
    driver->pid_ = -1;  // reaped already
    return absl::FailedPreconditionError(
        fmt::format("chromedriver exited during start:\n{}", driver->Log()));
  }
  if (!ready) {
    return absl::DeadlineExceededError(fmt::format(
        "chromedriver not ready on port {} in {} ms:\n{}", port, timeout.count(), driver->Log()));
  }
  return driver;
}

Chromedriver::~Chromedriver() {
  Kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void Chromedriver::Kill() {
  if (pid_ <= 0) return;
  // SIGTERM first: Chromium given the chance shuts down its children and
  // leaves no half-written profile for the Browser's cleanup to trip on.
  ::kill(-pid_, SIGTERM);
  int status = 0;
  const bool reaped =
      WaitFor([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(5));
  // Whatever still runs in the group (a renderer that ignored SIGTERM, or
  // chromedriver itself) goes now. The group id stays valid while any
  // member lives, even once its leader is reaped.
  ::kill(-pid_, SIGKILL);
  if (!reaped) ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string Chromedriver::Log() const { return ReadFileBytes(dir_ / "chromedriver.log"); }

}  // namespace navette::testing
