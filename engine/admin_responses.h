// How every admin API handler answers: a proto rendered as JSON, or
// {"error": "..."} with a status. Shared by admin_server.cc and
// admin_actions.cc so that all routes answer alike.
#pragma once

#include <string>

#include <httplib.h>

#include "engine/admin_views.h"
#include "proto/admin.pb.h"

namespace navette::engine {

inline void SendJson(httplib::Response& response, int status, const std::string& json) {
  response.status = status;
  response.set_content(json, "application/json");
}

inline void SendJson(httplib::Response& response, int status,
                     const google::protobuf::Message& body) {
  SendJson(response, status, ToJson(body));
}

inline void SendError(httplib::Response& response, int status, const std::string& message) {
  admin::ErrorResponse error;
  error.set_error(message);
  SendJson(response, status, error);
}

}  // namespace navette::engine
