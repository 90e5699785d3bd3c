#include "engine/patient_ids.h"

#include <vector>

namespace navette::engine {
namespace {

// A patient has a handful of identifiers; the bound guards against a
// pathological message, not a real one.
constexpr size_t kMostRepetitions = 32;

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// The PID segment's text, without its terminator; empty if none.
std::string_view PidSegment(std::string_view raw, char field_separator) {
  for (size_t start = 0; start < raw.size();) {
    size_t end = raw.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = raw.size();
    const std::string_view segment = raw.substr(start, end - start);
    if (segment.size() > 3 && segment.substr(0, 3) == "PID" && segment[3] == field_separator) {
      return segment;
    }
    start = end + 1;
  }
  return {};
}

}  // namespace

store::PatientIds PatientIdsOf(std::string_view raw) {
  store::PatientIds ids;
  // MSH|^~\&: the field separator, then components and repetitions.
  if (raw.size() < 8 || raw.substr(0, 3) != "MSH") return ids;
  const char field_separator = raw[3];
  const char component = raw[4];
  const char repetition = raw[5];
  const std::string_view pid = PidSegment(raw, field_separator);
  if (pid.empty()) return ids;
  const std::vector<std::string_view> fields = Split(pid, field_separator);
  if (fields.size() < 4) return ids;
  size_t seen = 0;
  for (std::string_view cx : Split(fields[3], repetition)) {
    if (++seen > kMostRepetitions) break;
    const std::vector<std::string_view> parts = Split(cx, component);
    if (parts.empty() || parts[0].empty()) continue;
    const std::string_view type = parts.size() > 4 ? parts[4] : std::string_view();
    if (type == "PI") ids.ipps.emplace_back(parts[0]);
    if (type == "INS" || type == "NH") ids.ins.emplace_back(parts[0]);
  }
  return ids;
}

}  // namespace navette::engine
