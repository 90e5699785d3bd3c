#include "routes/cda/cda_time.h"

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "absl/strings/numbers.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace navette::routes::cda {
namespace {

// Loaded once; the tz database is read from the system (tzdata).
const absl::TimeZone& Paris() {
  static const absl::TimeZone zone = [] {
    absl::TimeZone loaded;
    if (!absl::LoadTimeZone("Europe/Paris", &loaded)) {
      // Without tzdata: the fixed winter offset rather than UTC.
      loaded = absl::FixedTimeZone(3600);
    }
    return loaded;
  }();
  return zone;
}

bool AllDigits(std::string_view text) {
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

}  // namespace

std::string CdaTimeFromMicros(int64_t unix_us) {
  return absl::FormatTime("%Y%m%d%H%M%S%z", absl::FromUnixMicros(unix_us), Paris());
}

absl::StatusOr<std::string> CdaTimeFromHl7(std::string_view hl7, std::string_view field) {
  std::string_view digits = hl7;
  std::string_view offset;
  if (size_t sign = hl7.find_first_of("+-"); sign != std::string_view::npos) {
    digits = hl7.substr(0, sign);
    offset = hl7.substr(sign);
  }
  if (size_t dot = digits.find('.'); dot != std::string_view::npos) digits = digits.substr(0, dot);
  auto invalid = [&] {
    return absl::InvalidArgumentError(
        fmt::format("{} is not an HL7 timestamp (YYYYMMDD[HHMM[SS]][+ZZZZ])", field));
  };
  if (digits.size() < 8 || digits.size() > 14 || digits.size() % 2 != 0 || !AllDigits(digits)) {
    return invalid();
  }
  if (!offset.empty() && (offset.size() != 5 || !AllDigits(offset.substr(1)))) return invalid();
  std::string padded(digits);
  padded.resize(14, '0');
  if (!offset.empty()) return padded + std::string(offset);
  std::array<int, 6> parts{};
  for (size_t i = 0; i < parts.size(); ++i) {
    size_t start = i == 0 ? 0 : 2 + 2 * i;
    size_t length = i == 0 ? 4 : 2;
    if (!absl::SimpleAtoi(padded.substr(start, length), &parts[i])) return invalid();
  }
  absl::CivilSecond civil(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
  if (civil.year() != parts[0] || civil.month() != parts[1] || civil.day() != parts[2] ||
      civil.hour() != parts[3] || civil.minute() != parts[4]) {
    return invalid();
  }
  return absl::FormatTime("%Y%m%d%H%M%S%z", Paris().At(civil).pre, Paris());
}

std::string FrenchDate(std::string_view cda_time) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "janvier", "février", "mars",      "avril",   "mai",      "juin",
      "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
  int year = 0;
  int month = 0;
  int day = 0;
  if (cda_time.size() < 8) return {};
  std::string digits(cda_time.substr(0, 8));
  if (!absl::SimpleAtoi(digits.substr(0, 4), &year) ||
      !absl::SimpleAtoi(digits.substr(4, 2), &month) ||
      !absl::SimpleAtoi(digits.substr(6, 2), &day) || month < 1 || month > 12) {
    return {};
  }
  return fmt::format("{} {} {}", day, kMonths[static_cast<size_t>(month - 1)], year);
}

std::string IsoTime(std::string_view cda_time) {
  if (cda_time.size() != 19 || !AllDigits(cda_time.substr(0, 14))) return {};
  return fmt::format("{}-{}-{}T{}:{}:{}{}:{}", cda_time.substr(0, 4), cda_time.substr(4, 2),
                     cda_time.substr(6, 2), cda_time.substr(8, 2), cda_time.substr(10, 2),
                     cda_time.substr(12, 2), cda_time.substr(14, 3), cda_time.substr(17, 2));
}

}  // namespace navette::routes::cda
