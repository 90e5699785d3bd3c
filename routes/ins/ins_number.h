// The INS (Identité Nationale de Santé) as a number: a 15-character
// matricule (NIR or NIA: 13 characters and a 2-digit key) and the OID that
// says which, and whether the identity is a real or a test one
// (fr-specs.md §1.2, §1.3).
//
// Errors name the rule that failed and never the matricule itself: they end
// up in logs and in message histories, where an identifier of a patient has
// no place.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace navette::routes::ins {

// Whether test and demonstration OIDs are allowed: only in an environment the
// configuration declares a test one.
enum class Environment { kProduction, kTest };

enum class InsKind { kNir, kNia };

struct InsOid {
  InsKind kind = InsKind::kNir;
  bool test = false;  // a test or demonstration OID (.10, .11)
};

// OIDs of the INS assigning authorities.
inline constexpr std::string_view kInsNirOid = "1.2.250.1.213.1.4.8";
inline constexpr std::string_view kInsNiaOid = "1.2.250.1.213.1.4.9";
inline constexpr std::string_view kInsNirTestOid = "1.2.250.1.213.1.4.10";
inline constexpr std::string_view kInsNirDemoOid = "1.2.250.1.213.1.4.11";
// The calculated INS (INS-C), withdrawn in 2021: refused with its own reason.
inline constexpr std::string_view kInsCOid = "1.2.250.1.213.1.4.2";

// The key of a 13-character number: 97 − (N mod 97), with Corsica's 2A/2B
// read as 19/18. InvalidArgument if the number is not 13 characters of the
// allowed shape.
absl::StatusOr<int> ComputeInsKey(std::string_view number);

// A 15-character matricule whose last two digits are its key.
absl::Status CheckMatricule(std::string_view matricule);

// What the OID says; InvalidArgument for an OID that is not an INS one, for
// the INS-C, and for a test OID in production.
absl::StatusOr<InsOid> CheckInsOid(std::string_view oid, Environment environment);

// Both checks: the INS as it may be attached to a document.
absl::StatusOr<InsOid> CheckIns(std::string_view matricule, std::string_view oid,
                                Environment environment);

}  // namespace navette::routes::ins
