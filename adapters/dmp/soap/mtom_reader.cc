#include "adapters/dmp/soap/mtom_reader.h"

#include <cctype>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace navette::adapters::dmp::soap {
namespace {

// Debian's abseil has its own string_view; the API speaks std::string_view.
absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

std::string Lower(absl::string_view text) { return absl::AsciiStrToLower(text); }

// The media type before any parameter, lower-case.
std::string MediaType(absl::string_view header_value) {
  return Lower(absl::StripAsciiWhitespace(header_value.substr(0, header_value.find(';'))));
}

std::string WithoutAngles(absl::string_view id) {
  id = absl::StripAsciiWhitespace(id);
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  return std::string(id);
}

std::string PercentDecoded(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Headers by lower-case name; folded lines joined.
absl::StatusOr<std::map<std::string, std::string>> ParseHeaders(absl::string_view block,
                                                                absl::string_view eol,
                                                                size_t part_number) {
  std::map<std::string, std::string> headers;
  std::string last;
  for (absl::string_view line : absl::StrSplit(block, eol)) {
    if (line.empty()) continue;
    if ((line.front() == ' ' || line.front() == '\t') && !last.empty()) {
      absl::StrAppend(&headers[last], " ", absl::StripAsciiWhitespace(line));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "MTOM part ", part_number, ": header line without ':': \"", line.substr(0, 80), "\""));
    }
    last = Lower(absl::StripAsciiWhitespace(line.substr(0, colon)));
    headers[last] = std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return headers;
}

absl::StatusOr<MtomPart> ParsePart(absl::string_view raw, absl::string_view eol,
                                   size_t part_number) {
  // Headers end at the first empty line; a part may have no headers at all.
  size_t headers_end;
  size_t body_start;
  if (absl::StartsWith(raw, eol)) {
    headers_end = 0;
    body_start = eol.size();
  } else {
    const std::string blank = absl::StrCat(eol, eol);
    headers_end = raw.find(blank);
    if (headers_end == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("MTOM part ", part_number, ": no empty line after its headers"));
    }
    body_start = headers_end + blank.size();
  }
  absl::StatusOr<std::map<std::string, std::string>> headers =
      ParseHeaders(raw.substr(0, headers_end), eol, part_number);
  if (!headers.ok()) return headers.status();

  MtomPart part;
  part.content_id = WithoutAngles((*headers)["content-id"]);
  part.content_type = (*headers)["content-type"];
  const std::string encoding = Lower((*headers)["content-transfer-encoding"]);
  absl::string_view bytes = raw.substr(body_start);
  if (encoding.empty() || encoding == "binary" || encoding == "8bit" || encoding == "7bit") {
    part.bytes = std::string(bytes);
  } else if (encoding == "base64") {
    std::string compact(bytes);
    absl::StrReplaceAll({{"\r", ""}, {"\n", ""}, {" ", ""}, {"\t", ""}}, &compact);
    if (!absl::Base64Unescape(compact, &part.bytes)) {
      return absl::InvalidArgumentError(
          absl::StrCat("MTOM part ", part_number, " <", part.content_id, ">: invalid base64"));
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat("MTOM part ", part_number, " <", part.content_id,
                                                   ">: unsupported Content-Transfer-Encoding ",
                                                   encoding));
  }
  return part;
}

}  // namespace

std::string HeaderParameter(std::string_view header_value_in, std::string_view name) {
  const absl::string_view header_value = Absl(header_value_in);
  // Split on ';' outside quotes.
  std::vector<std::string> parameters(1);
  bool quoted = false;
  for (size_t i = 0; i < header_value.size(); ++i) {
    const char c = header_value[i];
    if (quoted && c == '\\' && i + 1 < header_value.size()) {
      parameters.back() += header_value[++i];
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (c == ';' && !quoted) {
      parameters.emplace_back();
      continue;
    }
    parameters.back() += c;
  }
  const std::string wanted = Lower(Absl(name));
  for (size_t i = 1; i < parameters.size(); ++i) {
    absl::string_view parameter = absl::StripAsciiWhitespace(parameters[i]);
    const size_t equals = parameter.find('=');
    if (equals == absl::string_view::npos) continue;
    if (Lower(absl::StripAsciiWhitespace(parameter.substr(0, equals))) != wanted) continue;
    absl::string_view value = absl::StripAsciiWhitespace(parameter.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return "";
}

const MtomPart* MtomMessage::FindByHref(std::string_view href_in) const {
  const absl::string_view href = Absl(href_in);
  const std::string id =
      absl::StartsWithIgnoreCase(href, "cid:") ? PercentDecoded(href.substr(4)) : std::string(href);
  for (const MtomPart& part : attachments) {
    if (part.content_id == id) return &part;
  }
  return nullptr;
}

absl::StatusOr<MtomMessage> ReadMtom(std::string_view http_content_type_in,
                                     std::string_view body_in) {
  const absl::string_view http_content_type = Absl(http_content_type_in);
  const absl::string_view body = Absl(body_in);
  if (MediaType(http_content_type) != "multipart/related") {
    return absl::InvalidArgumentError(
        absl::StrCat("MTOM: Content-Type is \"", http_content_type, "\", not multipart/related"));
  }
  const std::string boundary = HeaderParameter(http_content_type_in, "boundary");
  if (boundary.empty()) {
    return absl::InvalidArgumentError("MTOM: the Content-Type has no boundary parameter");
  }
  const std::string delimiter = absl::StrCat("--", boundary);

  // The first delimiter: at the very start or at the start of a line.
  size_t at = absl::StartsWith(body, delimiter) ? 0 : absl::string_view::npos;
  if (at == absl::string_view::npos) {
    const size_t found = body.find(absl::StrCat("\n", delimiter));
    if (found != absl::string_view::npos) at = found + 1;
  }
  if (at == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("MTOM: the boundary \"", boundary, "\" occurs nowhere in the body"));
  }
  size_t cursor = at + delimiter.size();
  if (body.substr(cursor, 2) == "--") {
    return absl::InvalidArgumentError("MTOM: the body has no part");
  }
  const size_t first_eol = body.find('\n', cursor);
  if (first_eol == absl::string_view::npos) {
    return absl::InvalidArgumentError("MTOM: nothing after the first boundary");
  }
  const std::string eol = first_eol > 0 && body[first_eol - 1] == '\r' ? "\r\n" : "\n";
  const std::string next_delimiter = absl::StrCat(eol, delimiter);
  cursor = first_eol + 1;

  std::vector<MtomPart> parts;
  for (;;) {
    const size_t end = body.find(next_delimiter, cursor);
    if (end == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("MTOM: no closing boundary after part ", parts.size() + 1));
    }
    absl::StatusOr<MtomPart> part =
        ParsePart(body.substr(cursor, end - cursor), eol, parts.size() + 1);
    if (!part.ok()) return part.status();
    parts.push_back(*std::move(part));
    cursor = end + next_delimiter.size();
    if (body.substr(cursor, 2) == "--") break;  // the close delimiter; the rest is epilogue
    const size_t line_end = body.find('\n', cursor);
    if (line_end == absl::string_view::npos) {
      return absl::InvalidArgumentError("MTOM: the body ends right after a boundary");
    }
    cursor = line_end + 1;
  }

  const std::string start = WithoutAngles(HeaderParameter(http_content_type_in, "start"));
  size_t root_index = 0;
  if (!start.empty()) {
    root_index = parts.size();
    for (size_t i = 0; i < parts.size(); ++i) {
      if (parts[i].content_id == start) root_index = i;
    }
    if (root_index == parts.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("MTOM: no part has the start Content-ID <", start, ">"));
    }
  }
  MtomMessage message;
  std::set<std::string, std::less<>> ids = {parts[root_index].content_id};
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i == root_index) {
      message.root = std::move(parts[i]);
      continue;
    }
    if (parts[i].content_id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("MTOM part ", i + 1, " (", parts[i].content_type, ") has no Content-ID"));
    }
    if (!ids.insert(parts[i].content_id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("MTOM: Content-ID <", parts[i].content_id, "> used twice"));
    }
    message.attachments.push_back(std::move(parts[i]));
  }
  return message;
}

absl::StatusOr<std::string> SoapXmlOfHttpBody(std::string_view http_content_type,
                                              std::string_view body) {
  if (MediaType(Absl(http_content_type)) != "multipart/related") return std::string(body);
  absl::StatusOr<MtomMessage> message = ReadMtom(http_content_type, body);
  if (!message.ok()) return message.status();
  return std::move(message->root.bytes);
}

}  // namespace navette::adapters::dmp::soap
