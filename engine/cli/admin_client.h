// The CLI's side of the admin API: GET a path, parse the JSON answer into a
// proto. Errors name the URL and what went wrong (engine not running, HTTP
// status with the server's error text).
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"

namespace navette::engine::cli {

class AdminClient {
 public:
  explicit AdminClient(std::string base_url) : base_url_(std::move(base_url)) {}
  // `path_and_query` starts with '/'.
  absl::Status Get(const std::string& path_and_query, google::protobuf::Message& out) const;

 private:
  std::string base_url_;
};

// The admin URL the embedded default configuration listens on.
std::string DefaultAdminUrl();
// Percent-encodes a query parameter value.
std::string UrlEncode(const std::string& value);

}  // namespace navette::engine::cli
