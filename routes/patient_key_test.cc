#include "routes/patient_key.h"

#include <gtest/gtest.h>

namespace navette::routes {
namespace {

std::string Wrap(const std::string& segments) {
  return "MSH|^~\\&|A|B|C|D|20260101||ADT^A01|1|P|2.5\r" + segments + "\r";
}

// The key of the message on both readers, which must agree.
std::string KeyOf(const std::string& pid) {
  const std::string raw = Wrap(pid);
  auto view = adapters::hl7v2::MessageView::Parse(raw);
  EXPECT_TRUE(view.ok()) << view.status();
  auto message = adapters::hl7v2::Message::Parse(raw);
  EXPECT_TRUE(message.ok()) << message.status();
  std::string key = PatientKey(*view);
  EXPECT_EQ(PatientKey(*message), key) << "MessageView and Message disagree on " << pid;
  return key;
}

TEST(PatientKeyTest, TakesTheRepetitionTypedPi) {
  EXPECT_EQ(KeyOf("PID|1||1234567890123^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS~"
                  "IPP42^^^HOSP&1.2.3&ISO^PI"),
            std::string("IPP42\x1fHOSP&1.2.3&ISO"));
}

TEST(PatientKeyTest, FallsBackToTheFirstRepetition) {
  EXPECT_EQ(KeyOf("PID|1||A1^^^H1~B2^^^H2"), std::string("A1\x1fH1"));
}

TEST(PatientKeyTest, FallbackSkipsInsRepetitions) {
  // An INS is not an IPP: without a PI repetition, the first other one.
  EXPECT_EQ(KeyOf("PID|1||279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS~"
                  "A1^^^H1^MR~B2^^^H2"),
            std::string("A1\x1fH1"));
  EXPECT_EQ(KeyOf("PID|1||279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH~A1^^^H1"),
            std::string("A1\x1fH1"));
}

TEST(PatientKeyTest, EmptyWhenThereIsOnlyAnIns) {
  EXPECT_EQ(KeyOf("PID|1||279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS"), "");
}

TEST(PatientKeyTest, SameNumberFromTwoAuthoritiesDiffers) {
  EXPECT_NE(KeyOf("PID|1||42^^^H1^PI"), KeyOf("PID|1||42^^^H2^PI"));
}

TEST(PatientKeyTest, KeyIsTheWireText) {
  // Escapes stay as sent: the key is the same whatever reader made it.
  EXPECT_EQ(KeyOf("PID|1||A\\S\\1^^^H\\T\\1^PI"), std::string("A\\S\\1\x1fH\\T\\1"));
}

TEST(PatientKeyTest, EmptyWithoutPid3) {
  EXPECT_EQ(KeyOf("PID|1"), "");
  EXPECT_EQ(KeyOf("PID|1||"), "");
  EXPECT_EQ(KeyOf("EVN|A01"), "");
}

TEST(PatientKeyTest, ReadsAnyCxList) {
  const std::string raw = Wrap(
      "PID|1||NEW1^^^H1^PI\rMRG|279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^"
      "INS~OLD7^^^H1");
  auto view = adapters::hl7v2::MessageView::Parse(raw);
  ASSERT_TRUE(view.ok()) << view.status();
  auto message = adapters::hl7v2::Message::Parse(raw);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(PatientKeyOf(*view, "MRG", 1), std::string("OLD7\x1fH1"));
  EXPECT_EQ(PatientKeyOf(*message, "MRG", 1), std::string("OLD7\x1fH1"));
  EXPECT_EQ(PatientKeyOf(*view, "PID", 3), PatientKey(*view));
  EXPECT_EQ(PatientKeyRepetition(*message, "MRG", 1), 2);
  EXPECT_EQ(PatientKeyRepetition(*message, "PID", 3), 1);
  EXPECT_EQ(PatientKeyOf(*view, "ZZZ", 1), "");
  EXPECT_EQ(PatientKeyRepetition(*message, "ZZZ", 1), 0);
}

}  // namespace
}  // namespace navette::routes
