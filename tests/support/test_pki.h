// Certificates for TLS tests, made with the openssl command in a directory
// of the test's: a CA ("ca"), a server certificate for 127.0.0.1 and
// localhost ("server") and a client certificate ("client") both signed by
// it, and another CA that signed neither ("other_ca"). Each as <name>.pem
// and <name>.key (unencrypted PEM, P-256).
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace navette::testing {

class TestPki {
 public:
  // Makes the certificates in `dir` (created if missing). `ok()` says
  // whether every openssl command succeeded; `error()` then says why not.
  explicit TestPki(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "pki.cnf") << R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
)";
    for (const char* ca : {"ca", "other_ca"}) {
      Run(
          fmt::format("req -x509 -new -config pki.cnf -extensions ca_ext -newkey ec -pkeyopt "
                      "ec_paramgen_curve:prime256v1 -nodes -keyout {}.key -out {}.pem -days 2 "
                      "-subj '/CN=navette test {}'",
                      ca, ca, ca));
    }
    for (const char* leaf : {"server", "client"}) {
      Issue(leaf, std::string_view(leaf) == "server" ? "/CN=127.0.0.1" : "/CN=navette-client", "ca",
            std::string(leaf) + "_ext");
    }
  }

  // Another client certificate, <name>.pem and <name>.key: `subject` in
  // openssl's form ("/O=CHU/CN=sgl"), signed by `ca` ("ca" or "other_ca"),
  // with `alt_names` as its subjectAltName ("DNS:sgl.chu.local") if any.
  // Sets error() when openssl fails.
  void IssueClient(std::string_view name, std::string_view subject, std::string_view ca,
                   std::string_view alt_names = "") {
    std::string extensions = "client_ext";
    if (!alt_names.empty()) {
      extensions = fmt::format("{}_ext", name);
      std::ofstream(dir_ / "pki.cnf", std::ios::app) << fmt::format(
          "[{}]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n"
          "extendedKeyUsage = clientAuth\nsubjectAltName = {}\n",
          extensions, alt_names);
    }
    Issue(name, subject, ca, extensions);
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string Path(std::string_view name) const { return (dir_ / name).string(); }

 private:
  // Runs `openssl <arguments>` in the directory; its messages go to
  // openssl.log, kept as the error when it fails.
  void Run(const std::string& arguments) {
    if (!error_.empty()) return;
    const std::string command =
        fmt::format("cd '{}' && openssl {} >>openssl.log 2>&1", dir_.string(), arguments);
    if (std::system(command.c_str()) != 0) {
      std::ifstream log(dir_ / "openssl.log");
      std::stringstream text;
      text << log.rdbuf();
      error_ = fmt::format("openssl {} failed:\n{}", arguments, text.str());
    }
  }

  void Issue(std::string_view name, std::string_view subject, std::string_view ca,
             std::string_view extensions) {
    Run(fmt::format(
        "req -new -config pki.cnf -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout {}.key -out {}.csr -subj '{}'",
        name, name, subject));
    Run(
        fmt::format("x509 -req -in {}.csr -CA {}.pem -CAkey {}.key -set_serial {} -days 2 -extfile "
                    "pki.cnf -extensions {} -out {}.pem",
                    name, ca, ca, ++serial_, extensions, name));
  }

  std::filesystem::path dir_;
  std::string error_;
  int serial_ = 1;
};

// The PKI of the TLS listener tests, for a whole suite, in a directory of
// its own removed with it: TestPki's, plus "stranger" (CN=navette-client,
// the client's subject, but from other_ca) and "sgl" (/O=CHU/CN=sgl, from
// ca), the clients an allow-list or a CA turns away.
class ListenerTestPki {
 public:
  explicit ListenerTestPki(std::string_view name)
      : dir_(std::filesystem::temp_directory_path() /
             fmt::format("navette-{}-{}", name, ::getpid())),
        pki_(dir_) {
    pki_.IssueClient("stranger", "/CN=navette-client", "other_ca");
    pki_.IssueClient("sgl", "/O=CHU/CN=sgl", "ca");
  }
  ~ListenerTestPki() { std::filesystem::remove_all(dir_); }
  ListenerTestPki(const ListenerTestPki&) = delete;
  ListenerTestPki& operator=(const ListenerTestPki&) = delete;

  bool ok() const { return pki_.ok(); }
  const std::string& error() const { return pki_.error(); }
  std::string Path(std::string_view name) const { return pki_.Path(name); }

 private:
  std::filesystem::path dir_;
  TestPki pki_;
};

}  // namespace navette::testing
