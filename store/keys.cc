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

}  // namespace navette::store
