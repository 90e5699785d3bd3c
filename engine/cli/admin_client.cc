#include "engine/cli/admin_client.h"

#include <curl/curl.h>

#include <cctype>
#include <memory>

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

#include "common/printable.h"
#include "proto/admin.pb.h"

namespace navette::engine::cli {
namespace {

size_t AppendToString(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

AdminClient AdminClient::FromOptions(const AdminOptions& options) {
  auto target = ResolveAdminTarget(options);
  if (!target.ok()) return AdminClient(AdminTarget(), target.status());
  return AdminClient(std::move(*target));
}

absl::Status AdminClient::Get(const std::string& path_and_query,
                              google::protobuf::Message& out) const {
  return Call("GET", path_and_query, nullptr, out);
}

absl::Status AdminClient::Post(const std::string& path, const google::protobuf::Message& body,
                               google::protobuf::Message& out) const {
  std::string json;
  auto printed = google::protobuf::util::MessageToJsonString(body, &json);
  if (!printed.ok()) {
    return absl::InternalError(
        fmt::format("cannot encode the request to {}: {}", path, std::string(printed.message())));
  }
  return Call("POST", path, &json, out);
}

absl::Status AdminClient::Call(const std::string& method, const std::string& path,
                               const std::string* request_body,
                               google::protobuf::Message& out) const {
  if (!unresolved_.ok()) return unresolved_;
  const std::string url = target_.url + path;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return absl::InternalError("cannot initialise libcurl");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  auto add_header = [&](const std::string& header) {
    // On failure curl_slist_append returns null and leaves the list as it was.
    if (curl_slist* list = curl_slist_append(headers.get(), header.c_str())) {
      (void)headers.release();
      headers.reset(list);
    }
  };
  if (!target_.token.empty()) add_header("Authorization: Bearer " + target_.token);
  std::string body;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, AppendToString);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  // HTTPS: TLS 1.2 or later, the engine's certificate always verified.
  curl_easy_setopt(curl.get(), CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!target_.ca_file.empty())
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO, target_.ca_file.c_str());
  if (!target_.cert_file.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_SSLCERT, target_.cert_file.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_SSLKEY,
                     (target_.key_file.empty() ? target_.cert_file : target_.key_file).c_str());
  }
  if (method == "POST") {
    add_header("Content-Type: application/json");
    curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, request_body->data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request_body->size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  char error_text[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_text);
  CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    const std::string why = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
    if (url.rfind("https://", 0) == 0 &&
        (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_CONNECT_ERROR)) {
      return absl::UnavailableError(fmt::format(
          "cannot reach the admin API at {} (from {}) over TLS: {} (--ca or $NAVETTE_CA names "
          "the CA that signed the engine's certificate; --cert and --key the client's)",
          target_.url, target_.url_origin, why));
    }
    if (url.rfind("http://", 0) == 0 && code == CURLE_GOT_NOTHING) {
      return absl::UnavailableError(fmt::format(
          "the admin API at {} (from {}) closed the connection without an answer: if it serves "
          "HTTPS (engine.admin.tls), use https:// or --config",
          target_.url, target_.url_origin));
    }
    return absl::UnavailableError(
        fmt::format("cannot reach the admin API at {} (from {}): {} (is `navette serve` running? "
                    "--admin, $NAVETTE_ADMIN or --config give the address)",
                    target_.url, target_.url_origin, why));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status == 401 && target_.token.empty()) {
    return absl::UnauthenticatedError(fmt::format(
        "no admin token: {}. The engine keeps its local token in its data directory (`navette "
        "serve --data-dir`, default ./navette-data): run from the directory the engine runs in, "
        "pass --data-dir, or give --token",
        target_.token_search));
  }
  if (status == 401) {
    return absl::UnauthenticatedError(fmt::format(
        "the admin API at {} refused the token from {} (401): not one of this engine's tokens "
        "(an engine's local token changes with its data directory)",
        target_.url, target_.token_origin));
  }
  if (status < 200 || status >= 300) {
    // A 403 is the role's: the engine's words say which role is needed.
    admin::ErrorResponse error;
    if (google::protobuf::util::JsonStringToMessage(body, &error).ok() && !error.error().empty()) {
      // The engine's words may quote what a peer sent (an id, a reason):
      // escaped for the terminal, each detail on a line of its own.
      std::string text = fmt::format("{} (HTTP {})", Printable(error.error()), status);
      for (const std::string& detail : error.details()) text += "\n  " + Printable(detail);
      if (status == 403) return absl::PermissionDeniedError(text);
      return absl::FailedPreconditionError(text);
    }
    if (status == 403) {
      return absl::PermissionDeniedError("this token's role may not do that (403)");
    }
    return absl::FailedPreconditionError(fmt::format("{} answered HTTP {}", url, status));
  }
  if (body.empty()) return absl::OkStatus();  // e.g. 204: nothing to parse
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // a newer engine may add fields
  auto parsed = google::protobuf::util::JsonStringToMessage(body, &out, options);
  if (!parsed.ok()) {
    return absl::DataLossError(
        fmt::format("unreadable answer from {}: {}", url, std::string(parsed.message())));
  }
  return absl::OkStatus();
}

std::string UrlEncode(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace navette::engine::cli
