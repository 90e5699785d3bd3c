// The CLI's side of the admin API: GET a path or POST a JSON body, with the
// caller's bearer token, and parse the JSON answer into a proto. Errors name
// the URL and where it came from, and what went wrong (engine not running,
// no token or which token was refused, HTTP status with the server's error
// text).
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "engine/cli/admin_target.h"

namespace navette::engine::cli {

class AdminClient {
 public:
  explicit AdminClient(AdminTarget target) : target_(std::move(target)) {}
  // The URL and token `options` lead to (engine/cli/admin_target.h). When
  // they cannot be resolved (an unreadable --config), every call returns why.
  static AdminClient FromOptions(const AdminOptions& options);

  // `path_and_query` starts with '/'.
  absl::Status Get(const std::string& path_and_query, google::protobuf::Message& out) const;
  // POSTs `body` as JSON; parses the 2xx answer into `out`.
  absl::Status Post(const std::string& path, const google::protobuf::Message& body,
                    google::protobuf::Message& out) const;

 private:
  AdminClient(AdminTarget target, absl::Status unresolved)
      : target_(std::move(target)), unresolved_(std::move(unresolved)) {}
  absl::Status Call(const std::string& method, const std::string& path,
                    const std::string* request_body, google::protobuf::Message& out) const;

  AdminTarget target_;
  absl::Status unresolved_;
};

// Percent-encodes a query parameter value.
std::string UrlEncode(const std::string& value);

}  // namespace navette::engine::cli
