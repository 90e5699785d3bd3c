// Acceptance 2 of issue 13: each contract violation gets its ACK code, its
// table 0357 condition (ERR-3), its place (ERR-2) and a reason naming segment
// and field. Each case edits one field of a conforming corpus sample, so the
// sample itself is the control: it passes before the edit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "adapters/documents/contract.h"
#include "adapters/documents/contract_test_support.h"
#include "adapters/hl7v2/ack.h"

namespace navette::adapters::documents {
namespace {

using hl7v2::AckCode;
using hl7v2::FieldPath;
using hl7v2::Message;
using ::testing::HasSubstr;
using testing::kMdmDir;
using testing::kOruDir;
using testing::Sample;
using testing::ViolationAt;

Message Parsed(const std::string& raw) {
  auto message = Message::Parse(raw);
  EXPECT_TRUE(message.ok()) << message.status();
  return message.ok() ? *std::move(message) : Message();
}

Message FullOru() {
  return Parsed(
      Sample(kOruDir, "Remplacement_ORU/message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7"));
}

Message FullMdm() { return Parsed(Sample(kMdmDir, "message_MDM_CR_Radio_INIT_N1_Base64.er7")); }

FieldPath At(std::string_view segment, int occurrence, int field, int component = 0) {
  FieldPath path = FieldPath::Of(std::string(segment), field, 1, component);
  path.segment_index = occurrence;
  return path;
}

void SetRaw(Message& message, std::string_view segment, int occurrence, int field,
            std::string_view raw) {
  ASSERT_TRUE(message.SetRaw(At(segment, occurrence, field), raw).ok());
}

void RemoveFirst(Message& message, std::string_view id, std::string_view role) {
  for (size_t i = 0; i < message.segment_count(); ++i) {
    if (message.segment_id(i) != id) continue;
    ASSERT_TRUE(message.RemoveSegment(i).ok());
    return;
  }
  ADD_FAILURE() << "no " << id << " " << role;
}

// The sample, unchanged, conforms: every case below breaks exactly one rule.
TEST(ContractViolationsTest, TheSamplesConform) {
  EXPECT_TRUE(ReadDocument(FullOru(), Profile::kSgl).ok());
  EXPECT_TRUE(ReadDocument(FullMdm(), Profile::kRis).ok());
}

TEST(ContractViolationsTest, ResultStatusCorrectedWithANewOrder) {
  Message message = FullOru();  // OBX-11 C in both document OBX
  SetRaw(message, "ORC", 1, 1, "NW");
  ContractResult result = ReadDocument(message, Profile::kSgl);
  ASSERT_EQ(result.violations.size(), 2u);
  const Violation* violation = ViolationAt(result, "OBX^1^11");
  ASSERT_NE(violation, nullptr);
  EXPECT_EQ(violation->ack, AckCode::kAR);
  EXPECT_EQ(violation->condition, 207);
  EXPECT_EQ(violation->application_code, 906);
  EXPECT_THAT(violation->reason, HasSubstr("OBX[1]-11 (result status) C means replace"));
  EXPECT_THAT(violation->reason, HasSubstr("ORC-1 (order control) NW means create"));
  EXPECT_NE(ViolationAt(result, "OBX^2^11"), nullptr);
  // The record still says what was read: the action of ORC-1.
  EXPECT_EQ(result.record.action(), navette::document::CREATE);
}

TEST(ContractViolationsTest, MdmEventDisagreesWithTheResultStatus) {
  Message message = FullMdm();  // ORC-1 NW, OBX-11 F
  SetRaw(message, "MSH", 1, 9, "MDM^T04^MDM_T02");
  SetRaw(message, "ORC", 1, 1, "CA");
  ContractResult result = ReadDocument(message, Profile::kRis);
  ASSERT_EQ(result.violations.size(), 1u);
  EXPECT_EQ(result.violations[0].location, "OBX^1^11");
  EXPECT_EQ(result.violations[0].condition, 207);
  EXPECT_THAT(result.violations[0].reason, HasSubstr("the event T04 means delete"));
}

TEST(ContractViolationsTest, MdmReplacementWithoutParent) {
  Message message = FullMdm();
  SetRaw(message, "MSH", 1, 9, "MDM^T10^MDM_T02");
  SetRaw(message, "ORC", 1, 1, "RO");
  SetRaw(message, "OBX", 1, 11, "C");
  ContractResult result = ReadDocument(message, Profile::kRis);
  ASSERT_EQ(result.violations.size(), 1u);
  const Violation& violation = result.violations[0];
  EXPECT_EQ(violation.ack, AckCode::kAR);
  EXPECT_EQ(violation.condition, 101);
  EXPECT_EQ(violation.application_code, 0);
  EXPECT_EQ(violation.location, "TXA^1^13");
  EXPECT_THAT(violation.reason, HasSubstr("TXA-13 (parent document number)"));
  EXPECT_THAT(violation.reason, HasSubstr("MDM^T10"));

  // With the parent named, the same replacement conforms.
  SetRaw(message, "TXA", 1, 13, "1.2.250.1.71.4.2.2.120456789.71024000080");
  ContractResult named = ReadDocument(message, Profile::kRis);
  EXPECT_TRUE(named.ok()) << named.violations.front().reason;
  EXPECT_EQ(named.record.action(), navette::document::REPLACE);
  EXPECT_EQ(named.record.parent_document_id(), "1.2.250.1.71.4.2.2.120456789.71024000080");
}

TEST(ContractViolationsTest, DmpWithoutSender) {
  Message message = FullOru();
  RemoveFirst(message, "PRT", "SB");  // the first PRT is the SB
  ContractResult result = ReadDocument(message, Profile::kSgl);
  ASSERT_EQ(result.violations.size(), 1u);
  const Violation& violation = result.violations[0];
  EXPECT_EQ(violation.ack, AckCode::kAR);
  EXPECT_EQ(violation.condition, 100);
  EXPECT_EQ(violation.location, "OBX^8^5");  // DESTDMP
  EXPECT_THAT(violation.reason, HasSubstr("DESTDMP=Y"));
  EXPECT_THAT(violation.reason, HasSubstr("PRT-4 SB"));
}

TEST(ContractViolationsTest, PatientRecipientOfADocumentInvisibleToThePatient) {
  Message message = FullOru();                                 // DESTMSSANTEPAT=Y (OBX 10)
  SetRaw(message, "OBX", 4, 5, "Y^^expandedYes-NoIndicator");  // INVISIBLE_PATIENT
  ContractResult result = ReadDocument(message, Profile::kSgl);
  ASSERT_EQ(result.violations.size(), 1u);
  const Violation& violation = result.violations[0];
  EXPECT_EQ(violation.ack, AckCode::kAR);
  EXPECT_EQ(violation.condition, 207);
  EXPECT_EQ(violation.application_code, 906);
  EXPECT_EQ(violation.location, "OBX^10^5");
  EXPECT_THAT(violation.reason, HasSubstr("DESTMSSANTEPAT=Y"));
  EXPECT_THAT(violation.reason, HasSubstr("INVISIBLE_PATIENT=Y"));
}

TEST(ContractViolationsTest, ProfessionalRecipientsOfADocumentMaskedFromProfessionals) {
  Message message = FullOru();                                 // DESTMSSANTEPS=Y (OBX 9)
  SetRaw(message, "OBX", 3, 5, "Y^^expandedYes-NoIndicator");  // MASQUE_PS
  ContractResult result = ReadDocument(message, Profile::kSgl);
  ASSERT_EQ(result.violations.size(), 1u);
  const Violation& violation = result.violations[0];
  EXPECT_EQ(violation.ack, AckCode::kAR);
  EXPECT_EQ(violation.condition, 207);
  EXPECT_EQ(violation.application_code, 906);
  EXPECT_EQ(violation.location, "OBX^9^5");
  EXPECT_THAT(violation.reason, HasSubstr("MASQUE_PS=Y forbids"));
}

TEST(ContractViolationsTest, PatientRecipientOfAConfidentialStay) {
  Message message = FullOru();                                 // DESTMSSANTEPAT=Y (OBX 10)
  SetRaw(message, "OBX", 6, 5, "Y^^expandedYes-NoIndicator");  // CONNEXION_SECRETE
  ContractResult result = ReadDocument(message, Profile::kSgl);
  ASSERT_EQ(result.violations.size(), 1u);
  const Violation& violation = result.violations[0];
  EXPECT_EQ(violation.condition, 207);
  EXPECT_EQ(violation.location, "OBX^10^5");
  EXPECT_THAT(violation.reason, HasSubstr("CONNEXION_SECRETE=Y forbids"));
}

TEST(ContractViolationsTest, DocumentThatIsNotBase64) {
  Message message = FullOru();
  SetRaw(message, "OBX", 2, 5, "^TEXT^XML^Base64^PENsaW5p*Y2Fs");
  ContractResult result = ReadDocument(message, Profile::kSgl);
  ASSERT_EQ(result.violations.size(), 1u);
  const Violation& violation = result.violations[0];
  EXPECT_EQ(violation.ack, AckCode::kAR);
  EXPECT_EQ(violation.condition, 102);
  EXPECT_EQ(violation.location, "OBX^2^5");
  EXPECT_THAT(violation.reason, HasSubstr("OBX[2]-5.5 (document data) is not valid base64"));
}

TEST(ContractViolationsTest, DocumentThatIsNotXml) {
  Message message = FullMdm();
  SetRaw(message, "OBX", 1, 5,
         "^text^XML^Base64^" + absl::Base64Escape("<ClinicalDocument><component>"));
  ContractResult result = ReadDocument(message, Profile::kRis);
  ASSERT_EQ(result.violations.size(), 1u);
  EXPECT_EQ(result.violations[0].ack, AckCode::kAR);
  EXPECT_EQ(result.violations[0].condition, 102);
  EXPECT_EQ(result.violations[0].location, "OBX^1^5");
  EXPECT_THAT(result.violations[0].reason, HasSubstr("OBX[1]-5.5 (document data)"));
  EXPECT_THAT(result.violations[0].reason, HasSubstr("not XML"));
}

// OBX-5's components are read in any case: the ORU samples write TEXT, the
// MDM ones text.
TEST(ContractViolationsTest, EncapsulatedDataTypeInAnyCase) {
  Message message = FullOru();
  auto first = message.GetRaw(At("OBX", 1, 5, 5));
  ASSERT_TRUE(first.has_value());
  SetRaw(message, "OBX", 1, 5, "^text^xml^BASE64^" + *first);
  EXPECT_TRUE(ReadDocument(message, Profile::kSgl).ok());
  SetRaw(message, "OBX", 1, 5, "^text^xml^Hex^" + *first);
  ContractResult hex = ReadDocument(message, Profile::kSgl);
  ASSERT_EQ(hex.violations.size(), 1u);
  EXPECT_THAT(hex.violations[0].reason, HasSubstr("OBX[1]-5.4 (encoding)"));
}

// The dpi profile takes a PDF alone for a discharge letter; ris does not,
// and dpi does not for other types.
TEST(ContractViolationsTest, PdfAloneFromTheDpiOnlyForItsTypes) {
  Message message = FullMdm();
  std::string pdf = "%PDF-1.4\n% letter\n";
  SetRaw(message, "OBX", 1, 5, "^Application^PDF^Base64^" + absl::Base64Escape(pdf));
  SetRaw(message, "TXA", 1, 2, "11490-0");
  SetRaw(message, "OBR", 1, 4, "11490-0^Lettre de liaison^LN");
  SetRaw(message, "OBX", 1, 3, "11490-0^Lettre de liaison^LN");
  ContractResult letter = ReadDocument(message, Profile::kDpi);
  EXPECT_TRUE(letter.ok()) << letter.violations.front().reason;
  ASSERT_EQ(letter.record.parts_size(), 1);
  EXPECT_EQ(letter.record.parts(0).kind(), navette::document::Part::PDF);
  EXPECT_EQ(letter.record.parts(0).media_type(), "application/pdf");
  EXPECT_EQ(letter.record.parts(0).content(), pdf);
  EXPECT_EQ(letter.record.type().display(), "Lettre de liaison");

  ContractResult from_ris = ReadDocument(message, Profile::kRis);
  ASSERT_FALSE(from_ris.ok());
  EXPECT_NE(ViolationAt(from_ris, "OBX^1^5"), nullptr);

  SetRaw(message, "TXA", 1, 2, "18748-4");
  ContractResult image = ReadDocument(message, Profile::kDpi);
  ASSERT_EQ(image.violations.size(), 1u);
  EXPECT_EQ(image.violations[0].location, "TXA^1^2");
  EXPECT_EQ(image.violations[0].condition, 103);
}

TEST(ContractViolationsTest, OtherMessagesAreRejected) {
  Message message = FullOru();
  SetRaw(message, "MSH", 1, 9, "ADT^A01^ADT_A01");
  ContractResult result = ReadDocument(message, Profile::kDpi);
  ASSERT_EQ(result.violations.size(), 1u);
  EXPECT_EQ(result.violations[0].condition, 200);
  EXPECT_EQ(result.violations[0].location, "MSH^1^9");
}

// The violation becomes the ERR of the ACK: ERR-2, ERR-3, ERR-5, ERR-8.
TEST(ContractViolationsTest, ViolationMakesTheAckError) {
  Violation violation{AckCode::kAR, 207, 906, "OBX^1^11", "OBX[1]-11 (result status)"};
  hl7v2::AckError error = AckErrorOf(violation);
  navette::Hl7Header original;
  original.set_encoding_characters("|^~\\&");
  original.set_message_type("ORU^R01^ORU_R01");
  std::string ack =
      hl7v2::BuildAck(&original, AckCode::kAR, &error, "ACK1", std::chrono::system_clock::now());
  auto parsed = hl7v2::ParseAck(ack);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->code, "AR");
  EXPECT_EQ(parsed->condition_code, 207);
  EXPECT_EQ(parsed->location, "OBX^1^11");
  EXPECT_EQ(parsed->application_code, "906");
  EXPECT_EQ(parsed->severity, "E");
}

}  // namespace
}  // namespace navette::adapters::documents
