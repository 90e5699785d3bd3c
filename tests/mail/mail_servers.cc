#include "tests/mail/mail_servers.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "tests/mail/loopback.h"
#include "tests/mail/maildir.h"
#include "tests/mail/server_configs.h"
#include "tests/support/spawn_logged.h"
#include "tests/support/test_pki.h"

extern char** environ;

namespace navette::testing {
namespace {

using mail::Layout;
using Clock = std::chrono::steady_clock;

constexpr char kPostfix[] = "/usr/sbin/postfix";
constexpr char kDovecot[] = "/usr/sbin/dovecot";
constexpr char kPassword[] = "navette-test-password";
// Generous for a loaded CI machine; each server is up in well under a second.
constexpr auto kStartTimeout = std::chrono::seconds(20);
constexpr auto kStopTimeout = std::chrono::seconds(10);
constexpr auto kPollInterval = std::chrono::milliseconds(10);

std::string ReadText(const std::filesystem::path& path, size_t from = 0) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return from < all.size() ? all.substr(from) : "";
}

size_t FileSize(const std::filesystem::path& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<size_t>(size);
}

// The last `lines` lines of `text`, for error messages.
std::string Tail(const std::string& text, int lines = 30) {
  size_t start = text.size();
  for (int n = 0; n <= lines && start > 0; ++n) {
    start = text.rfind('\n', start - 1);
    if (start == std::string::npos) return text;
  }
  return text.substr(start + 1);
}

bool WriteFile(const std::filesystem::path& path, const std::string& text, std::string& error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  // Root-owned and read-only for others: postfix check warns about group-
  // or world-writable files in its configuration directory. Dated a minute
  // back: Postfix waits until its main.cf has not changed for a second
  // (polling every 300 ms), which cost each start two seconds.
  const timespec times[2] = {{.tv_sec = 0, .tv_nsec = UTIME_NOW},
                             {.tv_sec = ::time(nullptr) - 60, .tv_nsec = 0}};
  if (!out || ::chmod(path.c_str(), 0644) != 0 ||
      ::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) {
    error = fmt::format("cannot write {}", path.string());
    return false;
  }
  return true;
}

// Runs `argv` to completion with stdout and stderr appended to `log`, and
// without the test process's descriptors (Postfix's master would keep
// them open for its lifetime). Returns its exit status, or -1.
int RunCommand(std::vector<std::string> argv, const std::filesystem::path& log) {
  const pid_t pid = SpawnLogged(
      std::move(argv), log, {.new_process_group = false, .append = true, .close_inherited = true});
  if (pid < 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct ProcessInfo {
  pid_t pid = 0;
  std::string name;
  char state = '?';
  pid_t parent = 0;
  pid_t group = 0;
};

// The processes alive (zombies excluded) that `match` selects, from
// /proc/<pid>/stat. Postfix's master and daemons are not our children, and a
// zombie, still signalable, is gone for our purpose: init reaps it when it
// gets to it (this container's init is slow to).
std::vector<ProcessInfo> LiveProcesses(const std::function<bool(const ProcessInfo&)>& match) {
  std::vector<ProcessInfo> found;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = ReadText(entry.path() / "stat");
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const size_t open = stat.find('(');
    const size_t paren = stat.rfind(')');
    if (open == std::string::npos || paren == std::string::npos || paren < open) continue;
    ProcessInfo info;
    info.name = stat.substr(open + 1, paren - open - 1);
    info.pid = static_cast<pid_t>(std::atoi(name.c_str()));
    std::istringstream rest(stat.substr(paren + 1));
    rest >> info.state >> info.parent >> info.group;
    if (rest && info.state != 'Z' && info.state != 'X' && match(info)) found.push_back(info);
  }
  return found;
}

// Polls `done` until it holds or `timeout` passes.
bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

// Every directory above `dir` must let postfix and nobody through (the
// harness makes `dir` itself so); a 0700 parent, as mkdtemp makes, would
// stop virtual(8) and Dovecot with "permission denied" deep in their logs.
std::string CheckTraversable(const std::filesystem::path& dir) {
  for (std::filesystem::path p = dir.parent_path(); !p.empty(); p = p.parent_path()) {
    struct stat info {};
    if (::stat(p.c_str(), &info) == 0 && (info.st_mode & S_IXOTH) == 0) {
      return fmt::format(
          "{} is not traversable by others (mode {:o}): the mail servers' users "
          "could not reach {}",
          p.string(), info.st_mode & 07777, dir.string());
    }
    if (p == p.root_path()) break;
  }
  return "";
}

// A client certificate like the test PKI's "client", same subject, but
// signed by other_ca: only the issuer differs, so a refusal shows the
// servers check the chain and not the name.
}  // namespace

MailServers::MailServers(std::filesystem::path dir, MailServerOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {
  const Layout layout(dir_);
  mail::ServerSettings settings{layout, {}, {}, options_.require_client_certificate};
  for (const std::string& address : options_.mailboxes) {
    std::optional<mail::Address> parsed = mail::ParseAddress(address);
    if (!parsed) {
      error_ = fmt::format("not a mailbox address: {:?}", address);
      return;
    }
    settings.mailboxes.push_back(*parsed);
  }
  if (settings.mailboxes.empty()) {
    error_ = "MailServerOptions.mailboxes is empty: Postfix needs at least one domain";
    return;
  }

  std::error_code fs_error;
  for (const auto& d :
       {layout.dir, layout.postfix_etc, layout.postfix_queue, layout.dovecot, layout.mail}) {
    std::filesystem::create_directories(d, fs_error);
    // 0755 rather than mkdtemp's 0700: postfix, nobody, dovecot and dovenull
    // all need to pass through.
    if (fs_error || ::chmod(d.c_str(), 0755) != 0) {
      error_ = fmt::format("cannot create {}: {}", d.string(),
                           fs_error ? fs_error.message() : std::strerror(errno));
      return;
    }
  }
  error_ = CheckTraversable(layout.dir);
  if (!ok()) return;

  // The PKI: TestPki's CA, server, client and other_ca, plus other_client.
  {
    TestPki pki(layout.pki);
    pki.IssueClient("other_client", "/CN=navette-client", "other_ca");
    if (!pki.ok()) {
      error_ = pki.error();
      return;
    }
  }
  ::chmod(layout.pki.c_str(), 0755);

  for (const mail::Address& a : settings.mailboxes) {
    error_ = mail::MakeMaildir(layout.mail, layout.mail / a.domain / a.local, mail::kMailUid,
                               mail::kMailGid);
    if (!ok()) return;
  }
  if (!WriteFile(layout.postfix_etc / "mailboxes", mail::PostfixMailboxes(settings), error_) ||
      !WriteFile(layout.dovecot_users, mail::DovecotUsers(settings, kPassword), error_)) {
    return;
  }

  // A port found free may be taken by another program before the server
  // binds it (test processes that claim ports never collide; others might):
  // then start again on other ports.
  for (int attempt = 0; attempt < 3; ++attempt) {
    ports_ = {mail::ClaimFreePort(), mail::ClaimFreePort(), mail::ClaimFreePort(),
              mail::ClaimFreePort()};
    if (ports_.submission == 0 || ports_.smtps == 0 || ports_.imap == 0 || ports_.imaps == 0) {
      error_ = "no free loopback port";
      return;
    }
    settings.ports = ports_;
    if (!WriteFile(layout.postfix_etc / "main.cf", mail::PostfixMainCf(settings), error_) ||
        !WriteFile(layout.postfix_etc / "master.cf", mail::PostfixMasterCf(settings), error_) ||
        !WriteFile(layout.dovecot_conf, mail::DovecotConf(settings), error_)) {
      return;
    }
    bool port_taken = false;
    if (Start(port_taken)) return;
    StopDovecot();
    StopPostfix();
    if (!port_taken) return;
  }
}

MailServers::~MailServers() {
  StopDovecot();
  StopPostfix();
}

bool MailServers::Start(bool& port_taken) {
  error_.clear();
  return StartPostfix(port_taken) && StartDovecot() && WaitUntilServing(port_taken);
}

bool MailServers::StartPostfix(bool& port_taken) {
  const Layout layout(dir_);
  const size_t log_before = FileSize(layout.postfix_log);
  // As root, `postfix -c` accepts any configuration directory (others must
  // be listed in the default main.cf's alternate_config_directories). start
  // creates the queue and data directories with their owners, checks the
  // configuration and returns once the master has bound its listeners.
  const int status =
      RunCommand({kPostfix, "-c", layout.postfix_etc.string(), "start"}, layout.postfix_start_log);
  const std::string log = ReadText(layout.postfix_log, log_before);
  if (status != 0) {
    port_taken = log.find("Address already in use") != std::string::npos;
    error_ = fmt::format("postfix start exited with {}:\n{}\npostfix.log:\n{}", status,
                         Tail(ReadText(layout.postfix_start_log)), Tail(log));
    return false;
  }
  postfix_started_ = true;
  return true;
}

bool MailServers::StartDovecot() {
  const Layout layout(dir_);
  std::vector<std::string> argv_storage = {kDovecot, "-F", "-c", layout.dovecot_conf.string()};
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string stderr_path = layout.dovecot_stderr.string();
  const pid_t parent = ::getpid();
  // fork rather than posix_spawn for PR_SET_PDEATHSIG; the child calls only
  // async-signal-safe functions before exec.
  const pid_t pid = ::fork();
  if (pid < 0) {
    error_ = fmt::format("fork: {}", std::strerror(errno));
    return false;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::close_range(3, ~0U, 0);
    ::execve(argv[0], argv.data(), environ);
    ::_exit(127);
  }
  dovecot_pid_ = pid;
  return true;
}

bool MailServers::WaitUntilServing(bool& port_taken) {
  const Layout layout(dir_);
  const mail::TlsClientFiles files{ca_file(), client_cert(), client_key()};
  struct Probe {
    const char* name;
    int port;
    mail::Wire wire;
    const char* greeting;
    bool ready = false;
    std::string detail = {};
  };
  Probe probes[] = {{"Postfix submission", ports_.submission, mail::Wire::kPlain, "220"},
                    {"Postfix smtps", ports_.smtps, mail::Wire::kTls, "220"},
                    {"Dovecot imap", ports_.imap, mail::Wire::kPlain, "* OK"},
                    {"Dovecot imaps", ports_.imaps, mail::Wire::kTls, "* OK"}};
  const auto deadline = Clock::now() + kStartTimeout;
  while (true) {
    int status = 0;
    if (::waitpid(dovecot_pid_, &status, WNOHANG) == dovecot_pid_) {
      dovecot_pid_ = -1;
      const std::string log = ReadText(layout.dovecot_log) + ReadText(layout.dovecot_stderr);
      port_taken = log.find("Address already in use") != std::string::npos;
      error_ = fmt::format("dovecot exited at start-up ({}):\n{}",
                           WIFEXITED(status) ? fmt::format("status {}", WEXITSTATUS(status))
                                             : fmt::format("signal {}", WTERMSIG(status)),
                           Tail(log));
      return false;
    }
    bool all_ready = true;
    for (Probe& probe : probes) {
      if (!probe.ready) {
        probe.ready = mail::Greets(probe.port, probe.wire, probe.greeting, files,
                                   std::chrono::seconds(2), probe.detail);
      }
      all_ready = all_ready && probe.ready;
    }
    if (all_ready) return true;
    if (Clock::now() > deadline) break;
    std::this_thread::sleep_for(kPollInterval);
  }
  error_ = "the mail servers did not come up in time:";
  for (const Probe& probe : probes) {
    if (!probe.ready) error_ += fmt::format("\n  {}: {}", probe.name, probe.detail);
  }
  error_ +=
      fmt::format("\npostfix.log:\n{}\ndovecot.log:\n{}", Tail(postfix_log()), Tail(dovecot_log()));
  return false;
}

void MailServers::StopDovecot() {
  if (dovecot_pid_ <= 0) return;
  const pid_t master = dovecot_pid_;
  dovecot_pid_ = -1;
  ::kill(master, SIGTERM);
  // On SIGTERM Dovecot's master stops its services and reaps them, tells its
  // log process to finish, and sleeps a fixed second before it closes the
  // log pipes and exits. Once only the log process is left, the master has
  // nothing left to do but that second: it is cut short, and the log
  // process, whose pipes the master's death closes, is waited for instead.
  const auto children = [&] {
    return LiveProcesses([&](const ProcessInfo& p) { return p.parent == master; });
  };
  std::vector<ProcessInfo> left;
  int status = 0;
  bool reaped = false;
  PollUntil(
      [&] {
        reaped = ::waitpid(master, &status, WNOHANG) == master;
        if (reaped) return true;
        left = children();
        return std::all_of(left.begin(), left.end(),
                           [](const ProcessInfo& p) { return p.name == "log"; });
      },
      kStopTimeout);
  if (reaped) return;
  ::kill(master, SIGKILL);
  ::waitpid(master, &status, 0);
  const auto alive = [](pid_t pid) {
    return !LiveProcesses([&](const ProcessInfo& p) { return p.pid == pid; }).empty();
  };
  for (const ProcessInfo& p : left) {
    if (!PollUntil([&] { return !alive(p.pid); }, kStopTimeout)) ::kill(p.pid, SIGKILL);
  }
}

void MailServers::StopPostfix() {
  if (!postfix_started_) return;
  postfix_started_ = false;
  const Layout layout(dir_);
  const pid_t master =
      static_cast<pid_t>(std::atoi(ReadText(layout.postfix_queue / "pid" / "master.pid").c_str()));
  if (master <= 0) {
    RunCommand({kPostfix, "-c", layout.postfix_etc.string(), "stop"}, layout.postfix_start_log);
    return;
  }
  // What `postfix stop` does (SIGTERM to the master, which passes it to its
  // process group, its daemons), without its wait, which polls the master's
  // lock each second and so cost a second more often than not.
  ::kill(master, SIGTERM);
  const auto in_group = [&](const ProcessInfo& p) { return p.group == master; };
  if (!PollUntil([&] { return LiveProcesses(in_group).empty(); }, kStopTimeout)) {
    ::kill(-master, SIGKILL);
  }
}

std::string MailServers::ca_file() const { return (Layout(dir_).pki / "ca.pem").string(); }
std::string MailServers::client_cert() const { return (Layout(dir_).pki / "client.pem").string(); }
std::string MailServers::client_key() const { return (Layout(dir_).pki / "client.key").string(); }
std::string MailServers::other_client_cert() const {
  return (Layout(dir_).pki / "other_client.pem").string();
}
std::string MailServers::other_client_key() const {
  return (Layout(dir_).pki / "other_client.key").string();
}

std::string MailServers::imap_user(std::string_view address) const {
  const std::optional<mail::Address> parsed = mail::ParseAddress(address);
  return parsed ? parsed->local + "@" + parsed->domain : std::string(address);
}

std::string MailServers::imap_password() const { return kPassword; }

std::filesystem::path MailServers::MaildirOf(std::string_view address) const {
  const std::optional<mail::Address> parsed = mail::ParseAddress(address);
  if (!parsed) return {};
  return Layout(dir_).mail / parsed->domain / parsed->local;
}

std::vector<std::string> MailServers::Messages(std::string_view address) const {
  const std::filesystem::path maildir = MaildirOf(address);
  return maildir.empty() ? std::vector<std::string>{} : mail::ReadMaildir(maildir);
}

std::vector<std::string> MailServers::WaitForMessages(std::string_view address, size_t n,
                                                      std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    std::vector<std::string> messages = Messages(address);
    if (messages.size() >= n || Clock::now() > deadline) return messages;
    std::this_thread::sleep_for(kPollInterval);
  }
}

void MailServers::Deliver(std::string_view address, std::string_view raw) const {
  const std::filesystem::path maildir = MaildirOf(address);
  if (maildir.empty()) {
    throw std::invalid_argument(fmt::format("Deliver: not a mailbox address: {:?}", address));
  }
  const Layout layout(dir_);
  std::string failure = mail::MakeMaildir(layout.mail, maildir, mail::kMailUid, mail::kMailGid);
  if (failure.empty()) {
    failure = mail::DeliverToMaildir(maildir, raw, mail::kMailUid, mail::kMailGid, ++deliveries_);
  }
  if (!failure.empty()) throw std::runtime_error("Deliver: " + failure);
}

std::string MailServers::postfix_log() const { return ReadText(Layout(dir_).postfix_log); }

std::string MailServers::dovecot_log() const {
  const Layout layout(dir_);
  return ReadText(layout.dovecot_log) + ReadText(layout.dovecot_stderr);
}

}  // namespace navette::testing
