#include "engine/auth.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include <spdlog/spdlog.h>
#include "common/fmt_absl.h"
#include "common/sha256.h"

#include "proto/config.pb.h"

namespace navette::engine {
namespace {

constexpr size_t kDigestBytes = 32;
constexpr size_t kTokenBytes = 32;

// TokenAuthority::Create converts the configuration's roles by number.
static_assert(static_cast<int>(navette::config::AdminToken::VIEWER) ==
              static_cast<int>(Role::kViewer));
static_assert(static_cast<int>(navette::config::AdminToken::OPERATOR) ==
              static_cast<int>(Role::kOperator));
static_assert(static_cast<int>(navette::config::AdminToken::ADMIN) ==
              static_cast<int>(Role::kAdmin));

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::array<unsigned char, kDigestBytes>> ParseDigest(std::string_view hex) {
  if (hex.size() != kDigestBytes * 2) return std::nullopt;
  std::array<unsigned char, kDigestBytes> digest{};
  for (size_t i = 0; i < kDigestBytes; ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return digest;
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t start = text.find_first_not_of(kSpace);
  if (start == std::string_view::npos) return {};
  return text.substr(start, text.find_last_not_of(kSpace) - start + 1);
}

std::string Errno(int error) { return std::strerror(error); }

// Writes `content` to `path` with mode 0600: a temporary file beside it,
// synced, then renamed over it, then the directory synced.
absl::Status WritePrivateFileAtomically(const std::filesystem::path& path,
                                        std::string_view content) {
  const std::filesystem::path temp = path.string() + ".tmp";
  ::unlink(temp.c_str());  // a leftover from a crash: it may have another mode
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(fmt::format("cannot create {}: {}", temp.string(), Errno(errno)));
  }
  auto fail = [&](std::string_view what) {
    const int error = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return absl::UnavailableError(
        fmt::format("cannot {} {}: {}", what, temp.string(), Errno(error)));
  };
  // The umask can only remove bits; fchmod makes the mode exactly 0600.
  if (::fchmod(fd, 0600) != 0) return fail("chmod");
  for (size_t written = 0; written < content.size();) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write");
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("sync");
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return absl::UnavailableError(fmt::format("cannot write {}: {}", temp.string(), Errno(error)));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return absl::UnavailableError(
        fmt::format("cannot rename {} to {}: {}", temp.string(), path.string(), Errno(error)));
  }
  const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string HashToken(std::string_view token) {
  const std::string digest = Sha256(token);
  return Hex(reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
}

std::string NewToken() {
  unsigned char bytes[kTokenBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return {};
  std::string token = Hex(bytes, sizeof(bytes));
  OPENSSL_cleanse(bytes, sizeof(bytes));
  return token;
}

absl::StatusOr<std::string> ReadLocalToken(const std::filesystem::path& data_dir) {
  const std::filesystem::path path = data_dir / kLocalTokenFile;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) return absl::NotFoundError(fmt::format("no {}", path.string()));
    return absl::PermissionDeniedError(
        fmt::format("cannot read {}: {}", path.string(), Errno(error)));
  }
  std::string content;
  char buffer[256];
  // A token is 64 characters: anything much longer is not one of ours.
  while (content.size() < 4096) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return absl::UnavailableError(fmt::format("cannot read {}: {}", path.string(), Errno(error)));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  OPENSSL_cleanse(buffer, sizeof(buffer));
  const std::string token(Trim(content));
  OPENSSL_cleanse(content.data(), content.size());
  if (token.empty()) {
    return absl::DataLossError(
        fmt::format("{} is empty (remove it: the engine makes a new one at start)", path.string()));
  }
  return token;
}

absl::StatusOr<std::string> LoadOrCreateLocalToken(const std::filesystem::path& data_dir) {
  const std::filesystem::path path = data_dir / kLocalTokenFile;
  auto existing = ReadLocalToken(data_dir);
  if (existing.ok()) {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
      spdlog::warn("{} is readable by other users (mode {:04o}); chmod 600 it", path.string(),
                   info.st_mode & 07777);
    }
    return existing;
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();
  std::string token = NewToken();
  if (token.empty()) return absl::InternalError("OpenSSL could not generate a random token");
  if (absl::Status written = WritePrivateFileAtomically(path, token + "\n"); !written.ok()) {
    return written;
  }
  spdlog::info("created the local admin token {} (mode 0600)", path.string());
  return token;
}

absl::StatusOr<std::unique_ptr<TokenAuthority>> TokenAuthority::FromEntries(
    const std::vector<Entry>& entries) {
  std::vector<Known> known;
  known.reserve(entries.size());
  for (const Entry& entry : entries) {
    auto digest = ParseDigest(entry.sha256_hex);
    if (!digest) {
      return absl::InvalidArgumentError(
          fmt::format("admin token of '{}': sha256 is not 64 hex digits", entry.user));
    }
    known.push_back(Known{*digest, Principal{entry.user, entry.role}});
  }
  return std::unique_ptr<TokenAuthority>(new TokenAuthority(std::move(known)));
}

absl::StatusOr<std::unique_ptr<TokenAuthority>> TokenAuthority::Create(
    const navette::config::Admin& admin, const std::filesystem::path& data_dir) {
  std::vector<Entry> entries;
  for (const navette::config::AdminToken& token : admin.tokens()) {
    // The enum values are the roles' numbers (config.proto mirrors Role).
    const int role = static_cast<int>(token.role());
    if (role < static_cast<int>(Role::kViewer) || role > static_cast<int>(Role::kAdmin)) {
      return absl::InvalidArgumentError(
          fmt::format("admin token of '{}': role is required", token.user()));
    }
    entries.push_back(Entry{token.user(), token.sha256(), static_cast<Role>(role)});
  }
  auto local = LoadOrCreateLocalToken(data_dir);
  if (!local.ok()) {
    return absl::Status(local.status().code(),
                        fmt::format("local admin token: {}", local.status().message()));
  }
  entries.push_back(Entry{std::string(kLocalAdminUser), HashToken(*local), Role::kAdmin});
  return FromEntries(entries);
}

std::optional<Principal> TokenAuthority::Authenticate(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  const std::string digest = Sha256(token);
  if (digest.size() != kDigestBytes) return std::nullopt;
  // No early exit: every entry is compared whatever matched before.
  const Known* match = nullptr;
  for (const Known& known : known_) {
    const bool equal = CRYPTO_memcmp(digest.data(), known.digest.data(), kDigestBytes) == 0;
    if (equal && match == nullptr) match = &known;
  }
  if (match == nullptr) return std::nullopt;
  return match->principal;
}

}  // namespace navette::engine
