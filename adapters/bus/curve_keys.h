// CURVE keys of the ZeroMQ bus between remote adapters and the engine
// (engine.ingress.curve, docs/configuration.md), and the files that hold
// them. Shared by `navette keys new`, the configuration's checks, the engine
// and the adapters' DealerPublisher.
//
// A key is written as libzmq writes it: Z85, 40 characters for 32 bytes
// (zmq_z85_encode). Z85's alphabet holds no space, quote, backslash or comma,
// so a key can be double-quoted in YAML as it is; it does hold YAML
// indicators ('&', '*', '!', '[', '#', ...), so it must be quoted.
//
// Key files are text, one key a line:
//
//   # navette CURVE secret key: keep it mode 0600, out of the repository
//   rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7
//
//   - A line whose first word is a 40-character Z85 key is a key; what
//     follows the key after a space or a tab is a comment (the adapter's
//     name, in an authorized keys file).
//   - Any other line that starts with '#', and blank lines, are comments.
//     ('#' is a Z85 character, but never the first of a key: a group of
//     five characters starting with it would exceed 32 bits.)
//   - Anything else is an error naming the file and the line.
//
// A secret key file (PREFIX.key) holds the secret key alone: the public key
// is derived from it (zmq_curve_public), so the two can never disagree. It
// is created 0600 and refused when other users may read it (mode & 007), as
// ssh refuses a private key. A public key file (PREFIX.pub) holds the public
// key; an authorized keys file (engine.ingress.curve.authorized_keys_file)
// holds any number of public keys.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace navette::adapters::bus {

inline constexpr size_t kCurveKeyLength = 40;  // Z85 of 32 bytes

struct CurveKeyPair {
  std::string public_key = {};  // Z85
  std::string secret_key = {};  // Z85
};

// The client side of a CURVE connection: what a DealerPublisher presents
// (its own pair) and the engine's public key it expects.
struct CurveClientKeys {
  std::string server_public_key = {};
  std::string public_key = {};
  std::string secret_key = {};
};

// OK when `text` is a 40-character Z85 key; otherwise InvalidArgument
// saying what is wrong with it (its length, or its first character outside
// Z85), never quoting the text, which may be a secret.
absl::Status CheckCurveKey(std::string_view text);

// A new pair from libzmq (zmq_curve_keypair, libsodium's random source).
absl::StatusOr<CurveKeyPair> NewCurveKeyPair();

// The public key of a secret key (zmq_curve_public).
absl::StatusOr<std::string> CurvePublicKeyOf(std::string_view secret_key);

// Every key of a key file, in order; an error names the file and line.
absl::StatusOr<std::vector<std::string>> ReadCurveKeyFile(const std::string& path);

// A secret key file: exactly one key, a file other users cannot read, and
// the public key derived from it. Errors name the file.
absl::StatusOr<CurveKeyPair> ReadCurveSecretKeyFile(const std::string& path);

// A public key file: exactly one key.
absl::StatusOr<std::string> ReadCurvePublicKeyFile(const std::string& path);

// Writes `pair` to `secret_path` (mode 0600) and `public_path` (0644 under
// the umask), refusing to replace either file (AlreadyExists) and leaving
// neither behind when the second cannot be written.
absl::Status WriteCurveKeyFiles(const CurveKeyPair& pair, const std::string& secret_path,
                                const std::string& public_path);

}  // namespace navette::adapters::bus
