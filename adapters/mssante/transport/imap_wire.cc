#include "adapters/mssante/transport/imap_wire.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace navette::adapters::mssante::transport {
namespace {

absl::string_view Abseil(std::string_view text) { return {text.data(), text.size()}; }

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return absl::StartsWithIgnoreCase(Abseil(text), Abseil(prefix));
}

size_t FindNoCase(std::string_view text, std::string_view needle, size_t from = 0) {
  for (size_t at = from; at + needle.size() <= text.size(); ++at) {
    if (absl::EqualsIgnoreCase(Abseil(text.substr(at, needle.size())), Abseil(needle))) return at;
  }
  return std::string_view::npos;
}

template <typename Number>
std::optional<Number> Digits(std::string_view text) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      })) {
    return std::nullopt;
  }
  Number value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The digits at `at` and how many there are.
std::optional<std::pair<uint32_t, size_t>> NumberAt(std::string_view text, size_t at) {
  size_t end = at;
  while (end < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[end]))) ++end;
  std::optional<uint32_t> number = Digits<uint32_t>(text.substr(at, end - at));
  if (!number.has_value()) return std::nullopt;
  return std::make_pair(*number, end - at);
}

// Whether the FETCH item list holds "UID <uid>".
bool HasUid(std::string_view items, uint32_t uid) {
  for (size_t at = FindNoCase(items, "UID "); at != std::string_view::npos;
       at = FindNoCase(items, "UID ", at + 1)) {
    if (at > 0 && items[at - 1] != ' ' && items[at - 1] != '(') continue;
    std::optional<std::pair<uint32_t, size_t>> number = NumberAt(items, at + 4);
    if (number.has_value() && number->first == uid) return true;
  }
  return false;
}

}  // namespace

std::optional<uint64_t> LiteralSize(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  return Digits<uint64_t>(digits);
}

std::optional<TaggedStatus> ParseTagged(std::string_view text, std::string_view tag) {
  if (text.size() <= tag.size() || text.substr(0, tag.size()) != tag || text[tag.size()] != ' ') {
    return std::nullopt;
  }
  std::string_view rest = text.substr(tag.size() + 1);
  const size_t space = rest.find(' ');
  TaggedStatus status;
  status.status = absl::AsciiStrToUpper(Abseil(rest.substr(0, space)));
  if (status.status != "OK" && status.status != "NO" && status.status != "BAD") {
    return std::nullopt;
  }
  if (space != std::string_view::npos) status.text = std::string(rest.substr(space + 1));
  return status;
}

std::optional<uint32_t> ResponseCodeNumber(std::string_view text, std::string_view name) {
  if (!StartsWithNoCase(text, "* ")) return std::nullopt;
  const size_t open = text.find('[');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view code = text.substr(open + 1);
  if (!StartsWithNoCase(code, name) || code.size() <= name.size() || code[name.size()] != ' ') {
    return std::nullopt;
  }
  code.remove_prefix(name.size() + 1);
  const size_t close = code.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  return Digits<uint32_t>(code.substr(0, close));
}

std::optional<std::vector<std::string>> PermanentFlags(std::string_view text) {
  constexpr std::string_view kOpening = "[PERMANENTFLAGS (";
  if (!StartsWithNoCase(text, "* OK ")) return std::nullopt;
  const size_t at = FindNoCase(text, kOpening);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view list = text.substr(at + kOpening.size());
  const size_t close = list.find(')');
  if (close == std::string_view::npos) return std::nullopt;
  list = list.substr(0, close);
  std::vector<std::string> flags;
  while (!list.empty()) {
    const size_t space = list.find(' ');
    if (space != 0) flags.emplace_back(list.substr(0, space));
    if (space == std::string_view::npos) break;
    list.remove_prefix(space + 1);
  }
  return flags;
}

absl::StatusOr<bool> AppendSearch(std::string_view text, std::vector<uint32_t>& uids) {
  if (!StartsWithNoCase(text, "* SEARCH")) return false;
  std::string_view rest = text.substr(8);
  if (!rest.empty() && rest.front() != ' ') return false;  // "* SEARCHRES …"
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the space
    const size_t space = rest.find(' ');
    const std::string_view word = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space);
    if (word.empty()) continue;
    std::optional<uint32_t> uid = Digits<uint32_t>(word);
    if (!uid.has_value() || *uid == 0) {
      return absl::DataLossError(
          absl::StrCat("'", Abseil(word), "' in a SEARCH response is not a UID"));
    }
    uids.push_back(*uid);
  }
  return true;
}

std::optional<std::string> FetchedBody(const ImapResponse& response, uint32_t uid) {
  const std::string_view text = response.text;
  if (!StartsWithNoCase(text, "* ")) return std::nullopt;
  std::optional<std::pair<uint32_t, size_t>> sequence = NumberAt(text, 2);
  if (!sequence.has_value()) return std::nullopt;
  const std::string_view items = text.substr(2 + sequence->second);
  if (!StartsWithNoCase(items, " FETCH (") || !HasUid(items, uid)) return std::nullopt;
  for (size_t at = FindNoCase(text, "BODY[] {"); at != std::string_view::npos;
       at = FindNoCase(text, "BODY[] {", at + 1)) {
    if (text[at - 1] != ' ' && text[at - 1] != '(') continue;
    const size_t announce = at + 7;  // the '{'
    for (size_t i = 0; i < response.literals.size() && i < response.literal_ends.size(); ++i) {
      const size_t end = response.literal_ends[i];
      if (end <= announce) continue;
      // This literal's announce is the one right after "BODY[] ".
      const std::string_view marker = text.substr(announce, end - announce);
      if (marker.rfind('{') == 0 && LiteralSize(marker).has_value()) return response.literals[i];
    }
  }
  return std::nullopt;
}

bool IsKeyword(std::string_view keyword) {
  constexpr std::string_view kSpecials = "(){%*\"\\]";
  return !keyword.empty() && keyword.size() <= 256 &&
         std::all_of(keyword.begin(), keyword.end(), [&](char c) {
           const auto byte = static_cast<unsigned char>(c);
           return byte > ' ' && byte < 0x7f && kSpecials.find(c) == std::string_view::npos;
         });
}

std::optional<std::string> QuotedMailbox(std::string_view mailbox) {
  if (mailbox.empty()) return std::nullopt;
  std::string quoted = "\"";
  for (char c : mailbox) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < ' ' || byte >= 0x7f) return std::nullopt;
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

}  // namespace navette::adapters::mssante::transport
