#include "tests/mail/maildir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <tuple>

#include <fmt/format.h>

namespace navette::testing::mail {
namespace {

struct Entry {
  std::filesystem::path path;
  timespec written{};
};

// The message files of new/ and cur/ (names starting with '.' are not
// messages: Dovecot keeps no files there, but editors and tools might).
std::vector<Entry> ListMessages(const std::filesystem::path& maildir) {
  std::vector<Entry> entries;
  for (const char* sub : {"new", "cur"}) {
    std::error_code error;
    for (const auto& file : std::filesystem::directory_iterator(maildir / sub, error)) {
      const std::string name = file.path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      struct stat info {};
      if (::stat(file.path().c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
      entries.push_back({file.path(), info.st_mtim});
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.written.tv_sec, a.written.tv_nsec, a.path) <
           std::tie(b.written.tv_sec, b.written.tv_nsec, b.path);
  });
  return entries;
}

std::optional<std::string> ReadWhole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Chown(const std::filesystem::path& path, uid_t uid, gid_t gid) {
  if (::chown(path.c_str(), uid, gid) != 0) {
    return fmt::format("chown {}: {}", path.string(), std::strerror(errno));
  }
  return "";
}

}  // namespace

std::string MakeMaildir(const std::filesystem::path& base, const std::filesystem::path& maildir,
                        uid_t uid, gid_t gid) {
  std::error_code error;
  for (const char* sub : {"tmp", "new", "cur"}) {
    std::filesystem::create_directories(maildir / sub, error);
    if (error) return fmt::format("mkdir {}: {}", (maildir / sub).string(), error.message());
  }
  // Owned by the mail user from `base` down, as virtual(8) would have made
  // them, so that Dovecot (as that user) may add its index files and move
  // messages to cur/.
  const std::filesystem::path relative = maildir.lexically_relative(base);
  std::filesystem::path path = base;
  std::string failure = Chown(path, uid, gid);
  for (const auto& part : relative) {
    path /= part;
    if (failure.empty()) failure = Chown(path, uid, gid);
  }
  for (const char* sub : {"tmp", "new", "cur"}) {
    if (failure.empty()) failure = Chown(maildir / sub, uid, gid);
  }
  return failure;
}

std::vector<std::string> ReadMaildir(const std::filesystem::path& maildir) {
  // A file listed in new/ may be in cur/ by the time it is opened (Dovecot
  // moved it); list again then. Dovecot renames each file at most a few
  // times, so a handful of rounds settles.
  for (int round = 0; round < 20; ++round) {
    std::vector<std::string> messages;
    bool complete = true;
    for (const Entry& entry : ListMessages(maildir)) {
      std::optional<std::string> text = ReadWhole(entry.path);
      if (!text) {
        complete = false;
        break;
      }
      messages.push_back(std::move(*text));
    }
    if (complete) return messages;
  }
  return {};
}

std::string DeliverToMaildir(const std::filesystem::path& maildir, std::string_view raw, uid_t uid,
                             gid_t gid, unsigned sequence) {
  // The Maildir naming convention: <seconds>.<unique>.<host>; unique here by
  // the process id and the sequence number (the M<usec> of virtual(8) names
  // would not do for two deliveries in the same microsecond).
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count() % 1000000;
  const std::string name =
      fmt::format("{}.M{}P{}Q{}.navette-test", seconds, micros, ::getpid(), sequence);
  const std::filesystem::path tmp = maildir / "tmp" / name;
  const std::filesystem::path target = maildir / "new" / name;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fmt::format("create {}: {}", tmp.string(), std::strerror(errno));
  size_t written = 0;
  while (written < raw.size()) {
    const ssize_t n = ::write(fd, raw.data() + written, raw.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string failure = fmt::format("write {}: {}", tmp.string(), std::strerror(errno));
      ::close(fd);
      return failure;
    }
    written += static_cast<size_t>(n);
  }
  std::string failure;
  if (::fchown(fd, uid, gid) != 0) {
    failure = fmt::format("chown {}: {}", tmp.string(), std::strerror(errno));
  }
  ::close(fd);
  if (failure.empty() && ::rename(tmp.c_str(), target.c_str()) != 0) {
    failure = fmt::format("rename {}: {}", tmp.string(), std::strerror(errno));
  }
  return failure;
}

}  // namespace navette::testing::mail
