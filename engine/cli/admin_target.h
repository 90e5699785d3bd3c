// Where the CLI finds the engine it talks to: the admin API's URL and the
// token to send. Each comes from the first of these that is given:
//
//   admin URL   --admin URL, $NAVETTE_ADMIN, engine.admin.listen of the
//               configuration (--config FILE, else $NAVETTE_CONFIG), the
//               embedded default configuration's (127.0.0.1:8575)
//   token       --token, $NAVETTE_TOKEN, <data dir>/admin.token
//   data dir    --data-dir, else ./navette-data: the rule of `navette
//               serve`, whose data directory is a command-line flag and not
//               part of the configuration
//   HTTPS       an https:// URL, or engine.admin.tls in the configuration;
//               the engine's certificate is verified against --ca, else
//               $NAVETTE_CA, else the system's store; --cert and --key
//               ($NAVETTE_CERT, $NAVETTE_KEY) for an API that requires a
//               client certificate
//
// A URL may be written without its scheme (`127.0.0.1:9575`); a listen
// address on every interface (0.0.0.0, [::]) is reached on loopback. Each
// setting keeps where it came from, so that an error can say which address
// or token was used and why.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace navette::engine::cli {

// What every admin-talking command takes (main.cc adds them as --admin,
// --token, --data-dir and --config).
struct AdminOptions {
  std::string admin_url;                  // empty: see above
  std::string token;                      // empty: see above
  std::string data_dir = "navette-data";  // as `serve`
  std::string config_path;                // empty: $NAVETTE_CONFIG, else none
  std::string ca_file;                    // empty: $NAVETTE_CA, else the system's
  std::string cert_file;                  // empty: $NAVETTE_CERT, else none
  std::string key_file;                   // empty: $NAVETTE_KEY, else none
};

struct AdminTarget {
  std::string url;         // "http(s)://host:port", no trailing slash
  std::string url_origin;  // "--admin", "$NAVETTE_ADMIN", "engine.admin.listen in F", ...
  std::string token;       // empty: none found
  std::string token_origin;
  // With no token: what was looked for, for the error the engine's 401 gets.
  std::string token_search;
  std::string ca_file;  // HTTPS: empty for the system's store
  std::string cert_file;
  std::string key_file;
};

// InvalidArgument when the configuration named cannot be read or the
// address is not a URL or host:port.
absl::StatusOr<AdminTarget> ResolveAdminTarget(const AdminOptions& options);

}  // namespace navette::engine::cli
