#include "routes/ins/document_patient.h"
#include "routes/ins/test_identities.h"

#include <functional>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/test_fixtures.h"
#include "routes/ins/identity_feed.h"

namespace navette::routes::ins {
namespace {

using adapters::hl7v2::Message;
using adapters::hl7v2::testing::Path;
using adapters::hl7v2::testing::ReadHl7Fixture;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kTestNirOid = "1.2.250.1.213.1.4.10";

// The ANS test patient as the identity store holds it once qualified.
identity::Identity StoredPatTrois() {
  identity::Identity identity = TestPatient("IPP42", identity::QUALIFIED);
  identity.set_reliability_code("QUAL");
  return identity;
}

Message Parse(std::string_view raw) {
  auto message = Message::Parse(raw);
  EXPECT_TRUE(message.ok()) << message.status();
  return message.ok() ? *std::move(message) : Message();
}

// An ORU document message with `pid` as its PID.
Message Oru(std::string_view pid) {
  return Parse(
      "MSH|^~\\&|SIL-Y|labo|PFI-X|Organisation-X|202106060931||ORU^R01^ORU_R01|015|P|2.5|||||FRA|"
      "UNICODE UTF-8|||2.1^CISIS_CDA_HL7_V2\r" +
      std::string(pid) +
      "\rPV1|1|I\rOBR|1|98765431^Nephro\rOBX|1|ED|11502-2^CR d'examens biologiques^LN||^TEXT^XML^"
      "Base64^RG9j||||||F\r");
}

DocumentPatient ReadOk(const Message& message) {
  auto patient = ReadDocumentPatient(message);
  EXPECT_TRUE(patient.ok()) << patient.status();
  return patient.ok() ? *std::move(patient) : DocumentPatient{};
}

// The PID segment as written, without its id: what a reader on the wire sees.
std::string PidOf(const Message& message) {
  const std::string wire = message.Serialize();
  size_t start = wire.find("\rPID|");
  if (start == std::string::npos) return "";
  start += 5;
  return wire.substr(start, wire.find('\r', start) - start);
}

// Field `field` of the PID, every repetition, as written.
std::string PidField(const Message& message, int field) {
  const std::string pid = "|" + PidOf(message) + "|";
  size_t start = 0;
  for (int i = 0; i < field; ++i) start = pid.find('|', start) + 1;
  return pid.substr(start, pid.find('|', start) - start);
}

TEST(DocumentPatientTest, ReadsTheAnsOru) {
  Message oru = Parse(ReadHl7Fixture("oru_r01_cr_bio_init.hl7"));
  DocumentPatient patient = ReadOk(oru);
  // Its PID-3 holds only the INS, which is not an IPP.
  EXPECT_EQ(patient.patient_key, "");
  ASSERT_TRUE(patient.ins.has_value());
  EXPECT_EQ(patient.ins->matricule(), "279035121518989");
  EXPECT_EQ(patient.ins->oid(), kTestNirOid);
  EXPECT_EQ(patient.ins_field, "PID-3[1]");
  EXPECT_EQ(patient.traits.birth_name(), "PAT-TROIS");
  EXPECT_EQ(patient.traits.first_birth_given_name(), "DOMINIQUE");
  EXPECT_EQ(patient.traits.birth_given_names(), "DOMINIQUE");
  EXPECT_EQ(patient.traits.birth_date(), "19790328");
  EXPECT_EQ(patient.traits.sex(), "F");
  EXPECT_EQ(patient.traits.birthplace_code(), "63220");
  EXPECT_EQ(FindDisagreement(patient, StoredPatTrois()), std::nullopt);
}

TEST(DocumentPatientTest, SameKeyAsTheIdentityFeed) {
  // The ANS ADT read as a document: the identity feed and attach_ins must
  // file the patient under the same key.
  std::string raw = ReadHl7Fixture(
      "corpus/Vague_2/Consentement_DMP_PAMFR/"
      "ConsentementConsultation_NonOppositionAlimentation.er7");
  IdentityFeedOptions options;
  options.environment = Environment::kTest;
  auto event = ReadIdentityFeed(raw, options);
  ASSERT_TRUE(event.ok()) << event.status();
  DocumentPatient patient = ReadOk(Parse(raw));
  EXPECT_EQ(patient.patient_key, event->patient_key);
  EXPECT_EQ(patient.ins_field, "PID-3[2]");
  EXPECT_EQ(patient.traits.SerializeAsString(), event->identity.traits().SerializeAsString());
}

TEST(DocumentPatientTest, NoPidIsRefused) {
  auto patient = ReadDocumentPatient(Parse("MSH|^~\\&|A|B|C|D|2026||ORU^R01|1|P|2.5\rOBX|1|ED"));
  EXPECT_TRUE(absl::IsInvalidArgument(patient.status()));
  EXPECT_THAT(patient.status().message(), HasSubstr("PID"));
}

TEST(DocumentPatientTest, EachDisagreementIsNamedWithoutValues) {
  const DocumentPatient document = ReadOk(Parse(ReadHl7Fixture("oru_r01_cr_bio_init.hl7")));
  struct Case {
    std::function<void(identity::Identity&)> change;
    std::string_view expected;
  };
  for (const Case& c : {
           Case{[](identity::Identity& i) { i.mutable_ins()->set_matricule("180032B02040123"); },
                "INS matricule differs from the identity store (PID-3[1].1)"},
           Case{[](identity::Identity& i) { i.mutable_ins()->set_oid("1.2.250.1.213.1.4.8"); },
                "INS OID differs from the identity store (PID-3[1].4.2)"},
           Case{[](identity::Identity& i) { i.mutable_traits()->set_birth_name("PAT-DEUX"); },
                "birth name (PID-5.1) differs from the identity store"},
           Case{[](identity::Identity& i) {
                  i.mutable_traits()->set_first_birth_given_name("MARIE");
                },
                "first birth given name (PID-5.2) differs from the identity store"},
           Case{[](identity::Identity& i) {
                  i.mutable_traits()->set_birth_given_names("DOMINIQUE MARIE");
                },
                "birth given names (PID-5.3) differs from the identity store"},
           Case{[](identity::Identity& i) { i.mutable_traits()->set_birth_date("19790329"); },
                "birth date (PID-7) differs from the identity store"},
           Case{[](identity::Identity& i) { i.mutable_traits()->set_sex("M"); },
                "sex (PID-8) differs from the identity store"},
           Case{[](identity::Identity& i) { i.mutable_traits()->set_birthplace_code("51215"); },
                "birthplace code (PID-11.9, BDL) differs from the identity store"},
           Case{[](identity::Identity& i) { i.clear_ins(); },
                "INS present in the document (PID-3[1]) but not in the identity store"},
       }) {
    identity::Identity stored = StoredPatTrois();
    c.change(stored);
    std::optional<std::string> found = FindDisagreement(document, stored);
    ASSERT_TRUE(found.has_value()) << c.expected;
    // Exactly that one: the others agree.
    EXPECT_EQ(*found, c.expected);
    for (std::string_view value :
         {"279035121518989", "180032B02040123", "PAT-TROIS", "DOMINIQUE", "1979", "63220"}) {
      EXPECT_THAT(*found, Not(HasSubstr(value))) << c.expected;
    }
  }
}

TEST(DocumentPatientTest, EveryDisagreementIsListed) {
  const DocumentPatient document = ReadOk(Parse(ReadHl7Fixture("oru_r01_cr_bio_init.hl7")));
  identity::Identity stored = StoredPatTrois();
  stored.mutable_ins()->set_matricule("180032B02040123");
  stored.mutable_traits()->set_sex("M");
  EXPECT_EQ(FindDisagreement(document, stored),
            "INS matricule differs from the identity store (PID-3[1].1); "
            "sex (PID-8) differs from the identity store");
}

TEST(DocumentPatientTest, WhatTheDocumentLacksIsNotCompared) {
  // No INS, a name and nothing else: only the name is compared.
  DocumentPatient document =
      ReadOk(Oru("PID|1||IPP42^^^CHU-X&000897406&N^PI||PAT-TROIS^DOMINIQUE^^^^^L"));
  EXPECT_FALSE(document.ins.has_value());
  EXPECT_EQ(document.ins_field, "");
  EXPECT_EQ(FindDisagreement(document, StoredPatTrois()), std::nullopt);
  identity::Identity renamed = StoredPatTrois();
  renamed.mutable_traits()->set_birth_name("PAT-QUATRE");
  EXPECT_EQ(FindDisagreement(document, renamed),
            "birth name (PID-5.1) differs from the identity store");
  // A trait the store lacks and the document has is a disagreement.
  identity::Identity unknown_birthplace = StoredPatTrois();
  unknown_birthplace.mutable_traits()->clear_birthplace_code();
  DocumentPatient full = ReadOk(Parse(ReadHl7Fixture("oru_r01_cr_bio_init.hl7")));
  EXPECT_EQ(FindDisagreement(full, unknown_birthplace),
            "birthplace code (PID-11.9, BDL) differs from the identity store");
}

TEST(DocumentPatientTest, AttachesToAnOruWithoutIns) {
  Message oru =
      Oru("PID|1||IPP42^^^CHU-X&000897406&N^PI||MARTIN^DOMI^^^^^D||19790328093000|U|||"
          "28 Av de Breteuil^^PARIS^^75007^FRA^H");
  const std::string key_before = ReadOk(oru).patient_key;
  ASSERT_TRUE(AttachIdentityToPid(oru, StoredPatTrois()).ok());
  EXPECT_EQ(PidOf(oru),
            "1||IPP42^^^CHU-X&000897406&N^PI~279035121518989^^^ASIP-SANTE-INS-NIR&"
            "1.2.250.1.213.1.4.10&ISO^INS||MARTIN^DOMI^^^^^D~PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||"
            "19790328093000|F|||28 Av de Breteuil^^PARIS^^75007^FRA^H~^^^^^^BDL^^63220");

  // On the wire and back, the document now says what the store says.
  Message reread = Parse(oru.Serialize());
  DocumentPatient patient = ReadOk(reread);
  EXPECT_EQ(patient.patient_key, key_before);
  ASSERT_TRUE(patient.ins.has_value());
  EXPECT_EQ(patient.ins_field, "PID-3[2]");
  EXPECT_EQ(FindDisagreement(patient, StoredPatTrois()), std::nullopt);
  // The rest of the message is untouched.
  EXPECT_EQ(reread.Get(Path("OBX-5.5")).value_or(""), "RG9j");
}

TEST(DocumentPatientTest, ReplacesTheInsOfTheAnsOru) {
  Message oru = Parse(ReadHl7Fixture("oru_r01_cr_bio_init.hl7"));
  identity::Identity corsican = StoredPatTrois();
  corsican.mutable_ins()->set_matricule("180032B02040123");
  corsican.mutable_traits()->set_birth_given_names("DOMINIQUE MARIE-LOUISE");
  ASSERT_TRUE(AttachIdentityToPid(oru, corsican).ok());
  // The INS repetition is replaced, its CX.7 (the old INS's validity) with it.
  EXPECT_EQ(PidField(oru, 3), "180032B02040123^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS");
  EXPECT_EQ(PidField(oru, 5), "PAT-TROIS^DOMINIQUE^DOMINIQUE MARIE-LOUISE^^^^L");

  DocumentPatient patient = ReadOk(Parse(oru.Serialize()));
  EXPECT_EQ(patient.ins_field, "PID-3[1]");
  EXPECT_EQ(FindDisagreement(patient, corsican), std::nullopt);
  EXPECT_NE(FindDisagreement(patient, StoredPatTrois()), std::nullopt);
}

TEST(DocumentPatientTest, EveryInsRepetitionIsReplaced) {
  Message oru =
      Oru("PID|1||279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH~IPP42^^^H^PI~"
          "207058575627097^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS||PAT-TROIS^DOMINIQUE");
  identity::Identity corsican = StoredPatTrois();
  corsican.mutable_ins()->set_matricule("180032B02040123");
  ASSERT_TRUE(AttachIdentityToPid(oru, corsican).ok());
  const std::string ins = "180032B02040123^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS";
  EXPECT_EQ(PidField(oru, 3), ins + "~IPP42^^^H^PI~" + ins);
}

TEST(DocumentPatientTest, TheTimeOfBirthIsKeptWhenTheDateAgrees) {
  Message same_day = Oru("PID|1||IPP42^^^H^PI||||197903281230|F");
  ASSERT_TRUE(AttachIdentityToPid(same_day, StoredPatTrois()).ok());
  EXPECT_EQ(same_day.Get(Path("PID-7")).value_or(""), "197903281230");

  Message other_day = Oru("PID|1||IPP42^^^H^PI||||197903291230|F");
  ASSERT_TRUE(AttachIdentityToPid(other_day, StoredPatTrois()).ok());
  EXPECT_EQ(other_day.Get(Path("PID-7")).value_or(""), "19790328");
}

TEST(DocumentPatientTest, EmptyFieldsAreFilledInPlace) {
  Message oru = Oru("PID|1||");
  ASSERT_TRUE(AttachIdentityToPid(oru, StoredPatTrois()).ok());
  EXPECT_EQ(PidOf(oru),
            "1||279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS||"
            "PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F|||^^^^^^BDL^^63220");
}

TEST(DocumentPatientTest, NiaNamespaceAndEscapedValues) {
  identity::Identity nia = StoredPatTrois();
  nia.mutable_ins()->set_matricule("109076322088835");
  nia.mutable_ins()->set_oid("1.2.250.1.213.1.4.9");
  nia.mutable_traits()->set_birth_name("D&ARC");
  Message oru = Oru("PID|1||IPP42^^^H^PI");
  ASSERT_TRUE(AttachIdentityToPid(oru, nia).ok());
  EXPECT_EQ(oru.GetRaw(Path("PID-3[2]")).value_or(""),
            "109076322088835^^^ASIP-SANTE-INS-NIA&1.2.250.1.213.1.4.9&ISO^INS");
  // The ampersand is data, not a subcomponent separator.
  EXPECT_EQ(oru.GetRaw(Path("PID-5.1")).value_or(""), "D\\T\\ARC");
  EXPECT_EQ(FindDisagreement(ReadOk(Parse(oru.Serialize())), nia), std::nullopt);
}

TEST(DocumentPatientTest, RefusesAnIdentityWhoseInsMayNotTravel) {
  struct Case {
    std::function<void(identity::Identity&)> change;
    std::string_view reason;
  };
  for (const Case& c : {
           Case{[](identity::Identity& i) { i.clear_ins(); }, "no INS"},
           Case{[](identity::Identity& i) { i.mutable_ins()->clear_matricule(); }, "no INS"},
           Case{[](identity::Identity& i) { i.set_status(identity::VALIDATED); }, "not qualified"},
           Case{[](identity::Identity& i) { i.set_status(identity::RECOVERED); }, "not qualified"},
           Case{[](identity::Identity& i) { i.set_doubtful(true); }, "doubtful or fictitious"},
           Case{[](identity::Identity& i) { i.set_fictitious(true); }, "doubtful or fictitious"},
           Case{[](identity::Identity& i) { i.mutable_ins()->set_oid("1.2.250.1.213.1.4.2"); },
                "INS-C"},
           Case{[](identity::Identity& i) { i.mutable_traits()->clear_birthplace_code(); },
                "no birthplace code"},
           Case{[](identity::Identity& i) { i.mutable_traits()->clear_sex(); }, "no sex"},
           Case{[](identity::Identity& i) { i.mutable_traits()->set_birth_name("A\rB"); },
                "birth name (PID-5.1) holds a line break"},
       }) {
    identity::Identity identity = StoredPatTrois();
    c.change(identity);
    Message oru = Parse(ReadHl7Fixture("oru_r01_cr_bio_init.hl7"));
    const std::string before = oru.Serialize();
    absl::Status refused = AttachIdentityToPid(oru, identity);
    EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << c.reason << ": " << refused;
    EXPECT_THAT(refused.message(), HasSubstr(c.reason));
    EXPECT_THAT(refused.message(), Not(HasSubstr("279035121518989")));
    EXPECT_EQ(oru.Serialize(), before) << c.reason;
  }
}

TEST(DocumentPatientTest, AttachNeedsAPid) {
  Message no_pid = Parse("MSH|^~\\&|A|B|C|D|2026||ORU^R01|1|P|2.5\rOBX|1|ED");
  absl::Status refused = AttachIdentityToPid(no_pid, StoredPatTrois());
  EXPECT_TRUE(absl::IsInvalidArgument(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("PID"));
}

TEST(DocumentPatientTest, RemovesEveryInsFromPid3AndNothingElse) {
  Message oru =
      Oru("PID|1||279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH~IPP42^^^H^PI~"
          "207058575627097^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS~^^^H2^MR||"
          "D\\T\\ARC^JEANNE^^^^^L||19790328|F|||~^^^^^^BDL^^63220||||||||||||||||||||VALI|");
  const std::string before = PidOf(oru);
  ASSERT_TRUE(RemoveInsFromPid(oru).ok());
  // Escapes, empty repetitions and trailing empty fields as they were.
  EXPECT_EQ(PidOf(oru),
            "1||IPP42^^^H^PI~^^^H2^MR||D\\T\\ARC^JEANNE^^^^^L||19790328|F|||~^^^^^^BDL^^63220||||||"
            "||||||||||||||VALI|");
  DocumentPatient patient = ReadOk(Parse(oru.Serialize()));
  EXPECT_FALSE(patient.ins.has_value());
  EXPECT_EQ(patient.patient_key, std::string("IPP42\x1fH"));
  EXPECT_EQ(patient.traits.birth_name(), "D&ARC");
  EXPECT_EQ(oru.Get(Path("OBX-5.5")).value_or(""), "RG9j");
  EXPECT_NE(PidOf(oru), before);
}

TEST(DocumentPatientTest, RemovingLeavesAMessageWithoutInsUntouched) {
  const std::string raw =
      "MSH|^~\\&|A|B|C|D|2026||ORU^R01|1|P|2.5\nPID|1||IPP42^^^H^PI||X^Y^^^^^L\nOBX|1|ED\n";
  Message message = Parse(raw);
  ASSERT_TRUE(RemoveInsFromPid(message).ok());
  EXPECT_EQ(message.Serialize(), raw);  // LF terminators kept: nothing was changed

  Message only_ins = Parse(ReadHl7Fixture("oru_r01_cr_bio_init.hl7"));
  ASSERT_TRUE(RemoveInsFromPid(only_ins).ok());
  EXPECT_EQ(PidField(only_ins, 3), "");
  EXPECT_EQ(PidField(only_ins, 5), "PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L");

  Message no_pid = Parse("MSH|^~\\&|A|B|C|D|2026||ORU^R01|1|P|2.5\rOBX|1|ED");
  EXPECT_TRUE(absl::IsInvalidArgument(RemoveInsFromPid(no_pid)));
}

}  // namespace
}  // namespace navette::routes::ins
