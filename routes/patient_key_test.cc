#include "routes/patient_key.h"

#include <gtest/gtest.h>

namespace navette::routes {
namespace {

std::string KeyOf(const std::string& pid) {
  const std::string raw = "MSH|^~\\&|A|B|C|D|20260101||ADT^A01|1|P|2.5\r" + pid + "\r";
  auto view = adapters::hl7v2::MessageView::Parse(raw);
  EXPECT_TRUE(view.ok()) << view.status();
  return PatientKey(*view);
}

TEST(PatientKeyTest, TakesTheRepetitionTypedPi) {
  EXPECT_EQ(KeyOf("PID|1||1234567890123^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS~"
                  "IPP42^^^HOSP&1.2.3&ISO^PI"),
            std::string("IPP42\x1fHOSP&1.2.3&ISO"));
}

TEST(PatientKeyTest, FallsBackToTheFirstRepetition) {
  EXPECT_EQ(KeyOf("PID|1||A1^^^H1~B2^^^H2"), std::string("A1\x1fH1"));
}

TEST(PatientKeyTest, SameNumberFromTwoAuthoritiesDiffers) {
  EXPECT_NE(KeyOf("PID|1||42^^^H1^PI"), KeyOf("PID|1||42^^^H2^PI"));
}

TEST(PatientKeyTest, EmptyWithoutPid3) {
  EXPECT_EQ(KeyOf("PID|1"), "");
  EXPECT_EQ(KeyOf("EVN|A01"), "");
}

}  // namespace
}  // namespace navette::routes
