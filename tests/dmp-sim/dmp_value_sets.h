// The coded DocumentEntry attributes the simulated DMP accepts, and where
// each list comes from:
//
//   attribute                    source
//   typeCode                     JDV_J07 (valuesets/, ANS SVS file)
//   healthcareFacilityTypeCode   JDV_J02 (valuesets/)
//   practiceSettingCode          JDV_J04 (valuesets/)
//   confidentialityCode          JDV_J08 (valuesets/)
//   classCode                    JDV_J57 is not in the corpus: the codes
//                                fr-specs §3.4 lists, codingScheme
//                                1.2.250.1.213.1.1.4.1
//   formatCode                   JDV_J60 is not in the corpus: a codingScheme
//                                of fr-specs §3.4 (TRE_A11 IHE, TRE_A06 ANS,
//                                TRE_A09 DICOM, URN) and, for the first two,
//                                a code of that system's form (urn:ihe:… /
//                                urn:asip:ci-sis:… or urn:ans:ci-sis:…) —
//                                weaker than the real list, said so here
//
// A code matches when both the code and its codingScheme match.
#pragma once

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace navette::testing::dmp_sim {

enum class CodedAttribute {
  kClassCode,
  kTypeCode,
  kFormatCode,
  kHealthcareFacilityTypeCode,
  kPracticeSettingCode,
  kConfidentialityCode,
};

// "classCode", "typeCode", … as XDS names them (for codeContext).
std::string_view CodedAttributeName(CodedAttribute attribute);

class DmpValueSets {
 public:
  // Reads the four JDV files from `dir`; the error names the file.
  static absl::StatusOr<std::shared_ptr<const DmpValueSets>> Load(const std::filesystem::path& dir);

  bool Contains(CodedAttribute attribute, std::string_view code, std::string_view scheme) const;

 private:
  using CodeSet = std::set<std::pair<std::string, std::string>, std::less<>>;
  CodeSet type_codes_;
  CodeSet facility_types_;
  CodeSet practice_settings_;
  CodeSet confidentiality_codes_;
};

// tests/dmp-sim/valuesets in the source tree.
std::filesystem::path DefaultValueSetDir();

}  // namespace navette::testing::dmp_sim
