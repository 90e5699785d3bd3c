// What `navette-dmp-sim` prints on stdout once it listens: its endpoints,
// and a `dmp` destination for navette's configuration that points at them
// and at the simulator's PKI (sim_pki.h), absolute paths, ready to paste.
// Pure, so that its test needs no ports.
#pragma once

#include <string>

#include "tests/dmp-sim/sim_pki.h"

namespace navette::testing::dmp_sim {

// Any value passes the simulator (it only requires the attribute); the
// engine requires one.
inline constexpr char kSimulatorHomologationNumber[] = "DMP-SIM";

struct SimulatorEndpoints {
  std::string host;  // as listened on
  int port = 0;
  int admin_port = 0;
  bool lenient = false;
  bool test_platform = false;
};

// https://<host>:<port>/DocumentRepository_Service (IPv6 hosts bracketed).
std::string RepositoryUrl(const SimulatorEndpoints& endpoints);
std::string RegistryUrl(const SimulatorEndpoints& endpoints);
std::string AdminUrl(const SimulatorEndpoints& endpoints);

// The `dmp` destination, as an item of navette's `destinations:` list.
std::string DestinationYaml(const SimulatorEndpoints& endpoints, const SimulatorPki& pki);

// The endpoints, then DestinationYaml under a comment line.
std::string StartupBanner(const SimulatorEndpoints& endpoints, const SimulatorPki& pki);

}  // namespace navette::testing::dmp_sim
