#include "routes/ins/attach_ins_step.h"
#include "routes/ins/test_identities.h"
#include "store/keys.h"

#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

namespace navette::routes::ins {
namespace {

using google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Kind = AttachInsOutcome::Kind;

using FakeReader = MemoryIdentityReader;

constexpr std::string_view kAuthority = kTestAuthority;
const std::string kKey = std::string("IPP42\x1f") + std::string(kAuthority);
const std::string kPriorKey = std::string("IPP17\x1f") + std::string(kAuthority);

// The INS repetition attach_ins writes for the ANS test patient.
constexpr std::string_view kInsRepetition =
    "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS";
// The same as a sender writes it, with its validity start (CX.7).
constexpr std::string_view kSentIns =
    "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS^^20101207";
constexpr std::string_view kIpp42 = "IPP42^^^CHU-X&000897406&N^PI";
constexpr std::string_view kIpp17 = "IPP17^^^CHU-X&000897406&N^PI";
constexpr std::string_view kTraits =
    "PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F|||^^^^^^BDL^^63220";

identity::Identity PatTrois(std::string_view ipp, identity::IdentityStatus status) {
  identity::Identity identity = TestPatient(ipp, status);
  identity.set_reliability_code(status == identity::QUALIFIED ? "QUAL" : "PROV");
  return identity;
}

// An ORU with `pid` as its PID segment (whole, "PID|..."), MSH-18 `charset`.
std::string Oru(std::string_view pid, std::string_view charset = "UNICODE UTF-8",
                std::string_view report = "CR d'examens biologiques") {
  return "MSH|^~\\&|SIL-Y|labo|PFI-X|Organisation-X|202106060931||ORU^R01^ORU_R01|015|P|2.5|||||"
         "FRA|" +
         std::string(charset) + "|||2.1^CISIS_CDA_HL7_V2\r" + std::string(pid) +
         "\rPV1|1|I\rOBR|1|98765431^Nephro\rOBX|1|ED|11502-2^" + std::string(report) +
         "^LN||^TEXT^XML^Base64^RG9j||||||F\r";
}

// "PID|1||<identifiers>||<names...>": the ANS test patient under `identifiers`.
std::string Pid(std::string_view identifiers, std::string_view traits = kTraits) {
  return "PID|1||" + std::string(identifiers) + "||" + std::string(traits);
}

navette::Envelope Envelope(std::string raw, std::string charset = "UNICODE UTF-8") {
  navette::Envelope envelope;
  envelope.set_source("sil");
  envelope.set_raw(std::move(raw));
  envelope.set_charset(std::move(charset));
  return envelope;
}

AttachInsOutcome AttachOk(const navette::Envelope& envelope, const IdentityReader& reader) {
  auto outcome = AttachIns(envelope, reader, Environment::kTest);
  EXPECT_TRUE(outcome.ok()) << outcome.status();
  return outcome.ok() ? *std::move(outcome) : AttachInsOutcome{};
}

// The PID segment of a message on the wire, "PID|..." up to its CR.
std::string PidSegment(std::string_view wire) {
  size_t start = wire.find("\rPID|");
  if (start == std::string_view::npos) return "";
  ++start;
  return std::string(wire.substr(start, wire.find('\r', start) - start));
}

// Field `field` of the PID, every repetition, as on the wire.
std::string PidField(std::string_view wire, int field) {
  const std::string pid = PidSegment(wire) + "|";
  size_t start = 0;
  for (int i = 0; i < field; ++i) {
    start = pid.find('|', start);
    if (start == std::string::npos) return "";
    ++start;
  }
  return pid.substr(start, pid.find('|', start) - start);
}

// The message with its PID segment taken out: what attach_ins must not touch.
std::string WithoutPid(std::string_view wire) {
  std::string text(wire);
  const std::string pid = PidSegment(text);
  if (!pid.empty()) text.erase(text.find(pid), pid.size());
  return text;
}

TEST(AttachInsTest, UnknownPatientIsMissingUnderTheDocumentKey) {
  FakeReader reader;
  AttachInsOutcome outcome = AttachOk(Envelope(Oru(Pid(kIpp42))), reader);
  EXPECT_EQ(outcome.kind, Kind::kMissing);
  EXPECT_EQ(outcome.reason, "patient unknown to the identity store");
  EXPECT_EQ(outcome.patient, kKey);
  EXPECT_TRUE(outcome.payload.empty());
  EXPECT_TRUE(outcome.payload_without_ins.empty());  // it carried none
}

TEST(AttachInsTest, ProvisionalIdentityIsMissing) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::PROVISIONAL);
  AttachInsOutcome outcome = AttachOk(Envelope(Oru(Pid(kIpp42))), reader);
  EXPECT_EQ(outcome.kind, Kind::kMissing);
  EXPECT_EQ(outcome.reason, "identity not qualified (provisional)");
  EXPECT_EQ(outcome.patient, kKey);
  EXPECT_TRUE(outcome.payload.empty());
  EXPECT_TRUE(outcome.payload_without_ins.empty());
}

TEST(AttachInsTest, QualifiedIdentityIsAttached) {
  FakeReader reader;
  const identity::Identity stored = PatTrois("IPP42", identity::QUALIFIED);
  reader.records[kKey] = stored;
  const std::string raw = Oru(Pid(kIpp42));
  AttachInsOutcome outcome = AttachOk(Envelope(raw), reader);
  ASSERT_EQ(outcome.kind, Kind::kAttached) << outcome.reason;
  EXPECT_EQ(outcome.patient, kKey);
  EXPECT_TRUE(MessageDifferencer::Equals(outcome.identity, stored));
  EXPECT_THAT(outcome.payload, HasSubstr(std::string(kInsRepetition)));
  EXPECT_EQ(PidField(outcome.payload, 3), std::string(kIpp42) + "~" + std::string(kInsRepetition));
  EXPECT_EQ(PidField(outcome.payload, 5), "PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L");
  EXPECT_EQ(PidField(outcome.payload, 7), "19790328");
  EXPECT_EQ(PidField(outcome.payload, 8), "F");
  EXPECT_EQ(PidField(outcome.payload, 11), "^^^^^^BDL^^63220");
  // Only the PID changed.
  EXPECT_EQ(WithoutPid(outcome.payload), WithoutPid(raw));
  EXPECT_TRUE(outcome.payload_without_ins.empty());
}

// A stored identity that cannot be written into a PID fails this document
// (InvalidArgument: dead), never the router (any other error: retried).
TEST(AttachInsTest, IdentityThatCannotBeWrittenFailsTheDocumentOnly) {
  FakeReader reader;
  identity::Identity stored = PatTrois("IPP42", identity::QUALIFIED);
  stored.mutable_traits()->set_birth_name("PAT\rTROIS");
  reader.records[kKey] = stored;
  auto outcome = AttachIns(Envelope(Oru(Pid(kIpp42))), reader, Environment::kTest);
  ASSERT_TRUE(absl::IsInvalidArgument(outcome.status())) << outcome.status();
  EXPECT_THAT(std::string(outcome.status().message()), HasSubstr("the INS cannot be attached"));
  EXPECT_THAT(std::string(outcome.status().message()), Not(HasSubstr("PAT")));
}

TEST(AttachInsTest, WritesTheTraitsADocumentLacks) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  // A document naming its patient by IPP only.
  AttachInsOutcome outcome = AttachOk(Envelope(Oru("PID|1||" + std::string(kIpp42))), reader);
  ASSERT_EQ(outcome.kind, Kind::kAttached) << outcome.reason;
  EXPECT_EQ(PidField(outcome.payload, 3), std::string(kIpp42) + "~" + std::string(kInsRepetition));
  EXPECT_EQ(PidField(outcome.payload, 5), "PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L");
  EXPECT_EQ(PidField(outcome.payload, 7), "19790328");
  EXPECT_EQ(PidField(outcome.payload, 8), "F");
  EXPECT_EQ(PidField(outcome.payload, 11), "^^^^^^BDL^^63220");
}

TEST(AttachInsTest, DocumentUnderAMergedIppGetsTheSurvivorsIdentity) {
  FakeReader reader;
  identity::Identity link = PatTrois("IPP17", identity::PROVISIONAL);
  link.clear_ins();
  link.set_merged_into(kKey);
  reader.records[kPriorKey] = link;
  const identity::Identity survivor = PatTrois("IPP42", identity::QUALIFIED);
  reader.records[kKey] = survivor;
  AttachInsOutcome outcome = AttachOk(Envelope(Oru(Pid(kIpp17))), reader);
  ASSERT_EQ(outcome.kind, Kind::kAttached) << outcome.reason;
  EXPECT_EQ(outcome.patient, kKey);
  EXPECT_TRUE(MessageDifferencer::Equals(outcome.identity, survivor));
  // The survivor's INS, next to the IPP the document was sent with.
  EXPECT_EQ(PidField(outcome.payload, 3), std::string(kIpp17) + "~" + std::string(kInsRepetition));
}

TEST(AttachInsTest, DocumentUnderAMergedIppParksUnderTheSurvivor) {
  FakeReader reader;
  identity::Identity link = PatTrois("IPP17", identity::QUALIFIED);
  link.set_merged_into(kKey);
  reader.records[kPriorKey] = link;
  reader.records[kKey] = PatTrois("IPP42", identity::PROVISIONAL);
  AttachInsOutcome outcome = AttachOk(Envelope(Oru(Pid(kIpp17))), reader);
  EXPECT_EQ(outcome.kind, Kind::kMissing);
  EXPECT_EQ(outcome.reason, "identity not qualified (provisional)");
  EXPECT_EQ(outcome.patient, kKey);
}

TEST(AttachInsTest, EmbeddedInsMatchingTheStoreIsRewrittenOnce) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  const std::string identifiers = std::string(kIpp42) + "~" + std::string(kSentIns);
  AttachInsOutcome outcome = AttachOk(Envelope(Oru(Pid(identifiers))), reader);
  ASSERT_EQ(outcome.kind, Kind::kAttached) << outcome.reason;
  EXPECT_EQ(PidField(outcome.payload, 3), std::string(kIpp42) + "~" + std::string(kInsRepetition));
}

TEST(AttachInsTest, EmbeddedInsWithAnotherBirthNameIsAMismatch) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  const std::string identifiers = std::string(kIpp42) + "~" + std::string(kSentIns);
  AttachInsOutcome outcome = AttachOk(
      Envelope(Oru(
          Pid(identifiers, "PAT-TRIOS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F|||^^^^^^BDL^^63220"))),
      reader);
  EXPECT_EQ(outcome.kind, Kind::kMismatch);
  EXPECT_THAT(outcome.reason, HasSubstr("birth name"));
  EXPECT_THAT(outcome.reason, Not(HasSubstr("first birth given name")));
  EXPECT_THAT(outcome.reason, Not(HasSubstr("PAT-TRIOS")));
  EXPECT_THAT(outcome.reason, Not(HasSubstr("PAT-TROIS")));
  EXPECT_TRUE(outcome.payload.empty());
}

TEST(AttachInsTest, EmbeddedInsWithAnotherMatriculeIsAMismatch) {
  FakeReader reader;
  identity::Identity stored = PatTrois("IPP42", identity::QUALIFIED);
  stored.mutable_ins()->set_matricule("279035121518997");
  reader.records[kKey] = stored;
  const std::string identifiers = std::string(kIpp42) + "~" + std::string(kSentIns);
  AttachInsOutcome outcome = AttachOk(Envelope(Oru(Pid(identifiers))), reader);
  EXPECT_EQ(outcome.kind, Kind::kMismatch);
  EXPECT_THAT(outcome.reason, HasSubstr("INS matricule"));
  EXPECT_THAT(outcome.reason, Not(HasSubstr("279035121518")));
}

TEST(AttachInsTest, EmbeddedInsOfAProvisionalIdentityIsStripped) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::PROVISIONAL);
  const std::string raw = Oru(Pid(std::string(kIpp42) + "~" + std::string(kSentIns)));
  AttachInsOutcome outcome = AttachOk(Envelope(raw), reader);
  EXPECT_EQ(outcome.kind, Kind::kMissing);
  EXPECT_EQ(outcome.reason, "identity not qualified (provisional)");
  EXPECT_EQ(outcome.patient, kKey);
  ASSERT_FALSE(outcome.payload_without_ins.empty());
  EXPECT_EQ(PidField(outcome.payload_without_ins, 3), kIpp42);
  EXPECT_THAT(PidSegment(outcome.payload_without_ins), Not(HasSubstr("^INS")));
  EXPECT_THAT(outcome.payload_without_ins, Not(HasSubstr("279035121518989")));
  // The rest of the PID and of the message are kept.
  EXPECT_EQ(PidField(outcome.payload_without_ins, 5), PidField(raw, 5));
  EXPECT_EQ(PidField(outcome.payload_without_ins, 11), PidField(raw, 11));
  EXPECT_EQ(WithoutPid(outcome.payload_without_ins), WithoutPid(raw));
}

TEST(AttachInsTest, EmbeddedInsOfAnUnknownPatientIsStripped) {
  FakeReader reader;
  const std::string raw = Oru(Pid(std::string(kIpp42) + "~" + std::string(kSentIns)));
  AttachInsOutcome outcome = AttachOk(Envelope(raw), reader);
  EXPECT_EQ(outcome.kind, Kind::kMissing);
  EXPECT_EQ(outcome.reason, "patient unknown to the identity store");
  EXPECT_EQ(PidField(outcome.payload_without_ins, 3), kIpp42);
}

TEST(AttachInsTest, Latin1DocumentStaysLatin1) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  // É in Latin-1, in the patient's address and in the report's name.
  const std::string raw =
      Oru(Pid(kIpp42,
              "PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F|||"
              "3 rue de l'\xC9glise^^CLERMONT-FERRAND^^63000^FRA^H~^^^^^^BDL^^63220"),
          "8859/1", "Compte rendu d'\xC9valuation");
  AttachInsOutcome outcome = AttachOk(Envelope(raw, "8859/1"), reader);
  ASSERT_EQ(outcome.kind, Kind::kAttached) << outcome.reason;
  EXPECT_THAT(outcome.payload, HasSubstr(std::string(kInsRepetition)));
  EXPECT_THAT(outcome.payload, HasSubstr("l'\xC9glise"));
  EXPECT_THAT(outcome.payload, HasSubstr("d'\xC9valuation"));
  EXPECT_THAT(outcome.payload, Not(HasSubstr("\xC3\x89")));
  EXPECT_THAT(outcome.payload, HasSubstr("|8859/1|"));
  EXPECT_EQ(WithoutPid(outcome.payload), WithoutPid(raw));
}

TEST(AttachInsTest, Latin1DocumentDeclaredByMsh18OverTheDefault) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  const std::string raw = Oru(Pid(kIpp42), "8859/1", "Compte rendu d'\xC9valuation");
  // The source default says UTF-8; MSH-18 says Latin-1 and wins.
  AttachInsOutcome outcome = AttachOk(Envelope(raw, "UNICODE UTF-8"), reader);
  ASSERT_EQ(outcome.kind, Kind::kAttached) << outcome.reason;
  EXPECT_THAT(outcome.payload, HasSubstr("d'\xC9valuation"));
  EXPECT_THAT(outcome.payload, Not(HasSubstr("\xC3\x89")));
}

TEST(AttachInsTest, BytesInvalidInTheCharsetAreRefused) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  // Latin-1 bytes in a message that says it is UTF-8.
  const std::string raw = Oru(Pid(kIpp42), "UNICODE UTF-8", "Compte rendu d'\xC9valuation");
  auto outcome = AttachIns(Envelope(raw), reader, Environment::kTest);
  EXPECT_TRUE(absl::IsInvalidArgument(outcome.status())) << outcome.status();
}

TEST(AttachInsTest, DocumentWithoutPidIsRefused) {
  FakeReader reader;
  const std::string raw =
      "MSH|^~\\&|SIL-Y|labo|PFI-X|Organisation-X|202106060931||ORU^R01^ORU_R01|015|P|2.5|||||"
      "FRA|UNICODE UTF-8\rOBR|1|98765431^Nephro\rOBX|1|ED\r";
  auto outcome = AttachIns(Envelope(raw), reader, Environment::kTest);
  EXPECT_TRUE(absl::IsInvalidArgument(outcome.status())) << outcome.status();
  EXPECT_THAT(outcome.status().message(), HasSubstr("PID"));
}

TEST(AttachInsTest, DocumentWithoutIppIsMissingWithNoPatient) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  AttachInsOutcome outcome = AttachOk(Envelope(Oru(Pid(""))), reader);
  EXPECT_EQ(outcome.kind, Kind::kMissing);
  EXPECT_EQ(outcome.patient, "");
  EXPECT_THAT(outcome.reason, HasSubstr("PID-3"));
  EXPECT_TRUE(outcome.payload_without_ins.empty());
}

// The ANS sample ORUs name the patient by the INS alone (no IPP in PID-3).
constexpr std::string_view kTestOid = "1.2.250.1.213.1.4.10";
constexpr std::string_view kMatricule = "279035121518989";
const std::string kInsParkKey = store::InsParkKey(kTestOid, kMatricule);

TEST(AttachInsTest, InsOnlyDocumentOfAQualifiedIdentityIsAttached) {
  FakeReader reader;
  const identity::Identity stored = PatTrois("IPP42", identity::QUALIFIED);
  reader.records[kKey] = stored;
  const std::string raw = Oru(Pid(kSentIns));
  AttachInsOutcome outcome = AttachOk(Envelope(raw), reader);
  ASSERT_EQ(outcome.kind, Kind::kAttached) << outcome.reason;
  EXPECT_TRUE(outcome.by_ins);
  EXPECT_TRUE(MessageDifferencer::Equals(outcome.identity, stored));
  // The INS as attach_ins writes it; the traits were already the store's.
  EXPECT_EQ(PidField(outcome.payload, 3), kInsRepetition);
  EXPECT_EQ(PidField(outcome.payload, 5), PidField(raw, 5));
  EXPECT_THAT(outcome.written_fields, ElementsAre("PID-3"));
  EXPECT_EQ(WithoutPid(outcome.payload), WithoutPid(raw));
}

TEST(AttachInsTest, InsOnlyDocumentGetsTheTraitsItLacks) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  AttachInsOutcome outcome = AttachOk(Envelope(Oru("PID|1||" + std::string(kSentIns))), reader);
  ASSERT_EQ(outcome.kind, Kind::kAttached) << outcome.reason;
  EXPECT_EQ(PidField(outcome.payload, 5), "PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L");
  EXPECT_EQ(PidField(outcome.payload, 11), "^^^^^^BDL^^63220");
  EXPECT_THAT(outcome.written_fields, ElementsAre("PID-3", "PID-5", "PID-7", "PID-8", "PID-11"));
}

TEST(AttachInsTest, InsOnlyDocumentOfAProvisionalIdentityWaitsUnderItsIns) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::PROVISIONAL);
  AttachInsOutcome outcome = AttachOk(Envelope(Oru(Pid(kSentIns))), reader);
  EXPECT_EQ(outcome.kind, Kind::kMissing);
  EXPECT_EQ(outcome.reason, "identity not qualified (provisional)");
  EXPECT_TRUE(outcome.by_ins);
  // Under the INS, which the update that qualifies the identity releases:
  // not under the IPP, which the document does not name.
  EXPECT_EQ(outcome.patient, kInsParkKey);
  // continue_without_ins sends it with no INS.
  ASSERT_FALSE(outcome.payload_without_ins.empty());
  EXPECT_THAT(PidSegment(outcome.payload_without_ins), Not(HasSubstr("^INS")));
}

TEST(AttachInsTest, InsOnlyDocumentOfAnUnknownInsWaitsUnderItsIns) {
  FakeReader reader;
  // A record with another INS is not the document's patient.
  identity::Identity other = PatTrois("IPP42", identity::QUALIFIED);
  other.mutable_ins()->set_matricule("180032B02040123");
  reader.records[kKey] = other;
  AttachInsOutcome outcome = AttachOk(Envelope(Oru(Pid(kSentIns))), reader);
  EXPECT_EQ(outcome.kind, Kind::kMissing);
  EXPECT_EQ(outcome.reason, "INS unknown to the identity store (no IPP in PID-3)");
  EXPECT_EQ(outcome.patient, kInsParkKey);
}

TEST(AttachInsTest, InsOnlyDocumentIsCheckedAgainstTheStoreAsAnIppOne) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  AttachInsOutcome outcome = AttachOk(
      Envelope(
          Oru(Pid(kSentIns, "PAT-TRIOS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F|||^^^^^^BDL^^63220"))),
      reader);
  EXPECT_EQ(outcome.kind, Kind::kMismatch);
  EXPECT_EQ(outcome.reason, "birth name (PID-5.1) differs from the identity store");
  EXPECT_TRUE(outcome.payload.empty());
}

TEST(AttachInsTest, InsOnlyDocumentFollowsAMergeToTheSurvivor) {
  FakeReader reader;
  // IPP17 carried the INS and was merged into IPP42, qualified with it.
  identity::Identity link = PatTrois("IPP17", identity::PROVISIONAL);
  link.set_merged_into(kKey);
  reader.records[kPriorKey] = link;
  const identity::Identity survivor = PatTrois("IPP42", identity::QUALIFIED);
  reader.records[kKey] = survivor;
  AttachInsOutcome outcome = AttachOk(Envelope(Oru(Pid(kSentIns))), reader);
  ASSERT_EQ(outcome.kind, Kind::kAttached) << outcome.reason;
  EXPECT_TRUE(MessageDifferencer::Equals(outcome.identity, survivor));
}

TEST(AttachInsTest, InsCarriedByTwoPatientsIsADuplicateThatWaits) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  reader.records[kPriorKey] = PatTrois("IPP17", identity::QUALIFIED);
  AttachInsOutcome outcome = AttachOk(Envelope(Oru(Pid(kSentIns))), reader);
  EXPECT_EQ(outcome.kind, Kind::kMissing);
  EXPECT_THAT(outcome.reason, HasSubstr("carried by 2 identities"));
  EXPECT_EQ(outcome.patient, kInsParkKey);
  EXPECT_TRUE(outcome.payload.empty());
}

TEST(AttachInsTest, InsOnlyDocumentWithAnInvalidInsIsRefused) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  // The key of the ANS test matricule is 89.
  auto wrong_key = AttachIns(
      Envelope(Oru(Pid("279035121518988^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS"))),
      reader, Environment::kTest);
  ASSERT_TRUE(absl::IsInvalidArgument(wrong_key.status())) << wrong_key.status();
  EXPECT_THAT(wrong_key.status().message(), HasSubstr("PID-3[1]"));
  EXPECT_THAT(wrong_key.status().message(), HasSubstr("key does not match"));
  EXPECT_THAT(wrong_key.status().message(), Not(HasSubstr("27903512151898")));
  // The test OID is refused in production.
  auto production = AttachIns(Envelope(Oru(Pid(kSentIns))), reader, Environment::kProduction);
  ASSERT_TRUE(absl::IsInvalidArgument(production.status())) << production.status();
  EXPECT_THAT(production.status().message(), HasSubstr("refused in production"));
  EXPECT_EQ(reader.reads, 0);  // never looked up
}

// The history says which fields the step wrote, never what it wrote.
TEST(AttachInsTest, DescriptionNamesTheFieldsWrittenNotTheirValues) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  AttachInsOutcome by_ipp = AttachOk(Envelope(Oru("PID|1||" + std::string(kIpp42))), reader);
  ASSERT_EQ(by_ipp.kind, Kind::kAttached) << by_ipp.reason;
  const std::string described = DescribeAttached(by_ipp);
  EXPECT_EQ(described, "INS and traits written into PID-3, PID-5, PID-7, PID-8, PID-11");
  for (std::string_view value : {"279035121518989", "PAT-TROIS", "DOMINIQUE", "19790328", "63220",
                                 "IPP42", "1.2.250.1.213.1.4.10"}) {
    EXPECT_THAT(described, Not(HasSubstr(std::string(value))));
  }

  AttachInsOutcome by_ins = AttachOk(Envelope(Oru(Pid(kSentIns))), reader);
  EXPECT_EQ(DescribeAttached(by_ins),
            "patient found by its INS; INS and traits written into PID-3");

  // Attached again: the document already says all the store says.
  AttachInsOutcome again = AttachOk(Envelope(by_ipp.payload), reader);
  ASSERT_EQ(again.kind, Kind::kAttached) << again.reason;
  EXPECT_TRUE(again.written_fields.empty());
  EXPECT_THAT(DescribeAttached(again), HasSubstr("nothing written"));
}

// The ANS sample ORU as published: PID-3 holds the test INS and no IPP.
TEST(AttachInsTest, CorpusOruIsResolvedByItsIns) {
  std::ifstream file(std::string(NAVETTE_FIXTURES_DIR) + "/hl7/oru_r01_cr_bio_init.hl7",
                     std::ios::binary);
  const std::string raw{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  ASSERT_NE(raw.find("PID|||279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10"),
            std::string::npos);
  FakeReader reader;
  EXPECT_EQ(AttachOk(Envelope(raw), reader).patient, kInsParkKey);
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  AttachInsOutcome outcome = AttachOk(Envelope(raw), reader);
  ASSERT_EQ(outcome.kind, Kind::kAttached) << outcome.reason;
  EXPECT_TRUE(outcome.by_ins);
  EXPECT_THAT(outcome.written_fields, ElementsAre("PID-3"));  // its INS's CX.7 dropped
  EXPECT_THAT(outcome.payload, HasSubstr(std::string(kInsRepetition)));
}

TEST(AttachInsTest, ReaderErrorsPropagate) {
  FakeReader reader;
  reader.error = absl::UnavailableError("store is closed");
  auto outcome = AttachIns(Envelope(Oru(Pid(kIpp42))), reader, Environment::kTest);
  EXPECT_TRUE(absl::IsUnavailable(outcome.status())) << outcome.status();

  FakeReader looped;
  identity::Identity a = PatTrois("IPP42", identity::QUALIFIED);
  a.set_merged_into(kPriorKey);
  identity::Identity b = PatTrois("IPP17", identity::QUALIFIED);
  b.set_merged_into(kKey);
  looped.records[kKey] = a;
  looped.records[kPriorKey] = b;
  EXPECT_FALSE(AttachIns(Envelope(Oru(Pid(kIpp42))), looped, Environment::kTest).ok());
}

TEST(AttachInsTest, SameDocumentSameOutcome) {
  FakeReader reader;
  reader.records[kKey] = PatTrois("IPP42", identity::QUALIFIED);
  const navette::Envelope envelope = Envelope(Oru(Pid(kIpp42)));
  AttachInsOutcome first = AttachOk(envelope, reader);
  AttachInsOutcome second = AttachOk(envelope, reader);
  EXPECT_EQ(first.payload, second.payload);
  // Attaching to the attached document changes nothing more.
  AttachInsOutcome again = AttachOk(Envelope(first.payload), reader);
  ASSERT_EQ(again.kind, Kind::kAttached) << again.reason;
  EXPECT_EQ(again.payload, first.payload);
}

}  // namespace
}  // namespace navette::routes::ins
