// CDA timestamps (fr-specs.md §2.1): to the second with the UTC offset, in
// the establishment's local time, Europe/Paris: "20191203133000+0100".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace navette::routes::cda {

// A Unix time in microseconds, in Paris time.
std::string CdaTimeFromMicros(int64_t unix_us);

// An HL7 v2 timestamp as a producer sent it (YYYYMMDD[HH[MM[SS[.S]]]][+/-ZZZZ]),
// to the second with an offset: a time without offset is Paris time, the
// missing digits are zeros. InvalidArgument names `field` when it is not a
// timestamp.
absl::StatusOr<std::string> CdaTimeFromHl7(std::string_view hl7, std::string_view field);

// "3 décembre 2026" from a CDA time ("20261203101500+0100"), for a letter's
// date line; empty when it is not one.
std::string FrenchDate(std::string_view cda_time);

// "2026-12-03T10:15:00+01:00" from a CDA time, for a PDF's creation date;
// empty when it is not one.
std::string IsoTime(std::string_view cda_time);

}  // namespace navette::routes::cda
