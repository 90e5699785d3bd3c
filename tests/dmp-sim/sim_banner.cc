#include "tests/dmp-sim/sim_banner.h"

#include "absl/strings/str_cat.h"
#include "tests/dmp-sim/dmp_server.h"

namespace navette::testing::dmp_sim {
namespace {

std::string HostPort(const SimulatorEndpoints& endpoints, int port) {
  const bool ipv6 = endpoints.host.find(':') != std::string::npos;
  return ipv6 ? absl::StrCat("[", endpoints.host, "]:", port)
              : absl::StrCat(endpoints.host, ":", port);
}

// A YAML double-quoted scalar: a directory may hold spaces, `#` or quotes.
std::string Quoted(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string RepositoryUrl(const SimulatorEndpoints& endpoints) {
  return absl::StrCat("https://", HostPort(endpoints, endpoints.port), kRepositoryPath);
}

std::string RegistryUrl(const SimulatorEndpoints& endpoints) {
  return absl::StrCat("https://", HostPort(endpoints, endpoints.port), kRegistryPath);
}

std::string AdminUrl(const SimulatorEndpoints& endpoints) {
  return absl::StrCat("http://", HostPort(endpoints, endpoints.admin_port));
}

std::string DestinationYaml(const SimulatorEndpoints& endpoints, const SimulatorPki& pki) {
  auto path = [&pki](const char* file) { return Quoted(pki.Path(file).string()); };
  std::string out;
  absl::StrAppend(&out, "  - name: dmp\n");
  absl::StrAppend(&out, "    dmp:\n");
  absl::StrAppend(&out, "      repository_url: ", Quoted(RepositoryUrl(endpoints)), "\n");
  absl::StrAppend(&out, "      tls:\n");
  absl::StrAppend(&out, "        ca_file: ", path(kCaCertFile), "\n");
  absl::StrAppend(&out, "        cert_file: ", path(kAuthCertFile), "\n");
  absl::StrAppend(&out, "        key_file: ", path(kAuthKeyFile), "\n");
  absl::StrAppend(&out, "      signing:\n");
  absl::StrAppend(&out, "        cert_file: ", path(kSignCertFile), "\n");
  absl::StrAppend(&out, "        key_file: ", path(kSignKeyFile), "\n");
  absl::StrAppend(&out, "      vihf:\n");
  absl::StrAppend(&out, "        homologation_number: ", Quoted(kSimulatorHomologationNumber),
                  "\n");
  return out;
}

std::string StartupBanner(const SimulatorEndpoints& endpoints, const SimulatorPki& pki) {
  std::string mode = endpoints.lenient ? "lenient (CNAM sample defects are warnings)" : "strict";
  if (endpoints.test_platform) absl::StrAppend(&mode, ", test platform (test INS OIDs accepted)");
  std::string out;
  absl::StrAppend(&out, "navette-dmp-sim: the simulated DMP is listening, ", mode, "\n");
  absl::StrAppend(&out, "  ITI-41 repository  ", RepositoryUrl(endpoints), "\n");
  absl::StrAppend(&out, "  ITI-57 registry    ", RegistryUrl(endpoints), "\n");
  absl::StrAppend(&out, "  admin (HTTP)       ", AdminUrl(endpoints),
                  "  GET /documents, POST|GET|DELETE /faults, GET /health\n");
  absl::StrAppend(&out, "  PKI                ", pki.dir.string(), "\n\n");
  absl::StrAppend(&out, "# A navette destination for it, under `destinations:`\n");
  absl::StrAppend(&out, DestinationYaml(endpoints, pki));
  return out;
}

}  // namespace navette::testing::dmp_sim
