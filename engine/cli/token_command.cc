#include <iostream>

#include <fmt/format.h>

#include "engine/auth.h"
#include "engine/cli/commands.h"

namespace navette::engine::cli {
namespace {

// A YAML double-quoted scalar: a user name may hold YAML's special characters.
std::string YamlQuoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

int RunTokenNew(const TokenNewOptions& options) {
  if (options.user.empty()) {
    std::cerr << "navette token new: --user must not be empty\n";
    return 1;
  }
  for (char c : options.user) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      std::cerr << "navette token new: --user must not hold control characters\n";
      return 1;
    }
  }
  if (!ParseRole(options.role)) {
    std::cerr << "navette token new: --role must be viewer, operator or admin\n";
    return 1;
  }
  const std::string token = NewToken();
  if (token.empty()) {
    std::cerr << "navette token new: OpenSSL could not generate a random token\n";
    return 1;
  }
  // The token alone on the first line, so that `| head -1` captures it.
  std::cout << token << "\n";
  std::cout << "# The token above is shown only this once. Paste this under "
               "engine.admin.tokens:\n";
  std::cout << fmt::format("- user: {}\n  sha256: {}\n  role: {}\n", YamlQuoted(options.user),
                           HashToken(token), options.role);
  return 0;
}

}  // namespace navette::engine::cli
