#include "engine/logging/line_formats.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <spdlog/pattern_formatter.h>

namespace navette::engine::logging {
namespace {

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// 2026-12-05T10:41:07.118Z
void AppendTime(std::chrono::system_clock::time_point at, spdlog::memory_buf_t& out) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const int size = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                                 utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                                 utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  out.append(text, text + size);
}

void Append(spdlog::memory_buf_t& out, std::string_view text) {
  out.append(text.data(), text.data() + text.size());
}

// `text` as the inside of a JSON string (RFC 8259): quotes, backslashes
// and control characters escaped; the rest as is (the engine writes UTF-8,
// and Printable has already escaped what a peer sent).
void AppendEscaped(spdlog::memory_buf_t& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '"':
        Append(out, "\\\"");
        break;
      case '\\':
        Append(out, "\\\\");
        break;
      case '\n':
        Append(out, "\\n");
        break;
      case '\r':
        Append(out, "\\r");
        break;
      case '\t':
        Append(out, "\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          const int size = std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out.append(escaped, escaped + size);
        } else {
          out.push_back(c);
        }
    }
  }
}

std::string_view LevelName(spdlog::level::level_enum level) {
  const auto& name = spdlog::level::to_string_view(level);
  return std::string_view(name.data(), name.size());
}

std::string_view Payload(const spdlog::details::log_msg& message) {
  return std::string_view(message.payload.data(), message.payload.size());
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) override {
    Append(out, "{\"ts\":\"");
    AppendTime(message.time, out);
    Append(out, "\",\"level\":\"");
    Append(out, LevelName(message.level));
    Append(out, "\",\"msg\":\"");
    AppendEscaped(out, Payload(message));
    out.push_back('"');
    if (std::string_view id = MessageIdIn(Payload(message)); !id.empty()) {
      Append(out, ",\"message_id\":\"");
      Append(out, id);
      out.push_back('"');
    }
    Append(out, "}\n");
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

class LogfmtFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) override {
    Append(out, "ts=");
    AppendTime(message.time, out);
    Append(out, " level=");
    Append(out, LevelName(message.level));
    Append(out, " msg=\"");
    AppendEscaped(out, Payload(message));
    out.push_back('"');
    if (std::string_view id = MessageIdIn(Payload(message)); !id.empty()) {
      Append(out, " message_id=");
      Append(out, id);
    }
    out.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LogfmtFormatter>();
  }
};

}  // namespace

std::string_view MessageIdIn(std::string_view text) {
  constexpr size_t kDigits = 16;
  for (size_t at = text.find("id="); at != std::string_view::npos; at = text.find("id=", at + 1)) {
    // "id=" itself, not the end of another word ("uuid=", "kid=").
    if (at > 0 && std::isalnum(static_cast<unsigned char>(text[at - 1]))) continue;
    const size_t start = at + 3;
    if (text.size() < start + kDigits) break;
    size_t end = start;
    while (end < text.size() && IsHex(text[end])) ++end;
    if (end - start == kDigits) return text.substr(start, kDigits);
  }
  return {};
}

std::unique_ptr<spdlog::formatter> MakeFormatter(LineFormat format) {
  switch (format) {
    case LineFormat::kText:
      return std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
    case LineFormat::kJson:
      return std::make_unique<JsonFormatter>();
    case LineFormat::kLogfmt:
      return std::make_unique<LogfmtFormatter>();
  }
  return nullptr;
}

}  // namespace navette::engine::logging
