#include "adapters/mssante/transport/smtp_wire.h"

#include <algorithm>

namespace navette::adapters::mssante::transport {

std::optional<ReplyLine> ParseReplyLine(std::string_view line) {
  if (line.size() < 3) return std::nullopt;
  if (line[0] < '2' || line[0] > '5') return std::nullopt;
  if (line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9') return std::nullopt;
  ReplyLine reply;
  reply.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (line.size() == 3) {
    reply.last = true;
    return reply;
  }
  if (line[3] != ' ' && line[3] != '-') return std::nullopt;
  reply.last = line[3] == ' ';
  reply.text = line.substr(4);
  return reply;
}

std::string ShortReply(int code, const std::vector<std::string>& texts) {
  std::string reply = std::to_string(code);
  for (const std::string& text : texts) {
    if (text.empty()) continue;
    reply += ' ';
    reply += text;
    if (reply.size() >= kMaxReplyText) break;
  }
  if (reply.size() > kMaxReplyText) reply.resize(kMaxReplyText);
  return reply;
}

bool IsEnvelopeAddress(std::string_view address) {
  return !address.empty() && std::none_of(address.begin(), address.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= ' ' || byte == 0x7f || c == '<' || c == '>';
  });
}

std::string DataPayload(std::string_view message) {
  std::string payload;
  payload.reserve(message.size() + message.size() / 64 + 8);
  bool line_start = true;
  for (size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (line_start && c == '.') payload += '.';
    if (c == '\n' && (i == 0 || message[i - 1] != '\r')) {
      payload += "\r\n";
    } else {
      payload += c;
    }
    line_start = c == '\n';
  }
  if (!message.empty() && !line_start) payload += "\r\n";
  payload += ".\r\n";
  return payload;
}

}  // namespace navette::adapters::mssante::transport
