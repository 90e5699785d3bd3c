// The test PKI of the `navette-dmp-sim` program, made with the OpenSSL C API
// in one directory and kept there, so that an engine configured against it
// keeps working across restarts of the simulator. Shaped like the DMP's
// (dmp-mss-notes §6.8): the establishment has two key pairs, one for TLS and
// one for the VIHF, and mixing them is what the simulator refuses.
//
//   files                  what                              extensions
//   ca.pem / ca.key        the CA of every certificate here  CA:TRUE, keyCertSign
//                          (the server's and the clients')
//   server.pem / .key      the simulator's TLS server pair   serverAuth, SAN
//                                                            IP:127.0.0.1, DNS:localhost
//   auth.pem / auth.key    the establishment's TLS client    clientAuth
//                          pair (ORG-AUTH_CLI)
//   sign.pem / sign.key    the establishment's VIHF signing  digitalSignature,
//                          pair (ORG-SIGN, "cachet")         nonRepudiation
//
// RSA 2048, SHA-256, X.509 v3, valid one year; keys are unencrypted PEM
// written 0600. A pair is reused when its certificate exists (the key is
// written first, the certificate last, each through a temporary file and a
// rename, so an existing certificate means a complete pair); a key without
// its certificate is the leftover of an interrupted run and is replaced.
// A reused certificate must still match its key and, for the leaves, have
// been issued by ca.pem: otherwise the error names the file rather than
// silently replacing what an engine's configuration points at.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace navette::testing::dmp_sim {

inline constexpr char kCaCertFile[] = "ca.pem";
inline constexpr char kCaKeyFile[] = "ca.key";
inline constexpr char kServerCertFile[] = "server.pem";
inline constexpr char kServerKeyFile[] = "server.key";
inline constexpr char kAuthCertFile[] = "auth.pem";
inline constexpr char kAuthKeyFile[] = "auth.key";
inline constexpr char kSignCertFile[] = "sign.pem";
inline constexpr char kSignKeyFile[] = "sign.key";

struct SimulatorPki {
  std::filesystem::path dir;  // absolute
  // The files this run wrote (empty when everything was reused).
  std::vector<std::string> created;

  std::filesystem::path Path(std::string_view file) const { return dir / file; }
};

// Makes what is missing in `dir` (created 0700 if absent) and checks what is
// reused. FailedPrecondition naming the file when one cannot be read,
// written or trusted.
absl::StatusOr<SimulatorPki> EnsureSimulatorPki(const std::filesystem::path& dir);

}  // namespace navette::testing::dmp_sim
