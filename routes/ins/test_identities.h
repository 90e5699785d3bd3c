// For the identity tests: an identity store in memory and the ANS test
// patient (PAT-TROIS DOMINIQUE, INS-NIR de test 279035121518989).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "routes/ins/identity_reader.h"

namespace navette::routes::ins {

// Every read fails with `error` when it is set; `reads` counts the reads.
class MemoryIdentityReader : public IdentityReader {
 public:
  absl::StatusOr<std::optional<identity::Identity>> Get(std::string_view patient) const override {
    ++reads;
    if (!error.ok()) return error;
    auto found = records.find(std::string(patient));
    if (found == records.end()) return std::nullopt;
    return found->second;
  }

  // Every record carrying the INS, as the store's index finds them.
  absl::StatusOr<std::vector<std::string>> FindByIns(const identity::Ins& ins) const override {
    ++reads;
    if (!error.ok()) return error;
    std::vector<std::string> patients;
    for (const auto& [patient, record] : records) {
      if (record.ins().matricule() == ins.matricule() && record.ins().oid() == ins.oid()) {
        patients.push_back(patient);
      }
    }
    return patients;
  }

  std::map<std::string, identity::Identity> records;
  absl::Status error = absl::OkStatus();
  mutable int reads = 0;
};

inline constexpr std::string_view kTestAuthority = "CHU-X&000897406&N";

// The ANS test patient under `ipp`, with `status`, its five strict traits
// and, when `with_ins`, its INS.
inline identity::Identity TestPatient(std::string_view ipp, identity::IdentityStatus status,
                                      bool with_ins = true) {
  identity::Identity identity;
  identity.set_ipp(std::string(ipp));
  identity.set_authority(std::string(kTestAuthority));
  if (with_ins) {
    identity.mutable_ins()->set_matricule("279035121518989");
    identity.mutable_ins()->set_oid("1.2.250.1.213.1.4.10");
  }
  identity::StrictTraits* traits = identity.mutable_traits();
  traits->set_birth_name("PAT-TROIS");
  traits->set_first_birth_given_name("DOMINIQUE");
  traits->set_birth_given_names("DOMINIQUE");
  traits->set_birth_date("19790328");
  traits->set_sex("F");
  traits->set_birthplace_code("63220");
  identity.set_status(status);
  return identity;
}

}  // namespace navette::routes::ins
