#include "tests/support/engine_process.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/sha256.h"

extern char** environ;

namespace navette::testing {
namespace {

size_t AppendToString(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// Spawns `navette args...` with stdout and stderr redirected to files.
pid_t Spawn(const std::vector<std::string>& args, const std::filesystem::path& out,
            const std::filesystem::path& err, bool append) {
  std::vector<std::string> argv_storage = {NavetteBinary()};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), flags, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), flags, 0644);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace

std::string ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::filesystem::path FreshTestDir(const std::string& prefix) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      (prefix + "-" + std::to_string(::getpid()) + "-" + (test ? test->name() : "no-test"));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

namespace {

// Binds a loopback TCP socket to `port` (0: any) and returns the port bound,
// or 0 if it is taken.
uint16_t BindLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  uint16_t bound = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    socklen_t length = sizeof(address);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
      bound = ntohs(address.sin_port);
  }
  ::close(fd);
  return bound;
}

// Claims `port` for this process until it exits: an flock on a file named
// after it, which every test process's FreePort respects. Tests run in
// parallel processes; between the moment one picks a port and the moment
// its engine listens on it (or while its engine restarts), another must not
// pick it too.
bool ClaimForThisProcess(uint16_t port) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "navette-test-ports";
  std::error_code ignored;
  std::filesystem::create_directories(dir, ignored);
  const std::string path = (dir / std::to_string(port)).string();
  int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0) return false;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  return true;  // fd stays open: the claim lasts as long as the process
}

}  // namespace

uint16_t FreePort() {
  // 20000-32767: under Linux's default ephemeral range (32768-60999), so
  // no outgoing connection takes it; random, so that parallel tests rarely
  // try the same one, and claimed, so that they never both take it.
  static thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<int> ports(20000, 32767);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto port = static_cast<uint16_t>(ports(random));
    if (ClaimForThisProcess(port) && BindLoopback(port) == port) return port;
  }
  return BindLoopback(0);
}

std::string Sha256Hex(const std::string& text) {
  std::string hex;
  for (unsigned char c : Sha256(text)) hex += fmt::format("{:02x}", c);
  return hex;
}

std::string NavetteBinary() { return NAVETTE_BINARY; }

std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

CommandResult RunNavette(const std::vector<std::string>& args) {
  char dir_template[] = "/tmp/navette-cmd-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(dir_template);
  CommandResult result;
  pid_t pid = Spawn(args, dir / "out", dir / "err", false);
  if (pid > 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  result.out = ReadFileBytes(dir / "out");
  result.err = ReadFileBytes(dir / "err");
  std::filesystem::remove_all(dir);
  return result;
}

namespace {

// Plain HTTP, or HTTPS verified with `ca_file` when one is given.
absl::StatusOr<std::pair<long, std::string>> HttpRequest(uint16_t port, const std::string& path,
                                                         const std::string* post_body,
                                                         const std::string& token,
                                                         const std::string& ca_file = "") {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  const std::string url =
      fmt::format("{}://127.0.0.1:{}{}", ca_file.empty() ? "http" : "https", port, path);
  if (!ca_file.empty()) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, ca_file.c_str());
  std::string body;
  curl_slist* headers = nullptr;
  if (!token.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  }
  if (post_body != nullptr) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, post_body->data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(post_body->size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, AppendToString);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  CURLcode code = curl_easy_perform(curl.get());
  curl_slist_free_all(headers);
  if (code != CURLE_OK) return absl::UnavailableError(curl_easy_strerror(code));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  return std::make_pair(status, body);
}

}  // namespace

absl::StatusOr<std::pair<long, std::string>> HttpGet(uint16_t port, const std::string& path,
                                                     const std::string& token) {
  return HttpRequest(port, path, nullptr, token);
}

absl::StatusOr<std::pair<long, std::string>> HttpPost(uint16_t port, const std::string& path,
                                                      const std::string& body,
                                                      const std::string& token) {
  return HttpRequest(port, path, &body, token);
}

absl::StatusOr<std::pair<long, std::string>> HttpsGet(uint16_t port, const std::string& path,
                                                      const std::string& ca_file,
                                                      const std::string& token) {
  return HttpRequest(port, path, nullptr, token, ca_file);
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(5);
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Polling interval, not synchronisation: the condition decides.
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
}

EngineProcess::EngineProcess(std::filesystem::path dir, std::string config_yaml)
    : dir_(std::move(dir)), config_yaml_(std::move(config_yaml)) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "config.yaml") << config_yaml_;
  YAML::Node node = YAML::Load(config_yaml_);
  const std::string listen = node["engine"]["admin"]["listen"].as<std::string>();
  admin_port_ = static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
  admin_https_ = static_cast<bool>(node["engine"]["admin"]["tls"]);
}

EngineProcess::~EngineProcess() {
  if (pid_ > 0) Kill();
}

absl::Status EngineProcess::Start(std::chrono::milliseconds timeout) {
  ++starts_;
  pid_ = Spawn(
      {"serve", "--config", (dir_ / "config.yaml").string(), "--data-dir", data_dir().string()},
      dir_ / "stdout.log", dir_ / "stderr.log", /*append=*/true);
  if (pid_ <= 0) return absl::InternalError("cannot spawn " + NavetteBinary());
  bool exited = false;
  bool ready = WaitFor(
      [&] {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          exited = true;
          return true;
        }
        auto response = admin_https_ ? HttpsGet(admin_port_, "/readyz", admin_ca_file_)
                                     : HttpGet(admin_port_, "/readyz");
        return response.ok() && response->first == 200;
      },
      timeout);
  if (exited) {
    pid_ = -1;
    return absl::FailedPreconditionError("navette serve exited during start:\n" + Log());
  }
  if (!ready) {
    Kill();
    return absl::DeadlineExceededError("navette serve not ready in time:\n" + Log());
  }
  return absl::OkStatus();
}

void EngineProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

absl::Status EngineProcess::Stop() {
  if (pid_ <= 0) return absl::OkStatus();
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        fmt::format("navette serve ended with status {}:\n{}", status, Log()));
  }
  return absl::OkStatus();
}

std::string EngineProcess::admin_token() const {
  std::string token = ReadFileBytes(data_dir() / "admin.token");
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

std::string EngineProcess::Log() const { return ReadFileBytes(dir_ / "stderr.log"); }

}  // namespace navette::testing
