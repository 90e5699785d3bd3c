#include "engine/cli/admin_client.h"

#include <curl/curl.h>

#include <memory>

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

#include "engine/config/default_config.h"
#include "engine/config/loader.h"
#include "proto/admin.pb.h"

namespace navette::engine::cli {
namespace {

size_t AppendToString(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

absl::Status AdminClient::Get(const std::string& path_and_query,
                              google::protobuf::Message& out) const {
  const std::string url = base_url_ + path_and_query;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return absl::InternalError("cannot initialise libcurl");
  std::string body;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, AppendToString);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    return absl::UnavailableError(fmt::format(
        "cannot reach the admin API at {}: {} (is `navette serve` running? --admin sets the URL)",
        base_url_, curl_easy_strerror(code)));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    admin::ErrorResponse error;
    if (google::protobuf::util::JsonStringToMessage(body, &error).ok() && !error.error().empty()) {
      return absl::FailedPreconditionError(fmt::format("{} (HTTP {})", error.error(), status));
    }
    return absl::FailedPreconditionError(fmt::format("{} answered HTTP {}", url, status));
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // a newer engine may add fields
  auto parsed = google::protobuf::util::JsonStringToMessage(body, &out, options);
  if (!parsed.ok()) {
    return absl::DataLossError(
        fmt::format("unreadable answer from {}: {}", url, std::string(parsed.message())));
  }
  return absl::OkStatus();
}

std::string DefaultAdminUrl() {
  config::LoadResult loaded =
      config::LoadConfigText(config::DefaultConfigText(), config::kDefaultConfigName);
  std::string listen = loaded.ok() ? loaded.config->config.engine().admin().listen() : "";
  if (listen.empty()) listen = "127.0.0.1:8575";
  return "http://" + listen;
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
