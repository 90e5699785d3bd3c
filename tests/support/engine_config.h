// Configurations for end-to-end tests: one MLLP source and one destination.
#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "tests/support/engine_process.h"

namespace navette::testing {

// The tests' users and their made-up tokens (never real secrets): vera the
// viewer, otto the operator, ada the admin. An empty token leaves its user
// out.
struct TestTokens {
  std::string viewer, operator_, admin;
};

// The `tokens:` list of engine.admin for them, indented to sit under
// `admin:` at two spaces ("    tokens:" and one line per user).
inline std::string TokensYaml(const TestTokens& tokens) {
  struct User {
    const char* name;
    const char* role;
    const std::string& token;
  };
  const User users[] = {{"vera", "viewer", tokens.viewer},
                        {"otto", "operator", tokens.operator_},
                        {"ada", "admin", tokens.admin}};
  std::string yaml = "    tokens:\n";
  for (const User& user : users) {
    if (user.token.empty()) continue;
    yaml += fmt::format("      - {{ user: {}, sha256: \"{}\", role: {} }}\n", user.name,
                        Sha256Hex(user.token), user.role);
  }
  return yaml;
}

// The routes of the identity flow: PAM-FR ADTs feed the identity store,
// ORUs get the INS attached (or park until they can) and go to `outbox`.
inline constexpr char kIdentityRoutes[] =
    "  - name: identities\n"
    "    match: { message_type: \"ADT^*\" }\n"
    "    steps: [ { identity_feed: {} } ]\n"
    "  - name: lab\n"
    "    match: { message_type: \"ORU^*\" }\n"
    "    steps: [ { attach_ins: {} } ]\n"
    "    to: [outbox]\n";

// `routes` is the YAML of the routes list; by default one route takes all.
// `mllp_extra` and `admin_extra` are more keys of the source's mllp and of
// engine.admin, each starting with ", "; `engine_extra` more lines under
// engine (each indented by 2, ending with a newline).
inline std::string FileEngineConfig(uint16_t admin_port, uint16_t mllp_port,
                                    const std::string& routes = "  - { name: all, to: [outbox] }\n",
                                    const std::string& mllp_extra = "",
                                    const std::string& admin_extra = "",
                                    const std::string& engine_extra = "") {
  return fmt::format(
      "engine:\n"
      "  admin: {{ listen: \"127.0.0.1:{}\"{} }}\n"
      "{}"
      "sources:\n"
      "  - name: lab\n"
      "    mllp: {{ listen: \"127.0.0.1:{}\"{} }}\n"
      "destinations:\n"
      "  - name: outbox\n"
      "    file: {{ directory: outbox }}\n"
      "routes:\n{}",
      admin_port, admin_extra, engine_extra, mllp_port, mllp_extra, routes);
}

// One MLLP source `lab`, one destination `name` whose kind and other options
// are the YAML `options` (its lines after the first indented by 4), and one
// route taking everything to it.
inline std::string SingleDestinationConfig(uint16_t admin_port, uint16_t mllp_port,
                                           const std::string& name, const std::string& options) {
  return fmt::format(
      "engine:\n"
      "  admin: {{ listen: \"127.0.0.1:{}\" }}\n"
      "sources:\n"
      "  - name: lab\n"
      "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
      "destinations:\n"
      "  - name: {}\n"
      "    {}\n"
      "routes:\n"
      "  - {{ name: all, to: [{}] }}\n",
      admin_port, mllp_port, name, options, name);
}

}  // namespace navette::testing
