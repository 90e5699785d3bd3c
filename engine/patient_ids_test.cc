#include "engine/patient_ids.h"

#include <gtest/gtest.h>

namespace navette::engine {
namespace {

TEST(PatientIdsTest, IppsAndInsFromPid3) {
  const store::PatientIds ids = PatientIdsOf(
      "MSH|^~\\&|DPI|CHU|PFI|CHU|20260101||ADT^A28|1|P|2.5\r"
      "EVN||20260101\r"
      "PID|1||000123^^^CHU&1.2.250.1.71.4.2.2&ISO^PI~279035121518989^^^ASIP-SANTE-INS-NIR&1.2."
      "250.1.213.1.4.10&ISO^INS~77^^^OTHER^AN||NOM^PRENOM\r");
  EXPECT_EQ(ids.ipps, std::vector<std::string>{"000123"});
  EXPECT_EQ(ids.ins, std::vector<std::string>{"279035121518989"});
}

TEST(PatientIdsTest, OtherSeparatorsAndLineEnds) {
  const store::PatientIds ids = PatientIdsOf("MSH#*@\\&#A#B\nPID#1##42*** *PI@NH1*** *NH#\n");
  EXPECT_EQ(ids.ipps, std::vector<std::string>{"42"});
  EXPECT_EQ(ids.ins, std::vector<std::string>{"NH1"});
}

TEST(PatientIdsTest, NothingWithoutPid) {
  EXPECT_TRUE(PatientIdsOf("MSH|^~\\&|A|B|C|D|20260101||ACK|1|P|2.5\rMSA|AA|9\r").ipps.empty());
  EXPECT_TRUE(PatientIdsOf("not hl7").ipps.empty());
  EXPECT_TRUE(PatientIdsOf("MSH|^~\\&|A\rPIDX|1||9^^^^PI\r").ipps.empty());
  EXPECT_TRUE(PatientIdsOf("MSH|^~\\&|A\rPID|1\r").ipps.empty());
}

}  // namespace
}  // namespace navette::engine
