#include "routes/codes/loinc_table.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "adapters/hl7v2/charset.h"

namespace navette::routes::codes {
namespace {

namespace hl7v2 = adapters::hl7v2;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool IsHeader(std::string_view first_field) {
  constexpr std::string_view kHeader = "local_code";
  if (first_field.size() != kHeader.size()) return false;
  for (size_t i = 0; i < kHeader.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(first_field[i])) != kHeader[i]) return false;
  }
  return true;
}

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kColumns = "local_code,loinc_code,loinc_display[,local_system]";

// One CSV record on one line: fields separated by commas, a field quoted
// with "..." when it holds a comma or a quote (a quote doubled inside).
// Spaces around an unquoted field are dropped.
absl::StatusOr<std::vector<std::string>> SplitCsvLine(std::string_view line) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) return absl::InvalidArgumentError("a quoted field is not closed");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] != ',') {
        return absl::InvalidArgumentError(
            fmt::format("unexpected text after a quoted field, column {}", i + 1));
      }
    } else {
      size_t end = line.find(',', i);
      if (end == std::string_view::npos) end = line.size();
      std::string_view raw = line.substr(i, end - i);
      if (raw.find('"') != std::string_view::npos) {
        return absl::InvalidArgumentError(
            fmt::format("a quote inside an unquoted field, column {} (quote the whole field)",
                        i + raw.find('"') + 1));
      }
      field = std::string(Trim(raw));
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return fields;
    ++i;  // the comma
  }
}

}  // namespace

std::string WhyNotLoinc(std::string_view code) {
  const size_t dash = code.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 2 != code.size() || dash > 7) {
    return "not of the form digits-checkdigit (e.g. 2345-7)";
  }
  int sum = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    if (i == dash) continue;
    if (code[i] < '0' || code[i] > '9') return "not of the form digits-checkdigit (e.g. 2345-7)";
  }
  // LOINC's mod 10 (Luhn): from the right of the number before the dash,
  // every other digit doubled, starting with the rightmost.
  for (size_t k = 0; k < dash; ++k) {
    int digit = code[dash - 1 - k] - '0';
    if (k % 2 == 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  const int expected = (10 - sum % 10) % 10;
  if (code[dash + 1] - '0' != expected) {
    return fmt::format("its check digit is wrong ({}-{} by the LOINC mod 10)", code.substr(0, dash),
                       expected);
  }
  return "";
}

absl::StatusOr<LoincTable> LoincTable::Parse(std::string_view text, std::string_view name) {
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  LoincTable table;
  int line_number = 0;
  bool first_row = true;
  while (!text.empty()) {
    ++line_number;
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    auto error = [&](std::string_view what) {
      return absl::InvalidArgumentError(fmt::format("{}:{}: {}", name, line_number, what));
    };
    size_t invalid_at = 0;
    if (!hl7v2::DecodeToUtf8(line, hl7v2::Charset::kUtf8, &invalid_at).ok()) {
      return error(fmt::format("not UTF-8 (byte {} of the line)", invalid_at + 1));
    }
    if (Trim(line).empty()) continue;
    auto fields = SplitCsvLine(line);
    if (!fields.ok()) return error(std::string(fields.status().message()));
    const bool header = first_row && IsHeader((*fields)[0]);
    first_row = false;
    if (header) continue;
    if (fields->size() < 3 || fields->size() > 4) {
      return error(fmt::format("{} columns where {} are expected", fields->size(), kColumns));
    }
    const std::string& local = (*fields)[0];
    const std::string& loinc = (*fields)[1];
    const std::string& display = (*fields)[2];
    std::string system = fields->size() == 4 ? (*fields)[3] : "";
    if (local.empty()) return error("empty local_code");
    if (loinc.empty()) return error(fmt::format("empty loinc_code for local code '{}'", local));
    if (std::string why = WhyNotLoinc(loinc); !why.empty()) {
      return error(fmt::format("loinc_code '{}' of local code '{}': {}", loinc, local, why));
    }
    if (display.empty())
      return error(fmt::format("empty loinc_display for local code '{}'", local));
    auto key = std::make_pair(std::move(system), local);
    auto [it, added] = table.rows_.try_emplace(key, Row{Loinc{loinc, display}, line_number});
    if (!added && it->second.loinc.code != loinc) {
      return error(fmt::format("local code '{}'{} already maps to {} (line {}), here to {}", local,
                               key.first.empty() ? "" : " of system " + key.first,
                               it->second.loinc.code, it->second.line, loinc));
    }
  }
  return table;
}

absl::StatusOr<LoincTable> LoincTable::Load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(fmt::format("cannot read {}", path.string()));
  }
  return Parse(content.str(), path.string());
}

const Loinc* LoincTable::Find(std::string_view system, std::string_view code) const {
  if (auto it = rows_.find(std::make_pair(std::string(system), std::string(code)));
      it != rows_.end()) {
    return &it->second.loinc;
  }
  if (system.empty()) return nullptr;
  if (auto it = rows_.find(std::make_pair(std::string(), std::string(code))); it != rows_.end()) {
    return &it->second.loinc;
  }
  return nullptr;
}

absl::StatusOr<WatchedLoincTable::Stamp> WatchedLoincTable::StampOf(
    const std::filesystem::path& path) {
  std::error_code error;
  auto mtime = std::filesystem::last_write_time(path, error);
  if (error) {
    return absl::InvalidArgumentError(
        fmt::format("cannot read {}: {}", path.string(), error.message()));
  }
  uintmax_t size = std::filesystem::file_size(path, error);
  if (error) {
    return absl::InvalidArgumentError(
        fmt::format("cannot read {}: {}", path.string(), error.message()));
  }
  return Stamp{
      std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count(), size};
}

absl::StatusOr<std::unique_ptr<WatchedLoincTable>> WatchedLoincTable::Open(
    std::filesystem::path path, const Clock& clock, int64_t check_interval_us) {
  // The stamp before the read: a change while reading is seen at the next
  // check rather than missed.
  auto stamp = StampOf(path);
  if (!stamp.ok()) return stamp.status();
  auto table = LoincTable::Load(path);
  if (!table.ok()) return table.status();
  std::unique_ptr<WatchedLoincTable> watched(
      new WatchedLoincTable(std::move(path), clock, check_interval_us));
  watched->table_ = std::make_shared<const LoincTable>(std::move(*table));
  watched->tried_ = *stamp;
  watched->last_check_us_ = clock.NowMicros();
  return watched;
}

std::shared_ptr<const LoincTable> WatchedLoincTable::Current() const {
  std::lock_guard lock(mutex_);
  ReloadIfChanged();
  return table_;
}

void WatchedLoincTable::ReloadIfChanged() const {
  const int64_t now = clock_.NowMicros();
  if (now - last_check_us_ < check_interval_us_) return;
  last_check_us_ = now;
  auto log_once = [&](const absl::Status& status) {
    if (logged_error_ == status.message()) return;
    logged_error_ = std::string(status.message());
    spdlog::error("map_codes: the code table was not reloaded, the previous one stays in use: {}",
                  logged_error_);
  };
  auto stamp = StampOf(path_);
  if (!stamp.ok()) {
    log_once(stamp.status());
    return;
  }
  if (*stamp == tried_) return;
  tried_ = *stamp;
  logged_error_.clear();  // a new version: its error, if any, is logged
  auto table = LoincTable::Load(path_);
  if (!table.ok()) {
    log_once(table.status());
    return;
  }
  spdlog::info("map_codes: code table {} reloaded: {} codes", path_.string(), table->size());
  table_ = std::make_shared<const LoincTable>(std::move(*table));
}

}  // namespace navette::routes::codes
