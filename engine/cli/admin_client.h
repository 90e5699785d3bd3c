// The CLI's side of the admin API: GET a path or POST a JSON body, with the
// caller's bearer token, and parse the JSON answer into a proto. Errors name
// the URL and what went wrong (engine not running, token refused, HTTP
// status with the server's error text).
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"

namespace navette::engine::cli {

// What every admin-talking command takes (main.cc adds them as --admin,
// --token and --data-dir).
struct AdminOptions {
  std::string admin_url;                  // empty: the default configuration's
  std::string token;                      // empty: $NAVETTE_TOKEN, else the file below
  std::string data_dir = "navette-data";  // <data_dir>/admin.token, as `serve`
};

class AdminClient {
 public:
  // An empty `token` sends no Authorization header (the engine answers 401).
  AdminClient(std::string base_url, std::string token)
      : base_url_(std::move(base_url)), token_(std::move(token)) {}
  // The URL and token `options` lead to (see ResolveToken).
  static AdminClient FromOptions(const AdminOptions& options);

  // `path_and_query` starts with '/'.
  absl::Status Get(const std::string& path_and_query, google::protobuf::Message& out) const;
  // POSTs `body` as JSON; parses the 2xx answer into `out`.
  absl::Status Post(const std::string& path, const google::protobuf::Message& body,
                    google::protobuf::Message& out) const;

 private:
  absl::Status Call(const std::string& method, const std::string& path,
                    const std::string* request_body, google::protobuf::Message& out) const;

  std::string base_url_;
  std::string token_;
};

// The token to send: --token, else $NAVETTE_TOKEN, else the engine's local
// admin token in <data_dir>/admin.token; empty if none of them is there.
std::string ResolveToken(const AdminOptions& options);

// The admin URL the embedded default configuration listens on.
std::string DefaultAdminUrl();
// Percent-encodes a query parameter value.
std::string UrlEncode(const std::string& value);

}  // namespace navette::engine::cli
