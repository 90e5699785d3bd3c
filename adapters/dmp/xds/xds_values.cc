#include "adapters/dmp/xds/xds_values.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace navette::adapters::dmp::xds {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string Hex(const unsigned char* data, size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0x0f]);
  }
  return out;
}

bool AllDigits(std::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int Digits(std::string_view text, size_t at, size_t count) {
  int value = 0;
  for (size_t i = at; i < at + count; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

// The national PS and structure identifier systems (fr-specs.md §1.3) and
// the HL7 identifier types the DMP samples give them.
std::string PersonIdType(std::string_view oid) {
  return oid == "1.2.250.1.71.4.2.1" ? "IDNPS" : "";
}
std::string InstitutionIdType(std::string_view oid) {
  return oid == "1.2.250.1.71.4.2.2" ? "IDNST" : "";
}

}  // namespace

std::string EscapeHl7(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\E\\";
        break;
      case '^':
        out += "\\S\\";
        break;
      case '&':
        out += "\\T\\";
        break;
      case '|':
        out += "\\F\\";
        break;
      case '~':
        out += "\\R\\";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string InsCx(const PatientIdentity& patient) {
  return absl::StrCat(EscapeHl7(patient.ins), "^^^&", EscapeHl7(patient.ins_oid), "&ISO^NH");
}

std::string SourcePatientCx(const PatientIdentity& patient) {
  if (patient.ipp.empty() || patient.ipp_oid.empty()) return InsCx(patient);
  return absl::StrCat(EscapeHl7(patient.ipp), "^^^&", EscapeHl7(patient.ipp_oid), "&ISO^PI");
}

std::string PersonXcn(const Person& person) {
  return absl::StrCat(EscapeHl7(person.id), "^", EscapeHl7(person.family), "^",
                      EscapeHl7(person.given), "^^^^^^&", EscapeHl7(person.oid), "&ISO^D^^^",
                      PersonIdType(person.oid));
}

std::string InstitutionXon(const Author& author) {
  return absl::StrCat(
      EscapeHl7(author.institution_name), "^^^^^&", EscapeHl7(author.institution_oid), "&ISO^",
      InstitutionIdType(author.institution_oid), "^^^", EscapeHl7(author.institution_id));
}

std::string CodedValue(const Code& code) {
  if (code.empty()) return "";
  return absl::StrCat(EscapeHl7(code.code), "^", EscapeHl7(code.display), "^",
                      EscapeHl7(code.scheme));
}

absl::StatusOr<std::string> XdsTimeFromCda(std::string_view ts, std::string_view field) {
  const auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), " \"", std::string(ts), "\": ", std::string(why)));
  };
  const size_t sign = ts.find_first_of("+-");
  std::string_view local = ts.substr(0, sign);
  std::string_view offset = sign == std::string_view::npos ? "" : ts.substr(sign);
  if (const size_t dot = local.find('.'); dot != std::string_view::npos) {
    local = local.substr(0, dot);  // fractions of a second: XDS has none
  }
  if (local.size() < 4 || local.size() > 14 || local.size() % 2 != 0 || !AllDigits(local)) {
    return bad("not an HL7 timestamp (YYYY[MM[DD[HH[MM[SS]]]]][+/-ZZZZ])");
  }
  if (!offset.empty() && (offset.size() != 5 || !AllDigits(offset.substr(1)))) {
    return bad("malformed UTC offset");
  }
  if (local.size() <= 8) return std::string(local);  // a date: no time zone to apply
  if (offset.empty()) {
    return bad("has a time but no UTC offset (CDA times carry one, fr-specs.md §2.1)");
  }
  const int offset_seconds =
      (offset[0] == '-' ? -1 : 1) * (Digits(offset, 1, 2) * 3600 + Digits(offset, 3, 2) * 60);
  const absl::CivilSecond civil(Digits(local, 0, 4), Digits(local, 4, 2), Digits(local, 6, 2),
                                Digits(local, 8, 2), local.size() >= 12 ? Digits(local, 10, 2) : 0,
                                local.size() >= 14 ? Digits(local, 12, 2) : 0);
  // CivilSecond normalises out-of-range fields (month 13); a TS must not
  // have them.
  if (civil.month() != Digits(local, 4, 2) || civil.day() != Digits(local, 6, 2) ||
      civil.hour() != Digits(local, 8, 2)) {
    return bad("not a valid date and time");
  }
  return XdsTime(absl::FromCivil(civil, absl::FixedTimeZone(offset_seconds)));
}

std::string XdsTime(absl::Time time) {
  return absl::FormatTime("%Y%m%d%H%M%S", time, absl::UTCTimeZone());
}

std::string NewEntryUuid() {
  std::array<unsigned char, 16> bytes{};
  // RAND_bytes fails only when the CSPRNG cannot be seeded, which leaves the
  // process unable to do TLS either; aborting is the honest outcome.
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) std::abort();
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = Hex(bytes.data(), bytes.size());
  return absl::StrCat("urn:uuid:", hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4),
                      "-", hex.substr(16, 4), "-", hex.substr(20));
}

bool IsEntryUuid(std::string_view value) {
  constexpr std::string_view kPrefix = "urn:uuid:";
  if (value.size() != kPrefix.size() + 36 || value.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  const std::string_view uuid = value.substr(kPrefix.size());
  for (size_t i = 0; i < uuid.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? uuid[i] != '-' : !absl::ascii_isxdigit(static_cast<unsigned char>(uuid[i]))) {
      return false;
    }
  }
  return true;
}

bool IsOid(std::string_view value) {
  if (value.empty() || value.size() > 64) return false;
  for (absl::string_view piece :
       absl::StrSplit(absl::string_view(value.data(), value.size()), '.')) {
    const std::string_view arc(piece.data(), piece.size());
    if (arc.empty() || !AllDigits(arc) || (arc.size() > 1 && arc[0] == '0')) return false;
  }
  return true;
}

std::string Sha1Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  // EVP_Digest fails only on allocation failure.
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1) {
    std::abort();
  }
  return Hex(digest.data(), size);
}

}  // namespace navette::adapters::dmp::xds
