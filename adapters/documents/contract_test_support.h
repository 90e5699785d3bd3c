// Test-only: the corpus samples of the document contract and the facts all
// of them share (the ANS test patient PAT-TROIS, fictitious).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "adapters/documents/contract.h"
#include "adapters/hl7v2/test_fixtures.h"

namespace navette::adapters::documents::testing {

inline constexpr std::string_view kOruDir = "corpus/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/";
inline constexpr std::string_view kMdmDir =
    "corpus/Vague_2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/MDM/"
    "Transmission_initiale_MDM/";

inline std::string Sample(std::string_view dir, std::string_view name) {
  return hl7v2::testing::ReadHl7Fixture(std::string(dir) + std::string(name));
}

// OBX-5.5 of every ED OBX that is not MetaDMPMSS, cut out of the wire text
// by plain splitting and decoded by absl: a reference independent of the
// contract's own reading and base64 decoder.
inline std::vector<std::string> ReferenceDocuments(const std::string& raw) {
  std::vector<std::string> documents;
  std::vector<std::string> lines = absl::StrSplit(raw, absl::ByAnyChar("\r\n"));
  for (const std::string& line : lines) {
    std::vector<std::string> fields = absl::StrSplit(line, '|');
    if (fields.size() < 6 || fields[0] != "OBX" || fields[2] != "ED") continue;
    if (fields[3].find("MetaDMPMSS") != std::string::npos) continue;
    std::vector<std::string> ed = absl::StrSplit(fields[5], '^');
    std::string decoded;
    EXPECT_TRUE(ed.size() >= 5 && absl::Base64Unescape(ed[4], &decoded));
    documents.push_back(decoded);
  }
  return documents;
}

// The patient of every sample: PID of the ANS test patient.
inline void ExpectTestPatient(const navette::document::Patient& patient) {
  EXPECT_EQ(patient.ins().id(), "279035121518989");
  EXPECT_EQ(patient.ins().authority_oid(), "1.2.250.1.213.1.4.10");
  EXPECT_EQ(patient.ins().authority_name(), "ASIP-SANTE-INS-NIR");
  EXPECT_EQ(patient.ins().type(), "INS");
  EXPECT_FALSE(patient.has_ipp());
  EXPECT_EQ(patient.birth_name(), "PAT-TROIS");
  EXPECT_EQ(patient.given_name(), "DOMINIQUE");
  EXPECT_EQ(patient.given_names(), "DOMINIQUE");
  EXPECT_EQ(patient.birth_date(), "19790328");
  EXPECT_EQ(patient.sex(), "F");
  EXPECT_EQ(patient.birthplace_code(), "63220");
}

// The flags in contract order, as "NYN...".
inline std::string FlagString(const navette::document::Flags& flags) {
  auto yn = [](bool b) { return b ? 'Y' : 'N'; };
  return {yn(flags.masque_ps()),
          yn(flags.invisible_patient()),
          yn(flags.invisible_rep_legaux()),
          yn(flags.connexion_secrete()),
          yn(flags.modif_conf_code()),
          yn(flags.dest_dmp()),
          yn(flags.dest_mssante_ps()),
          yn(flags.dest_mssante_pat()),
          yn(flags.ack_reception()),
          yn(flags.ack_lecture_mss())};
}

// The one violation of `result` at `location`; fails when there is none.
inline const Violation* ViolationAt(const ContractResult& result, std::string_view location) {
  for (const Violation& violation : result.violations) {
    if (violation.location == location) return &violation;
  }
  ADD_FAILURE() << "no violation at " << location;
  return nullptr;
}

}  // namespace navette::adapters::documents::testing
