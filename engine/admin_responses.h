// How every admin API handler answers: a proto rendered as JSON, or
// {"error": "..."} with a status. Shared by admin_server.cc and
// admin_actions.cc so that all routes answer alike.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <httplib.h>

#include "absl/status/status.h"
#include "common/printable.h"
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

// The HTTP status an action's or a view's error maps to.
inline int HttpStatusOf(const absl::Status& status) {
  if (absl::IsNotFound(status)) return 404;
  if (absl::IsFailedPrecondition(status)) return 409;
  if (absl::IsInvalidArgument(status)) return 400;
  return 500;
}

inline void SendError(httplib::Response& response, const absl::Status& status) {
  SendError(response, HttpStatusOf(status), std::string(status.message()));
}

// Every route's first line: refuses (400) a query parameter the route does
// not take, naming it and the ones it does, and a parameter given twice, so
// that a script filtering on a misspelt or unsupported name (`control_id=`)
// is told so rather than silently given everything. `allowed` is the whole
// list of the route's parameters (empty: it takes none). Returns false when it
// has answered.
inline bool AcceptOnlyParams(const httplib::Request& request, httplib::Response& response,
                             std::initializer_list<std::string_view> allowed) {
  std::string expected;
  for (std::string_view name : allowed) {
    expected += fmt::format("{}{}", expected.empty() ? "" : ", ", name);
  }
  // The query itself, from the request target: httplib adds to
  // request.params the fields of a form-encoded body too, and `curl -d '{}'`
  // sends a JSON body labelled as a form.
  httplib::Params query;
  if (const size_t mark = request.target.find('?'); mark != std::string::npos) {
    httplib::detail::parse_query_text(request.target.substr(mark + 1), query);
  }
  std::string unknown, repeated;
  size_t unknown_count = 0;
  // A multimap: one pass per distinct name.
  for (auto it = query.begin(); it != query.end(); it = query.upper_bound(it->first)) {
    const std::string& name = it->first;
    bool known = false;
    for (std::string_view candidate : allowed) known = known || candidate == name;
    if (known && query.count(name) == 1) continue;
    // The names are the caller's: escaped and bounded before they are echoed.
    std::string& list = known ? repeated : unknown;
    list += fmt::format("{}'{}'", list.empty() ? "" : ", ", Printable(name, 64));
    if (!known) ++unknown_count;
  }
  if (!unknown.empty()) {
    SendError(response, 400,
              fmt::format("unknown query parameter{} {} ({} {} takes {})",
                          unknown_count > 1 ? "s" : "", unknown, request.method,
                          Printable(request.path, 200), expected.empty() ? "none" : expected));
    return false;
  }
  if (!repeated.empty()) {
    SendError(response, 400, fmt::format("query parameter given more than once: {}", repeated));
    return false;
  }
  return true;
}

}  // namespace navette::engine
