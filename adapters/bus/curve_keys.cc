#include "adapters/bus/curve_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>
#include <zmq.h>

namespace navette::adapters::bus {
namespace {

constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

bool IsCurveKey(std::string_view word) { return CheckCurveKey(word).ok(); }

std::string FirstWord(std::string_view line) {
  const size_t end = line.find_first_of(" \t");
  return std::string(line.substr(0, end));
}

absl::StatusOr<std::string> ExactlyOneKey(const std::string& path, std::string_view what) {
  auto keys = ReadCurveKeyFile(path);
  if (!keys.ok()) return keys.status();
  if (keys->size() != 1) {
    return absl::InvalidArgumentError(
        fmt::format("{} holds {} keys; a {} file holds exactly one", path, keys->size(), what));
  }
  return std::move(keys->front());
}

// Writes `text` to a new file `path` with `mode`, refusing an existing one
// (O_EXCL, and O_NOFOLLOW so that a planted link is not followed).
absl::Status WriteNewFile(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    const int error = errno;
    if (error == EEXIST) {
      return absl::AlreadyExistsError(fmt::format("{} exists: a key file is never replaced", path));
    }
    return absl::UnavailableError(fmt::format("cannot create {}: {}", path, std::strerror(error)));
  }
  // The umask may only have taken bits away; a file for its owner alone
  // (a secret key) gets exactly `mode`.
  int error = 0;
  if ((mode & 077) == 0 && ::fchmod(fd, mode) != 0) error = errno;
  for (size_t done = 0; error == 0 && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno != EINTR) error = errno;
    if (n == 0) error = EIO;
    if (n > 0) done += static_cast<size_t>(n);
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    ::unlink(path.c_str());
    return absl::UnavailableError(fmt::format("cannot write {}: {}", path, std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckCurveKey(std::string_view text) {
  if (text.size() != kCurveKeyLength) {
    return absl::InvalidArgumentError(fmt::format(
        "not a CURVE key: {} characters, where a Z85 key has {}", text.size(), kCurveKeyLength));
  }
  if (size_t bad = text.find_first_not_of(kZ85Alphabet); bad != text.npos) {
    return absl::InvalidArgumentError(
        fmt::format("not a CURVE key: character {} is not Z85", bad + 1));
  }
  // Z85 alphabet, yet a group of five characters may still exceed 32 bits.
  const std::string terminated(text);
  uint8_t bytes[32];
  if (zmq_z85_decode(bytes, terminated.c_str()) == nullptr) {
    return absl::InvalidArgumentError("not a CURVE key: not a valid Z85 value");
  }
  return absl::OkStatus();
}

absl::StatusOr<CurveKeyPair> NewCurveKeyPair() {
  char public_key[kCurveKeyLength + 1] = {};
  char secret_key[kCurveKeyLength + 1] = {};
  if (zmq_curve_keypair(public_key, secret_key) != 0) {
    // ENOTSUP: libzmq built without CURVE (libsodium).
    return absl::UnavailableError(
        fmt::format("libzmq cannot make CURVE keys: {}", zmq_strerror(zmq_errno())));
  }
  return CurveKeyPair{public_key, secret_key};
}

absl::StatusOr<std::string> CurvePublicKeyOf(std::string_view secret_key) {
  if (absl::Status valid = CheckCurveKey(secret_key); !valid.ok()) return valid;
  const std::string secret(secret_key);
  char public_key[kCurveKeyLength + 1] = {};
  if (zmq_curve_public(public_key, secret.c_str()) != 0) {
    return absl::InvalidArgumentError(
        fmt::format("libzmq cannot derive a public key: {}", zmq_strerror(zmq_errno())));
  }
  return std::string(public_key);
}

absl::StatusOr<std::vector<std::string>> ReadCurveKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::vector<std::string> keys;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string word = FirstWord(line);
    if (IsCurveKey(word)) {
      keys.push_back(word);
      continue;
    }
    if (word.empty() || line.starts_with('#')) continue;
    // The line may be a secret key that lost a character: say what is
    // wrong, never what it holds.
    return absl::InvalidArgumentError(
        fmt::format("{}:{}: {}", path, number, std::string(CheckCurveKey(word).message())));
  }
  if (in.bad()) {
    return absl::UnavailableError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  return keys;
}

absl::StatusOr<CurveKeyPair> ReadCurveSecretKeyFile(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  if ((info.st_mode & 007) != 0) {
    return absl::PermissionDeniedError(
        fmt::format("{} is open to other users (mode {:04o}): a secret key file must not be "
                    "(chmod 600 it)",
                    path, info.st_mode & 07777));
  }
  auto secret = ExactlyOneKey(path, "secret key");
  if (!secret.ok()) return secret.status();
  auto public_key = CurvePublicKeyOf(*secret);
  if (!public_key.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: {}", path, std::string(public_key.status().message())));
  }
  return CurveKeyPair{std::move(*public_key), std::move(*secret)};
}

absl::StatusOr<std::string> ReadCurvePublicKeyFile(const std::string& path) {
  return ExactlyOneKey(path, "public key");
}

absl::Status WriteCurveKeyFiles(const CurveKeyPair& pair, const std::string& secret_path,
                                const std::string& public_path) {
  // Both refused before either is written: no half pair is left behind.
  for (const std::string& path : {secret_path, public_path}) {
    struct stat info;
    if (::lstat(path.c_str(), &info) == 0) {
      return absl::AlreadyExistsError(fmt::format("{} exists: a key file is never replaced", path));
    }
  }
  const std::string secret_text = fmt::format(
      "# navette CURVE secret key (docs/operations.md, Bus security): keep it mode 0600,\n"
      "# readable by its program's user only, and out of any repository.\n"
      "{}\n",
      pair.secret_key);
  const std::string public_text =
      fmt::format("# navette CURVE public key of {}: give it to the other end of the bus.\n{}\n",
                  secret_path, pair.public_key);
  if (absl::Status written = WriteNewFile(secret_path, secret_text, 0600); !written.ok()) {
    return written;
  }
  if (absl::Status written = WriteNewFile(public_path, public_text, 0644); !written.ok()) {
    ::unlink(secret_path.c_str());
    return written;
  }
  return absl::OkStatus();
}

}  // namespace navette::adapters::bus
