// The web console (docs/console.md): its static files under /console/ on the
// admin listener, built into the binary (engine/embedded_files.h).
//
// The files are open like /healthz: they hold no data, and every datum the
// console shows comes from the /v1 API, which checks the token the analyst
// signs in with. Each file goes out with a Content-Security-Policy that
// allows scripts, styles and requests from this origin only, no inline
// script or style, no framing: a value that slipped into the page through a
// message could not run. For development, NAVETTE_CONSOLE_DIR names a
// directory to serve the files from instead, so that a changed file shows
// on the next page load without a rebuild.
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "engine/admin_listener.h"
#include "engine/admin_responses.h"
#include "engine/admin_server.h"
#include "engine/embedded_files.h"

namespace navette::engine {
namespace {

constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'";

std::string_view ContentTypeOf(std::string_view path) {
  const auto ends_with = [&](std::string_view suffix) { return path.ends_with(suffix); };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".json")) return "application/json";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".png")) return "image/png";
  return "application/octet-stream";
}

// A path the development directory may serve: names of letters, digits,
// '.', '_' and '-' under subdirectories, never "..", so that a request
// cannot leave the directory.
bool IsPlainRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.find("..") != path.npos ||
      path.find("//") != path.npos) {
    return false;
  }
  for (char c : path) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-' || c == '/';
    if (!plain) return false;
  }
  return true;
}

std::optional<std::string> ReadFromDirectory(const std::string& directory, std::string_view path) {
  if (!IsPlainRelativePath(path)) return std::nullopt;
  std::ifstream in(directory + "/" + std::string(path), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::optional<std::string_view> FindEmbedded(std::string_view path) {
  for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
    if (kEmbeddedFiles[i].path == path) return kEmbeddedFiles[i].bytes;
  }
  return std::nullopt;
}

}  // namespace

bool IsConsolePath(const std::string& path) {
  return path == "/" || path == "/console" || path.starts_with("/console/");
}

void AdminServer::RegisterConsoleRoutes() {
  const char* override_dir = std::getenv("NAVETTE_CONSOLE_DIR");
  std::string directory = override_dir != nullptr ? override_dir : "";
  if (!directory.empty()) {
    spdlog::warn(
        "admin API: the console's files are read from {} (NAVETTE_CONSOLE_DIR), not the "
        "ones built in",
        directory);
  }
  const auto redirect = [](const httplib::Request&, httplib::Response& response) {
    response.set_redirect("/console/", 302);
  };
  server_->Get("/", redirect);
  server_->Get("/console", redirect);
  server_->Get(R"(/console/(.*))",
               [directory](const httplib::Request& request, httplib::Response& response) {
                 std::string path = request.matches[1];
                 if (path.empty()) path = "index.html";
                 std::optional<std::string> bytes;
                 if (!directory.empty()) {
                   bytes = ReadFromDirectory(directory, path);
                 } else if (auto embedded = FindEmbedded(path)) {
                   bytes = std::string(*embedded);
                 }
                 if (!bytes) return SendError(response, 404, "no such file in the console");
                 response.set_header("Content-Security-Policy", kContentSecurityPolicy);
                 response.set_header("X-Content-Type-Options", "nosniff");
                 response.set_header("Referrer-Policy", "no-referrer");
                 response.set_header("X-Frame-Options", "DENY");
                 // Small files: always asked again, so that an upgraded engine's
                 // console is the one a browser runs (an ETag would save little).
                 response.set_header("Cache-Control", "no-cache");
                 response.set_content(std::move(*bytes), std::string(ContentTypeOf(path)));
               });
}

}  // namespace navette::engine
