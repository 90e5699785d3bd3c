#include "adapters/mssante/mime/report_fields.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace navette::adapters::mssante::mime {
namespace {

bool IsBlank(std::string_view line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

bool IsTypeToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

}  // namespace

std::vector<FieldBlock> ParseFieldBlocks(std::string_view text) {
  std::vector<FieldBlock> blocks;
  FieldBlock current;
  // Whether the last line read was a field of `current`, which a
  // continuation line may extend.
  bool in_field = false;
  auto end_block = [&] {
    if (!current.empty()) blocks.push_back(std::move(current));
    current.clear();
    in_field = false;
  };
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (IsBlank(line)) {
      end_block();
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (in_field) {
        const std::string_view more = TrimAscii(line);
        std::string& value = current.back().value;
        if (!value.empty()) value.push_back(' ');
        value.append(more);
      }
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      in_field = false;
      continue;
    }
    current.push_back(ReportField{.name = LowerAscii(TrimAscii(line.substr(0, colon))),
                                  .value = std::string(TrimAscii(line.substr(colon + 1)))});
    in_field = true;
  }
  end_block();
  return blocks;
}

std::string_view FieldValue(const FieldBlock& block, std::string_view lower_name) {
  for (const ReportField& field : block) {
    if (field.name == lower_name) return field.value;
  }
  return {};
}

bool HasField(const FieldBlock& block, std::string_view lower_name) {
  return std::any_of(block.begin(), block.end(),
                     [&](const ReportField& field) { return field.name == lower_name; });
}

std::string WithoutTypePrefix(std::string_view value, bool address) {
  value = TrimAscii(value);
  const size_t semicolon = value.find(';');
  if (semicolon != std::string_view::npos && IsTypeToken(TrimAscii(value.substr(0, semicolon)))) {
    value = TrimAscii(value.substr(semicolon + 1));
  }
  if (address && value.size() >= 2 && value.front() == '<' && value.back() == '>') {
    value = TrimAscii(value.substr(1, value.size() - 2));
  }
  return std::string(value);
}

std::string_view TrimAscii(std::string_view text) {
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string LowerAscii(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return lower;
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         LowerAscii(text.substr(0, prefix.size())) == LowerAscii(prefix);
}

std::string_view FirstWord(std::string_view value) {
  value = TrimAscii(value);
  const size_t end = value.find_first_of(" \t");
  return value.substr(0, end);
}

}  // namespace navette::adapters::mssante::mime
