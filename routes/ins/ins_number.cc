#include "routes/ins/ins_number.h"

#include <cstdint>

#include <fmt/format.h>

namespace navette::routes::ins {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

absl::StatusOr<int> ComputeInsKey(std::string_view number) {
  if (number.size() != 13) {
    return absl::InvalidArgumentError(fmt::format(
        "INS matricule: the number before the key has {} characters, expected 13", number.size()));
  }
  // N fits in 64 bits (13 digits). Corsica's département 2A/2B sits at
  // positions 6-7 and counts as 19/18 (fr-specs.md §1.2).
  uint64_t n = 0;
  for (size_t i = 0; i < number.size(); ++i) {
    char c = number[i];
    if (i == 6 && number[5] == '2' && (c == 'A' || c == 'B')) {
      // The "2" read last becomes "1" and A/B becomes 9/8: 2A → 19, 2B → 18.
      n = (n - 1) * 10 + (c == 'A' ? 9 : 8);
      continue;
    }
    if (!IsDigit(c)) {
      return absl::InvalidArgumentError(
          fmt::format("INS matricule: character {} must be a digit{}", i + 1,
                      i == 6 ? " (or A/B after a 2, for Corsica's 2A/2B, in capitals)" : ""));
    }
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return static_cast<int>(97 - n % 97);
}

absl::Status CheckMatricule(std::string_view matricule) {
  if (matricule.size() != 15) {
    return absl::InvalidArgumentError(fmt::format(
        "INS matricule: {} characters, expected 15 (13 and a 2-digit key)", matricule.size()));
  }
  auto computed = ComputeInsKey(matricule.substr(0, 13));
  if (!computed.ok()) return computed.status();
  const char tens = matricule[13], units = matricule[14];
  if (!IsDigit(tens) || !IsDigit(units)) {
    return absl::InvalidArgumentError("INS matricule: the key (characters 14-15) must be digits");
  }
  if ((tens - '0') * 10 + (units - '0') != *computed) {
    return absl::InvalidArgumentError(
        "INS matricule: the key does not match the number (key = 97 - number mod 97)");
  }
  return absl::OkStatus();
}

absl::StatusOr<InsOid> CheckInsOid(std::string_view oid, Environment environment) {
  if (oid == kInsNirOid) return InsOid{InsKind::kNir, false};
  if (oid == kInsNiaOid) return InsOid{InsKind::kNia, false};
  if (oid == kInsNirTestOid || oid == kInsNirDemoOid) {
    if (environment == Environment::kProduction) {
      return absl::InvalidArgumentError(fmt::format(
          "INS OID {} is a test OID, refused in production (the configuration declares this "
          "environment a production one)",
          oid));
    }
    return InsOid{InsKind::kNir, true};
  }
  if (oid == kInsCOid) {
    return absl::InvalidArgumentError(fmt::format(
        "INS OID {} is the calculated INS (INS-C), withdrawn since 2021: only the NIR ({}) or "
        "NIA ({}) may be used",
        oid, kInsNirOid, kInsNiaOid));
  }
  return absl::InvalidArgumentError(
      fmt::format("'{}' is not an INS OID (expected {} for a NIR or {} for a NIA)", oid, kInsNirOid,
                  kInsNiaOid));
}

absl::StatusOr<InsOid> CheckIns(std::string_view matricule, std::string_view oid,
                                Environment environment) {
  auto kind = CheckInsOid(oid, environment);
  if (!kind.ok()) return kind.status();
  if (absl::Status valid = CheckMatricule(matricule); !valid.ok()) return valid;
  return kind;
}

}  // namespace navette::routes::ins
