// The DMP side of the end-to-end DMP suites: the test PKI (the DMP's CA,
// the simulator's server pair, the establishment's separate TLS and signing
// pairs, and a client pair from a CA the DMP does not trust), the
// simulator on a real mutual-TLS port, and the `dmp` destination's YAML
// pointing at them.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "adapters/dmp/vihf/signing_credentials.h"
#include "adapters/dmp/vihf/vihf_test_pki.h"
#include "tests/dmp-sim/dmp_server.h"
#include "tests/dmp-sim/dmp_value_sets.h"

namespace navette::testing {

inline constexpr char kHomologation[] = "HOMOLOG-NAVETTE-TEST";

// Beside VihfTestPki's ca, sign and tls: the server pair for 127.0.0.1 (the
// simulator's and the proxy's) and a client pair from another CA.
inline constexpr char kMoreDmpPairs[] = R"(cat > more.cnf <<'CNF'
[server]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
[client]
basicConstraints = CA:FALSE
extendedKeyUsage = clientAuth
CNF
openssl req -new -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=dmp-sim' &&
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 20 -days 2 -extfile more.cnf -extensions server -out server.pem &&
openssl req -x509 -new -newkey rsa:2048 -nodes -keyout rogue_ca.key -out rogue_ca.pem -days 2 -subj '/CN=not the DMP CA' &&
openssl req -new -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.csr -subj '/CN=rogue client' &&
openssl x509 -req -in rogue.csr -CA rogue_ca.pem -CAkey rogue_ca.key -set_serial 21 -days 2 -extfile more.cnf -extensions client -out rogue.pem
)";

class DmpPeer {
 public:
  explicit DmpPeer(const std::filesystem::path& dir) : dir_(dir / "dmp-pki"), pki_(dir_) {
    if (!pki_.ok()) {
      error_ = pki_.error();
      return;
    }
    const std::string command =
        fmt::format("cd '{}' && ({}) >>openssl.log 2>&1", dir_.string(), kMoreDmpPairs);
    if (std::system(command.c_str()) != 0) error_ = "openssl could not make the server pairs";
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // The simulator as the DMP's test platform (INS test OIDs accepted).
  absl::Status Start() {
    auto signing = adapters::dmp::vihf::LoadCertificatePemFile(Path("sign.pem"));
    if (!signing.ok()) return signing.status();
    auto sets = dmp_sim::DmpValueSets::Load(dmp_sim::DefaultValueSetDir());
    if (!sets.ok()) return sets.status();
    dmp_sim::DmpServerOptions options;
    options.certificate_path = Path("server.pem");
    options.key_path = Path("server.key");
    options.client_ca_path = Path("ca.pem");
    options.policy.signing_certificate = std::shared_ptr<X509>(signing->release(), X509_free);
    options.policy.vihf_settings.homologation_number = kHomologation;
    options.policy.allow_test_ins = true;
    options.policy.value_sets = *sets;
    options.policy.xds_schema_dir = NAVETTE_XDS_SCHEMA_DIR;
    server_ = std::make_unique<dmp_sim::DmpServer>(std::move(options));
    return server_->Start();
  }
  dmp_sim::DmpServer& server() { return *server_; }
  std::string BaseUrl() const { return fmt::format("https://127.0.0.1:{}", server_->port()); }

  // The `dmp:` settings of a destination reaching `base_url` (the
  // simulator's by default), presenting the client pair `tls_pair`.
  std::string DestinationYaml(const std::string& base_url = "",
                              const std::string& tls_pair = "tls") const {
    return fmt::format(
        "    dmp:\n"
        "      repository_url: \"{}{}\"\n"
        "      connect_timeout: 5s\n"
        "      timeout: 10s\n"
        "      tls: {{ ca_file: \"{}\", cert_file: \"{}\", key_file: \"{}\" }}\n"
        "      signing: {{ cert_file: \"{}\", key_file: \"{}\" }}\n"
        "      vihf: {{ homologation_number: \"{}\" }}\n",
        base_url.empty() ? BaseUrl() : base_url, dmp_sim::kRepositoryPath, Path("ca.pem"),
        Path(tls_pair + ".pem"), Path(tls_pair + ".key"), Path("sign.pem"), Path("sign.key"),
        kHomologation);
  }

 private:
  std::filesystem::path dir_;
  adapters::dmp::vihf::testing::VihfTestPki pki_;
  std::string error_;
  std::unique_ptr<dmp_sim::DmpServer> server_;
};

}  // namespace navette::testing
