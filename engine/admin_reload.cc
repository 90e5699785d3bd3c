// POST /v1/reload (admin role): the engine reads its configuration file
// again (engine/engine.h, Reload), which records the reload in the audit
// trail itself, SIGHUP reloads too. A refused file is answered with the
// check's lines, one problem a detail.
#include <algorithm>
#include <string>

#include <httplib.h>

#include "engine/admin_listener.h"
#include "engine/admin_responses.h"
#include "engine/admin_server.h"
#include "proto/admin.pb.h"

namespace navette::engine {

void AdminServer::RegisterReloadRoute() {
  server_->Post("/v1/reload", [this](const httplib::Request& request, httplib::Response& response) {
    if (!AcceptOnlyParams(request, response, {})) return;
    if (!reloader_) return SendError(response, 503, "this engine cannot reload");
    const Principal who = Caller(request).value_or(Principal{"unknown", Role::kAdmin});
    auto reloaded = reloader_(who, request.remote_addr);
    if (!reloaded.ok()) {
      const int status = absl::IsInvalidArgument(reloaded.status())      ? 400
                         : absl::IsFailedPrecondition(reloaded.status()) ? 409
                         : absl::IsUnavailable(reloaded.status())        ? 503
                                                                         : 500;
      // A refused file's problems, one a line, as `navette check` says them.
      admin::ErrorResponse error;
      error.set_error("the configuration was not reloaded; the running one stays");
      const std::string text(reloaded.status().message());
      for (size_t start = 0; start <= text.size();) {
        const size_t end = std::min(text.find('\n', start), text.size());
        if (end > start) error.add_details(text.substr(start, end - start));
        start = end + 1;
      }
      return SendJson(response, status, ToJson(error));
    }
    SendJson(response, 200, ToJson(*reloaded));
  });
}

}  // namespace navette::engine
