// The hospital's table of local lab codes and their LOINC codes, read from a
// CSV file it maintains (config MapCodesStep.table), and the watcher that
// reloads it when the file changes, without restart.
//
// The file: one row per local code,
//
//   local_code,loinc_code,loinc_display[,local_system]
//   GLU,2345-7,Glucose [Masse/Volume] Sérum/Plasma
//   "CRP, ultra",1988-5,"C réactive protéine [Masse/Volume] Sérum/Plasma",1.2.250.1.2.3.4
//
// UTF-8 (a BOM is skipped); an optional header line (its first field
// `local_code`); blank lines ignored; fields quoted with "" when they hold a
// comma or a quote ("" inside). A row with `local_system` maps the code of
// that coding system only (OBX-3.3, a CDA codeSystem OID); one without maps
// the code whatever its (non-LOINC) system. Errors name file:line and what
// is wrong.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "common/clock.h"

namespace navette::routes::codes {

// The LOINC code system: its OID (CDA codeSystem) and HL7 v2 name (CE.3).
inline constexpr std::string_view kLoincOid = "2.16.840.1.113883.6.1";
inline constexpr std::string_view kLoincV2 = "LN";

struct Loinc {
  std::string code;     // "2345-7"
  std::string display;  // its label, UTF-8
};

// Why `code` is not a LOINC code ("digits-checkdigit", the check digit by
// the LOINC mod 10 algorithm); "" when it is one.
std::string WhyNotLoinc(std::string_view code);

class LoincTable {
 public:
  // `text` is the file's content; `name` names it in errors ("codes.csv").
  static absl::StatusOr<LoincTable> Parse(std::string_view text, std::string_view name);
  // Reads and parses the file at `path`.
  static absl::StatusOr<LoincTable> Load(const std::filesystem::path& path);

  // The LOINC of local `code` in coding system `system`: a row naming that
  // system, else a row naming none. Null when unmapped.
  const Loinc* Find(std::string_view system, std::string_view code) const;
  size_t size() const { return rows_.size(); }

 private:
  struct Row {
    Loinc loinc;
    int line = 0;
  };
  // By (local_system, local_code); "" for a row naming no system.
  std::map<std::pair<std::string, std::string>, Row, std::less<>> rows_;
};

// A table file watched for changes: Current() looks at the file's mtime and
// size at most once per `check_interval_us` of `clock`, and when they
// changed loads it again and swaps the table in. A table that fails to load
// leaves the previous one in use; the error is logged once per version of
// the file (its name, line and what is wrong: never patient data).
class WatchedLoincTable {
 public:
  static constexpr int64_t kCheckIntervalUs = 1'000'000;

  // The first load: its error fails the step's creation. `clock` outlives
  // the table.
  static absl::StatusOr<std::unique_ptr<WatchedLoincTable>> Open(
      std::filesystem::path path, const Clock& clock, int64_t check_interval_us = kCheckIntervalUs);

  // The table as of the latest good version of the file. Thread-safe; the
  // table returned stays valid while held, whatever later reloads do.
  std::shared_ptr<const LoincTable> Current() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Stamp {
    int64_t mtime_ns = 0;
    uintmax_t size = 0;
    bool operator==(const Stamp&) const = default;
  };
  static absl::StatusOr<Stamp> StampOf(const std::filesystem::path& path);

  WatchedLoincTable(std::filesystem::path path, const Clock& clock, int64_t check_interval_us)
      : path_(std::move(path)), clock_(clock), check_interval_us_(check_interval_us) {}
  void ReloadIfChanged() const;

  const std::filesystem::path path_;
  const Clock& clock_;
  const int64_t check_interval_us_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const LoincTable> table_;
  mutable int64_t last_check_us_ = 0;
  // The version last tried, loaded or not, and the last error logged.
  mutable Stamp tried_;
  mutable std::string logged_error_;
};

}  // namespace navette::routes::codes
