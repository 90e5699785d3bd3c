#include "engine/cli/admin_target.h"

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "common/listen_address.h"
#include "engine/auth.h"
#include "engine/builtin_kinds.h"
#include "engine/config/default_config.h"
#include "engine/config/loader.h"

namespace navette::engine::cli {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// The URL that reaches a listen address: an engine listening on every
// interface is reached on loopback.
absl::StatusOr<std::string> UrlOfListen(std::string_view listen, std::string_view what,
                                        bool https = false) {
  auto address = ParseListenAddress(listen, what);
  if (!address.ok()) return address.status();
  std::string host = address->host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return fmt::format("{}://{}:{}", https ? "https" : "http", host, address->port);
}

// A URL as a person gives it (--admin, $NAVETTE_ADMIN): with its scheme, as
// is; without, read as host:port.
absl::StatusOr<std::string> UrlAsGiven(std::string text, std::string_view origin) {
  while (!text.empty() && text.back() == '/') text.pop_back();
  if (text.find("://") != std::string::npos) return text;
  auto url = UrlOfListen(text, origin);
  if (!url.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: '{}' is neither a URL (http://host:port) nor host:port", origin, text));
  }
  return url;
}

// The admin URL a configuration file's engine.admin.listen leads to.
absl::StatusOr<std::string> UrlOfConfig(const std::string& path, std::string_view origin) {
  config::LoadResult loaded = config::LoadConfigFile(path, BuiltinKinds());
  if (!loaded.ok()) {
    const std::string first = loaded.errors.empty() ? "unreadable" : loaded.errors[0].ToString();
    return absl::InvalidArgumentError(fmt::format(
        "cannot read the configuration {} ({}) for the admin address: {}{}", path, origin, first,
        loaded.errors.size() > 1
            ? fmt::format(" (and {} more: `navette check {}`)", loaded.errors.size() - 1, path)
            : ""));
  }
  const navette::config::Admin& admin = loaded.config->config.engine().admin();
  return UrlOfListen(admin.listen(), "engine.admin.listen in " + path, admin.has_tls());
}

absl::Status ResolveUrl(const AdminOptions& options, AdminTarget& target) {
  auto adopt = [&target](absl::StatusOr<std::string> url) {
    if (!url.ok()) return url.status();
    target.url = std::move(*url);
    return absl::OkStatus();
  };
  if (!options.admin_url.empty()) {
    target.url_origin = "--admin";
    return adopt(UrlAsGiven(options.admin_url, target.url_origin));
  }
  if (const std::string env = Env("NAVETTE_ADMIN"); !env.empty()) {
    target.url_origin = "$NAVETTE_ADMIN";
    return adopt(UrlAsGiven(env, target.url_origin));
  }
  const bool flag = !options.config_path.empty();
  const std::string config_path = flag ? options.config_path : Env("NAVETTE_CONFIG");
  if (!config_path.empty()) {
    const std::string config_origin = flag ? "--config" : "$NAVETTE_CONFIG";
    target.url_origin = fmt::format("engine.admin.listen in {} ({})", config_path, config_origin);
    return adopt(UrlOfConfig(config_path, config_origin));
  }
  target.url_origin = "the default configuration's engine.admin.listen";
  config::LoadResult loaded = config::LoadConfigText(config::DefaultConfigText(),
                                                     config::kDefaultConfigName, BuiltinKinds());
  return adopt(
      UrlOfListen(loaded.ok() ? loaded.config->config.engine().admin().listen() : "127.0.0.1:8575",
                  target.url_origin));
}

void ResolveToken(const AdminOptions& options, AdminTarget& target) {
  if (!options.token.empty()) {
    target.token = options.token;
    target.token_origin = "--token";
    return;
  }
  if (std::string env = Env("NAVETTE_TOKEN"); !env.empty()) {
    target.token = std::move(env);
    target.token_origin = "$NAVETTE_TOKEN";
    return;
  }
  std::error_code ignored;
  std::filesystem::path path =
      std::filesystem::absolute(std::filesystem::path(options.data_dir) / kLocalTokenFile, ignored);
  auto local = ReadLocalToken(options.data_dir);
  if (local.ok()) {
    target.token = std::move(*local);
    target.token_origin = path.string();
    return;
  }
  target.token_search =
      fmt::format("no --token, no $NAVETTE_TOKEN, and {}",
                  absl::IsNotFound(local.status()) ? fmt::format("no {} (not found)", path.string())
                                                   : std::string(local.status().message()));
}

}  // namespace

absl::StatusOr<AdminTarget> ResolveAdminTarget(const AdminOptions& options) {
  AdminTarget target;
  absl::Status url = ResolveUrl(options, target);
  if (!url.ok()) return url;
  ResolveToken(options, target);
  target.ca_file = options.ca_file.empty() ? Env("NAVETTE_CA") : options.ca_file;
  target.cert_file = options.cert_file.empty() ? Env("NAVETTE_CERT") : options.cert_file;
  target.key_file = options.key_file.empty() ? Env("NAVETTE_KEY") : options.key_file;
  return target;
}

}  // namespace navette::engine::cli
