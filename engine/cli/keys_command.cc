#include <iostream>

#include <fmt/format.h>

#include "adapters/bus/curve_keys.h"
#include "engine/cli/commands.h"

namespace navette::engine::cli {

int RunKeysNew(const KeysNewOptions& options, std::ostream& out, std::ostream& err) {
  if (options.out.empty()) {
    err << "navette keys new: --out must not be empty\n";
    return 1;
  }
  auto pair = adapters::bus::NewCurveKeyPair();
  if (!pair.ok()) {
    err << "navette keys new: " << pair.status().message() << "\n";
    return 1;
  }
  const std::string secret_path = options.out + ".key";
  const std::string public_path = options.out + ".pub";
  if (absl::Status written = adapters::bus::WriteCurveKeyFiles(*pair, secret_path, public_path);
      !written.ok()) {
    err << "navette keys new: " << written.message() << "\n";
    return 1;
  }
  // The public key alone on the first line, so that `| head -1` captures
  // it. The secret key is never printed: it is in its file only.
  out << pair->public_key << "\n";
  out << fmt::format(
      "# Secret key written to {0} (mode 0600), public key to {1}.\n"
      "# For the engine: engine.ingress.curve.secret_key_file: \"{0}\", and the public key\n"
      "# above is the server key each adapter is given.\n"
      "# For an adapter: it reads {0}; paste this under "
      "engine.ingress.curve.authorized_keys:\n"
      "- \"{2}\"  # {3}\n",
      secret_path, public_path, pair->public_key, options.out);
  return 0;
}

}  // namespace navette::engine::cli
