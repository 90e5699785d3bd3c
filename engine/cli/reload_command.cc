// `navette reload`: the engine reads its configuration file again and swaps
// it in (POST /v1/reload, admin role; docs/reload.md). Prints the new
// version and what changed, or the check's errors, the running
// configuration staying.
#include <iostream>

#include <fmt/format.h>
#include <google/protobuf/empty.pb.h>

#include "common/printable.h"
#include "engine/cli/admin_client.h"
#include "engine/cli/commands.h"
#include "proto/admin.pb.h"

namespace navette::engine::cli {

int RunReload(const ReloadCommandOptions& options) {
  admin::ReloadResponse reloaded;
  absl::Status status = AdminClient::FromOptions(options.admin)
                            .Post("/v1/reload", google::protobuf::Empty(), reloaded);
  if (!status.ok()) {
    std::cerr << "navette reload: " << status.message() << "\n";
    return 1;
  }
  if (reloaded.version() == reloaded.previous_version()) {
    std::cout << fmt::format("configuration unchanged: version {}\n", reloaded.version());
    return 0;
  }
  std::cout << fmt::format("configuration reloaded: version {} (was {})\n", reloaded.version(),
                           reloaded.previous_version());
  for (const std::string& change : reloaded.changes()) {
    std::cout << "  " << Printable(change) << "\n";
  }
  for (const std::string& warning : reloaded.warnings()) {
    std::cout << "  warning: " << Printable(warning) << "\n";
  }
  return 0;
}

}  // namespace navette::engine::cli
