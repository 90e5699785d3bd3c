// Who may call the admin API. A caller presents a bearer token; the engine
// keeps only tokens' SHA-256 digests (from `engine.admin.tokens`), so the
// configuration file can be read, versioned and stored without giving
// anyone access. Besides those, the engine keeps one local admin token in
// <data dir>/admin.token (mode 0600), created on first start, so that the
// CLI on the same machine works without configuring anything: whoever can
// read the data directory already has the patient data.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace navette::config {
class Admin;
}

namespace navette::engine {

// Ordered: each role may do what the roles below it may.
enum class Role { kViewer = 1, kOperator = 2, kAdmin = 3 };

// "viewer", "operator", "admin": the words the configuration and CLI use.
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Principal {
  std::string user;
  Role role;
};

// The local admin token's file in the data directory, and the user it names.
inline constexpr std::string_view kLocalTokenFile = "admin.token";
inline constexpr std::string_view kLocalAdminUser = "local-admin";

// Lowercase hex SHA-256 of `token`: what `engine.admin.tokens[].sha256` holds.
std::string HashToken(std::string_view token);

// A new token: 32 bytes from OpenSSL's CSPRNG in lowercase hex (64 chars).
// Hex rather than base64url so that a token never starts with '-' and is
// never taken for an option on a command line. Empty only if OpenSSL fails.
std::string NewToken();

// Reads <data_dir>/admin.token (surrounding whitespace removed). NotFound if
// it does not exist; other errors name the file and the reason.
absl::StatusOr<std::string> ReadLocalToken(const std::filesystem::path& data_dir);

// Reads <data_dir>/admin.token, or creates it (mode 0600, written to a
// temporary file and renamed, so that a reader never sees half a token).
absl::StatusOr<std::string> LoadOrCreateLocalToken(const std::filesystem::path& data_dir);

class TokenAuthority {
 public:
  struct Entry {
    std::string user;
    std::string sha256_hex;  // as in the configuration
    Role role;
  };

  // The configuration's tokens plus the local admin token, read from or
  // created in `data_dir`.
  static absl::StatusOr<std::unique_ptr<TokenAuthority>> Create(
      const navette::config::Admin& admin, const std::filesystem::path& data_dir);

  // Entries whose digest is not 64 hex digits are refused (InvalidArgument);
  // the configuration checks report them before this is reached.
  static absl::StatusOr<std::unique_ptr<TokenAuthority>> FromEntries(
      const std::vector<Entry>& entries);

  // The principal whose digest matches SHA-256(token), or nullopt (also for
  // an empty token). Every known digest is compared, with CRYPTO_memcmp, so
  // the time taken does not tell how close a guess came nor which entry
  // matched.
  std::optional<Principal> Authenticate(std::string_view token) const;

 private:
  struct Known {
    std::array<unsigned char, 32> digest;
    Principal principal;
  };
  explicit TokenAuthority(std::vector<Known> known) : known_(std::move(known)) {}

  std::vector<Known> known_;
};

}  // namespace navette::engine
