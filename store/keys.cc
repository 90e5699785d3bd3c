#include "store/keys.h"

namespace navette::store {

void AppendBigEndian64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string IdKey(uint64_t id) {
  std::string key;
  AppendBigEndian64(key, id);
  return key;
}

std::string QueueKey(uint64_t seq, uint64_t id) {
  std::string key;
  key.reserve(16);
  AppendBigEndian64(key, seq);
  AppendBigEndian64(key, id);
  return key;
}

std::string HistoryKey(uint64_t id, uint64_t event_seq) {
  std::string key;
  key.reserve(16);
  AppendBigEndian64(key, id);
  AppendBigEndian64(key, event_seq);
  return key;
}

std::string StatusIndexKey(int status, uint64_t id) {
  std::string key(1, static_cast<char>(status));
  AppendBigEndian64(key, id);
  return key;
}

std::string ControlIdKey(std::string_view source, std::string_view control_id) {
  std::string key;
  key.reserve(source.size() + 1 + control_id.size());
  key.append(source);
  key.push_back('\0');
  key.append(control_id);
  return key;
}

std::string ConfigKey(std::string_view version) {
  std::string key = "config/";
  key.append(version);
  return key;
}

std::string DeadLetterKey(std::string_view destination, uint64_t id) {
  std::string key(destination);
  key.push_back('\0');
  AppendBigEndian64(key, id);
  return key;
}

std::string PatientPrefix(std::string_view patient) {
  std::string key(patient);
  key.push_back('\0');
  return key;
}

std::string ParkedKey(std::string_view patient, uint64_t id) {
  std::string key = PatientPrefix(patient);
  AppendBigEndian64(key, id);
  return key;
}

std::string IdentityHistoryKey(std::string_view patient, uint64_t event_seq) {
  std::string key = PatientPrefix(patient);
  AppendBigEndian64(key, event_seq);
  return key;
}

std::string OutputKey(uint64_t id, std::string_view route) {
  std::string key = IdKey(id);
  key.append(route);
  return key;
}

std::string ReceiptKey(uint64_t id, std::string_view destination, std::string_view route) {
  std::string key = IdKey(id);
  key.append(destination);
  key.push_back('\0');
  key.append(route);
  return key;
}

std::string InsPrefix(std::string_view oid, std::string_view matricule) {
  std::string key(oid);
  key.push_back('\0');
  key.append(matricule);
  key.push_back('\0');
  return key;
}

std::string InsIndexKey(std::string_view oid, std::string_view matricule,
                        std::string_view patient) {
  std::string key = InsPrefix(oid, matricule);
  key.append(patient);
  return key;
}

std::string InsParkKey(std::string_view oid, std::string_view matricule) {
  std::string key = "\x1fINS\x1f";
  key.append(oid);
  key.push_back('\x1f');
  key.append(matricule);
  return key;
}

std::string RouterTicket(uint64_t id, const std::vector<std::string>& routes) {
  std::string value = IdKey(id);
  for (const std::string& route : routes) {
    value.append(route);
    value.push_back('\0');
  }
  return value;
}

std::vector<std::string> ParseTicketRoutes(std::string_view routes) {
  std::vector<std::string> names;
  while (!routes.empty()) {
    const size_t end = routes.find('\0');
    names.emplace_back(routes.substr(0, end));
    if (end == std::string_view::npos) break;
    routes.remove_prefix(end + 1);
  }
  return names;
}

std::string DocumentSetPrefix(std::string_view set_id) {
  std::string key(1, '\0');
  key.append(set_id);
  key.push_back('\0');
  return key;
}

std::string DocumentSetKey(std::string_view set_id, uint64_t version) {
  std::string key = DocumentSetPrefix(set_id);
  AppendBigEndian64(key, version);
  return key;
}

std::string DocumentReceiptPrefix(std::string_view set_id, std::string_view destination) {
  std::string key(1, '\1');
  key.append(set_id);
  key.push_back('\0');
  key.append(destination);
  key.push_back('\0');
  return key;
}

std::string DocumentReceiptKey(std::string_view set_id, std::string_view destination, uint64_t id) {
  std::string key = DocumentReceiptPrefix(set_id, destination);
  AppendBigEndian64(key, id);
  return key;
}

std::string AuditKey(int64_t at_us, uint64_t seq) {
  std::string key;
  AppendBigEndian64(key, static_cast<uint64_t>(at_us));
  AppendBigEndian64(key, seq);
  return key;
}

}  // namespace navette::store
