#include "engine/audit_trail.h"

#include <spdlog/spdlog.h>

namespace navette::engine {

absl::Status AuditTrail::Record(const Principal& who, std::string_view peer,
                                std::string_view action, const std::vector<uint64_t>& message_ids,
                                std::string_view detail) {
  store::AuditEntry entry;
  entry.set_at_us(clock_.NowMicros());
  entry.set_user(who.user);
  entry.set_role(std::string(RoleName(who.role)));
  entry.set_action(std::string(action));
  for (uint64_t id : message_ids) entry.add_message_ids(id);
  entry.set_detail(std::string(detail));
  entry.set_peer(std::string(peer));
  absl::Status appended = store_.AppendAudit(entry);
  if (!appended.ok()) {
    spdlog::error("audit: cannot record {} by user {}: {}", action, who.user, appended.ToString());
  }
  return appended;
}

}  // namespace navette::engine
