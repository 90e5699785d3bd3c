// Certificates for the VIHF tests, made with the openssl command in a
// directory of the test's, shaped like the DMP's two IGC-Santé certificates
// (dmp-mss-notes §6.8): an RSA CA ("ca"), the establishment's signing
// ("cachet") pair ("sign": digitalSignature + nonRepudiation) and its
// separate TLS client pair ("tls": clientAuth), each <name>.pem + <name>.key
// (RSA 2048, unencrypted PEM); plus "sign.p12" (password kP12Password) and
// "sign_encrypted.key" (PEM key encrypted with kKeyPassword).
// tests/support/test_pki.h makes P-256 keys; the VIHF is signed with RSA.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace navette::adapters::dmp::vihf::testing {

inline constexpr char kP12Password[] = "cachet-secret";
inline constexpr char kKeyPassword[] = "pem-secret";

class VihfTestPki {
 public:
  explicit VihfTestPki(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "pki.cnf") << R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
[sign_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
[tls_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
)";
    Run("req -x509 -new -config pki.cnf -extensions ca_ext -newkey rsa:2048 -nodes "
        "-keyout ca.key -out ca.pem -days 2 -subj '/C=FR/O=navette test/CN=navette test CA'");
    int serial = 1;
    for (const std::string leaf : {"sign", "tls"}) {
      const std::string subject =
          leaf == "sign" ? "/C=FR/O=CH NAVETTE TEST/OU=10B0127189/CN=DMP SIGN navette"
                         : "/C=FR/O=CH NAVETTE TEST/OU=10B0127189/CN=DMP AUTH_CLI navette";
      Run(absl::StrCat("req -new -config pki.cnf -newkey rsa:2048 -nodes -keyout ", leaf,
                       ".key -out ", leaf, ".csr -subj '", subject, "'"));
      Run(absl::StrCat("x509 -req -in ", leaf, ".csr -CA ca.pem -CAkey ca.key -set_serial ",
                       ++serial, " -days 2 -extfile pki.cnf -extensions ", leaf, "_ext -out ", leaf,
                       ".pem"));
    }
    Run(
        absl::StrCat("pkcs12 -export -inkey sign.key -in sign.pem -name cachet -out sign.p12 "
                     "-passout pass:",
                     kP12Password));
    Run(absl::StrCat("pkey -in sign.key -aes256 -out sign_encrypted.key -passout pass:",
                     kKeyPassword));
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string Path(std::string_view name) const { return (dir_ / name).string(); }

 private:
  void Run(const std::string& arguments) {
    if (!error_.empty()) return;
    const std::string command =
        absl::StrCat("cd '", dir_.string(), "' && openssl ", arguments, " >>openssl.log 2>&1");
    if (std::system(command.c_str()) != 0) {
      std::ifstream log(dir_ / "openssl.log");
      std::stringstream text;
      text << log.rdbuf();
      error_ = absl::StrCat("openssl ", arguments, " failed:\n", text.str());
    }
  }

  std::filesystem::path dir_;
  std::string error_;
};

}  // namespace navette::adapters::dmp::vihf::testing
