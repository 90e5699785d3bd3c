// Runs the real `navette` binary for end-to-end tests: writes the config,
// starts `navette serve` on a data directory, waits for /readyz, and stops or
// kills it. Output goes to files in the test directory so that a failing test
// can show the engine's log.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace navette::testing {

// A loopback TCP port that was free a moment ago, below the kernel's
// ephemeral range: a test that stops and restarts its engine on the port
// must not find it taken meanwhile by another test's outgoing connection,
// which the kernel would give a port from that range.
uint16_t FreePort();

// An empty directory for the running test, named after `prefix`, the process
// and the test, so that parallel tests never share one.
std::filesystem::path FreshTestDir(const std::string& prefix);

// The whole file, as bytes; empty if it cannot be read.
std::string ReadFileBytes(const std::filesystem::path& path);

// Lowercase hex SHA-256, as engine.admin.tokens expects a token's hash;
// computed with OpenSSL here rather than with the engine's HashToken, so
// that the tests also check the format the configuration documents.
std::string Sha256Hex(const std::string& text);

// Path of the navette binary under test.
std::string NavetteBinary();

// Full path of the executable `name` in a directory of PATH, or empty (a
// server or tool a test starts: prometheus, promtool).
std::string FindOnPath(const std::string& name);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs `navette <args>` to completion.
CommandResult RunNavette(const std::vector<std::string>& args);

// GET http://127.0.0.1:<port><path>; returns the status code and body. A
// non-empty `token` is sent as `Authorization: Bearer <token>`.
absl::StatusOr<std::pair<long, std::string>> HttpGet(uint16_t port, const std::string& path,
                                                     const std::string& token = "");
// POST of a JSON `body`, otherwise as HttpGet.
absl::StatusOr<std::pair<long, std::string>> HttpPost(uint16_t port, const std::string& path,
                                                      const std::string& body,
                                                      const std::string& token = "");

// GET https://127.0.0.1:<port><path>, verifying the server with `ca_file`.
absl::StatusOr<std::pair<long, std::string>> HttpsGet(uint16_t port, const std::string& path,
                                                      const std::string& ca_file,
                                                      const std::string& token = "");

// Polls `condition` until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

class EngineProcess {
 public:
  // `dir` holds config.yaml, data/, and the engine's stdout/stderr files.
  EngineProcess(std::filesystem::path dir, std::string config_yaml);
  ~EngineProcess();

  // An engine whose admin API serves HTTPS (engine.admin.tls) is probed
  // for readiness with this CA; set it before Start.
  void set_admin_ca_file(std::string path) { admin_ca_file_ = std::move(path); }
  absl::Status Start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  void Kill();          // SIGKILL, then reap
  absl::Status Stop();  // SIGTERM, then reap; error if it exits non-zero
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }  // -1 when not running
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  // The engine's local admin token (<data dir>/admin.token), once started.
  std::string admin_token() const;
  std::string Log() const;  // the engine's stderr so far
  int restarts() const { return starts_ - 1; }

 private:
  std::filesystem::path dir_;
  std::string config_yaml_;
  uint16_t admin_port_ = 0;
  bool admin_https_ = false;
  std::string admin_ca_file_;
  pid_t pid_ = -1;
  int starts_ = 0;
};

}  // namespace navette::testing
