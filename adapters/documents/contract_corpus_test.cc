// Acceptance 1 of issue 13: every ORU and MDM sample of the ANS corpus
// (tests/fixtures/hl7/corpus, origin in tests/fixtures/hl7/ORIGIN.md) read
// into the canonical record, field by field.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/documents/contract.h"
#include "adapters/documents/contract_test_support.h"

namespace navette::adapters::documents {
namespace {

using navette::document::Part;
using navette::document::Participant;
using ::testing::ElementsAre;
using testing::ExpectTestPatient;
using testing::FlagString;
using ::testing::HasSubstr;
using testing::kMdmDir;
using testing::kOruDir;
using testing::ReferenceDocuments;
using testing::Sample;
using testing::ViolationAt;

constexpr std::string_view kMailPsStart = "Cher confrère, vous trouverez ci-joint le CR d’imagerie";

// What the five ORU samples share: the lab SIL-Y's header, encounter,
// participants and mail body.
void ExpectOruCommon(const navette::document::Document& record) {
  EXPECT_EQ(record.profile(), "sgl");
  EXPECT_EQ(record.message_type(), "ORU^R01^ORU_R01");
  EXPECT_EQ(record.control_id(), "015");
  EXPECT_EQ(record.sending_application(), "SIL-Y");
  EXPECT_EQ(record.sending_facility(), "labo");
  ExpectTestPatient(record.patient());
  EXPECT_EQ(record.encounter().patient_class(), "I");
  EXPECT_EQ(record.encounter().assigned_location(), "UFNEPH");
  EXPECT_EQ(record.encounter().visit_number(), "000897406");
  EXPECT_EQ(record.encounter().visit_authority(), "AUT-AFFECTATION&120456789&M");
  EXPECT_EQ(record.type().code(), "11502-2");
  EXPECT_EQ(record.type().display(), "CR d'examens biologiques");
  EXPECT_EQ(record.type().system(), "LN");

  ASSERT_EQ(record.participants_size(), 4);
  const Participant& sender = record.participants(0);
  EXPECT_EQ(sender.role(), Participant::SENDER);
  EXPECT_EQ(sender.person().id().id(), "801234567866");
  EXPECT_EQ(sender.person().id().authority_oid(), "1.2.250.1.71.4.2.1");
  EXPECT_EQ(sender.person().id().type(), "IDNPS");
  EXPECT_EQ(sender.person().family(), "DIAZ");
  EXPECT_EQ(sender.person().given(), "Thierry");
  EXPECT_EQ(sender.organization().name(), "labo");
  EXPECT_EQ(sender.organization().id().id(), "1120459876");
  EXPECT_EQ(sender.organization().id().authority_oid(), "1.2.250.1.71.4.2.2");
  EXPECT_EQ(sender.organization().id().type(), "FINEG");
  const Participant& professional = record.participants(1);
  EXPECT_EQ(professional.role(), Participant::RECIPIENT);
  EXPECT_EQ(professional.person().id().id(), "801234567897");
  EXPECT_EQ(professional.person().family(), "Hoda");
  EXPECT_EQ(professional.address(), "adam.hoda@test-ci-sis.mssante.fr");
  EXPECT_FALSE(professional.is_patient());
  const Participant& patient = record.participants(2);
  EXPECT_EQ(patient.role(), Participant::RECIPIENT);
  EXPECT_EQ(patient.person().id().id(), "279035121518989");
  EXPECT_EQ(patient.person().id().authority_oid(), "1.2.250.1.213.1.4.10");
  EXPECT_EQ(patient.person().id().type(), "INS");
  EXPECT_EQ(patient.address(), "279035121518989@patient.mssante.fr");
  EXPECT_TRUE(patient.is_patient());
  const Participant& reply = record.participants(3);
  EXPECT_EQ(reply.role(), Participant::REPLY_TO);
  EXPECT_EQ(reply.address(), "adam.hoda@test-ci-sis.mssante.fr");
  EXPECT_FALSE(reply.has_person());

  // The samples' CORPSMAIL_PS is cut at 93 characters: what decodes is kept
  // and the cut is noted, naming the field.
  EXPECT_THAT(record.mail_body_ps(), ::testing::StartsWith(kMailPsStart));
  EXPECT_EQ(record.mail_body_ps(),
            "Cher confrère, vous trouverez ci-joint le CR d’imagerie de M.Dupon");
  EXPECT_TRUE(record.mail_body_patient().empty());
  ASSERT_EQ(record.notes_size(), 1);
  EXPECT_THAT(record.notes(0), HasSubstr("OBX[13]-5.5 (CORPSMAIL_PS)"));
}

// A full sample: the N1 and the N3, each the decoded base64 of its OBX.
void ExpectFullOruParts(const std::string& raw, const ContractResult& result) {
  EXPECT_TRUE(result.ok()) << result.violations.front().reason;
  const auto& record = result.record;
  std::vector<std::string> reference = ReferenceDocuments(raw);
  ASSERT_EQ(reference.size(), 2u);
  ASSERT_EQ(record.parts_size(), 2);
  EXPECT_EQ(record.parts(0).kind(), Part::CDA_N1);
  EXPECT_EQ(record.parts(1).kind(), Part::CDA_N3);
  EXPECT_EQ(record.parts(0).location(), "OBX[1]-5");
  EXPECT_EQ(record.parts(1).location(), "OBX[2]-5");
  EXPECT_EQ(record.parts(0).media_type(), "text/xml");
  EXPECT_EQ(record.parts(0).content(), reference[0]);
  EXPECT_EQ(record.parts(1).content(), reference[1]);
  EXPECT_GT(record.parts(1).content().size(), 100000u);
  // No TXA in an ORU: the id is the first CDA's ClinicalDocument/id.
  EXPECT_EQ(record.document_id(), "1.2.250.1.213.1.1.12");
}

// A short sample: its document OBX carry a placeholder text, not a CDA. The
// record is read all the same; the contract refuses each part as not XML.
void ExpectPlaceholderParts(const ContractResult& result) {
  ASSERT_EQ(result.record.parts_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(result.record.parts(i).kind(), Part::KIND_UNSPECIFIED);
    EXPECT_EQ(result.record.parts(i).content(), "Document medcial au format CDA niveau 1");
  }
  ASSERT_EQ(result.violations.size(), 2u);
  for (std::string_view location : {"OBX^1^5", "OBX^2^5"}) {
    const Violation* violation = ViolationAt(result, location);
    ASSERT_NE(violation, nullptr);
    EXPECT_EQ(violation->ack, hl7v2::AckCode::kAR);
    EXPECT_EQ(violation->condition, 102);
    EXPECT_THAT(violation->reason, HasSubstr("not XML"));
  }
}

TEST(ContractCorpusTest, OruInitialN1N3) {
  std::string raw = Sample(kOruDir, "Transmission_initiale_ORU/message_ORU_CR_Bio_INIT_N1_N3.hl7");
  ContractResult result = ReadDocument(raw, Profile::kSgl);
  ExpectOruCommon(result.record);
  EXPECT_EQ(result.record.action(), navette::document::CREATE);
  EXPECT_EQ(FlagString(result.record.flags()), "NNNNNYYYYY");
  ExpectPlaceholderParts(result);
}

TEST(ContractCorpusTest, OruReplacementN1N3) {
  std::string raw = Sample(kOruDir, "Remplacement_ORU/message_ORU_CR_Bio_RPLC_N1_N3.er7");
  ContractResult result = ReadDocument(raw, Profile::kSgl);
  ExpectOruCommon(result.record);
  EXPECT_EQ(result.record.action(), navette::document::REPLACE);
  EXPECT_EQ(FlagString(result.record.flags()), "NNNNNYYYNN");
  ExpectPlaceholderParts(result);
}

TEST(ContractCorpusTest, OruReplacementFullBase64) {
  std::string raw =
      Sample(kOruDir, "Remplacement_ORU/message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7");
  ContractResult result = ReadDocument(raw, Profile::kSgl);
  ExpectOruCommon(result.record);
  EXPECT_EQ(result.record.action(), navette::document::REPLACE);
  EXPECT_EQ(FlagString(result.record.flags()), "NNNNNYYYNN");
  ExpectFullOruParts(raw, result);
}

TEST(ContractCorpusTest, OruDeletionN1N3) {
  std::string raw = Sample(kOruDir, "Suppression_ORU/message_ORU_CR_Bio_DEL_N1_N3.er7");
  ContractResult result = ReadDocument(raw, Profile::kSgl);
  ExpectOruCommon(result.record);
  EXPECT_EQ(result.record.action(), navette::document::DELETE);
  EXPECT_EQ(FlagString(result.record.flags()), "NNNNNYYYNN");
  ExpectPlaceholderParts(result);
}

TEST(ContractCorpusTest, OruDeletionFullBase64) {
  std::string raw =
      Sample(kOruDir, "Suppression_ORU/message_ORU_CR_Bio_DEL_N1_Base64_N3_Base64.er7");
  ContractResult result = ReadDocument(raw, Profile::kSgl);
  ExpectOruCommon(result.record);
  EXPECT_EQ(result.record.action(), navette::document::DELETE);
  EXPECT_EQ(FlagString(result.record.flags()), "NNNNNYYYNN");
  ExpectFullOruParts(raw, result);
}

// What the two MDM samples share: the RIS's header, TXA and participants.
void ExpectMdmCommon(const navette::document::Document& record) {
  EXPECT_EQ(record.profile(), "ris");
  EXPECT_EQ(record.message_type(), "MDM^T02^MDM_T02");
  EXPECT_EQ(record.control_id(), "015");
  EXPECT_EQ(record.sending_application(), "RIS-Y");
  EXPECT_EQ(record.sending_facility(), "Organisation-Y");
  ExpectTestPatient(record.patient());
  EXPECT_EQ(record.encounter().visit_number(), "000897406");
  EXPECT_EQ(record.action(), navette::document::CREATE);
  EXPECT_EQ(record.type().code(), "18748-4");
  EXPECT_EQ(record.type().display(), "CR d'imagerie médicale");
  EXPECT_EQ(record.type().system(), "LN");
  EXPECT_EQ(record.effective_time(), "202212160932");
  EXPECT_EQ(record.document_id(), "1.2.250.1.71.4.2.2.120456789.71024000081");
  EXPECT_EQ(record.parent_document_id(), "");
  EXPECT_EQ(FlagString(record.flags()), "NYYYNYYNNN");

  ASSERT_EQ(record.participants_size(), 2);
  const Participant& sender = record.participants(0);
  EXPECT_EQ(sender.role(), Participant::SENDER);
  EXPECT_EQ(sender.person().id().id(), "801234564895");
  EXPECT_EQ(sender.person().id().type(), "IDNPS");
  EXPECT_EQ(sender.person().family(), "Eric");
  EXPECT_EQ(sender.organization().name(), "Organisation-Y");
  // The sample pads the FINESS with no-break spaces (U+00A0); they are not
  // part of the id.
  EXPECT_EQ(sender.organization().id().id(), "300017985");
  EXPECT_EQ(sender.organization().id().type(), "FINEG");
  const Participant& recipient = record.participants(1);
  EXPECT_EQ(recipient.role(), Participant::RECIPIENT);
  EXPECT_EQ(recipient.person().id().id(), "801234567897");
  EXPECT_EQ(recipient.address(), "adam.hoda@test-ci-sis.mssante.fr");
  EXPECT_FALSE(recipient.is_patient());

  // The MDM's mail body is whole.
  EXPECT_EQ(record.mail_body_ps(),
            "Cher confrère, vous trouverez ci-joint le CR d’imagerie de M.Dupont");
  EXPECT_EQ(record.notes_size(), 0);
}

TEST(ContractCorpusTest, MdmInitialN1FullBase64) {
  std::string raw = Sample(kMdmDir, "message_MDM_CR_Radio_INIT_N1_Base64.er7");
  ContractResult result = ReadDocument(raw, Profile::kRis);
  EXPECT_TRUE(result.ok()) << result.violations.front().reason;
  ExpectMdmCommon(result.record);
  std::vector<std::string> reference = ReferenceDocuments(raw);
  ASSERT_EQ(reference.size(), 1u);
  ASSERT_EQ(result.record.parts_size(), 1);
  EXPECT_EQ(result.record.parts(0).kind(), Part::CDA_N1);
  EXPECT_EQ(result.record.parts(0).content(), reference[0]);
  EXPECT_THAT(result.record.parts(0).content(), ::testing::StartsWith("<ClinicalDocument"));
}

TEST(ContractCorpusTest, MdmInitialN1Placeholder) {
  std::string raw = Sample(kMdmDir, "message_MDM_CR_Radio_INIT_N1.er7");
  ContractResult result = ReadDocument(raw, Profile::kRis);
  ExpectMdmCommon(result.record);
  ASSERT_EQ(result.record.parts_size(), 1);
  EXPECT_EQ(result.record.parts(0).content(), "Document medcial au format CDA niveau 1");
  ASSERT_EQ(result.violations.size(), 1u);
  EXPECT_EQ(result.violations[0].location, "OBX^1^5");
  EXPECT_EQ(result.violations[0].condition, 102);
  EXPECT_THAT(result.violations[0].reason, HasSubstr("OBX[1]-5.5"));
  EXPECT_THAT(result.violations[0].reason, HasSubstr("not XML"));
}

// The dpi profile takes every sample's document type; ris and sgl only
// their own.
TEST(ContractCorpusTest, ProfilesTakeTheirOwnTypes) {
  std::string oru =
      Sample(kOruDir, "Remplacement_ORU/message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7");
  std::string mdm = Sample(kMdmDir, "message_MDM_CR_Radio_INIT_N1_Base64.er7");
  EXPECT_TRUE(ReadDocument(oru, Profile::kDpi).ok());
  EXPECT_TRUE(ReadDocument(mdm, Profile::kDpi).ok());
  ContractResult lab_as_ris = ReadDocument(oru, Profile::kRis);
  ASSERT_EQ(lab_as_ris.violations.size(), 1u);
  EXPECT_EQ(lab_as_ris.violations[0].location, "OBR^1^4");
  EXPECT_EQ(lab_as_ris.violations[0].condition, 103);
  ContractResult image_as_sgl = ReadDocument(mdm, Profile::kSgl);
  ASSERT_EQ(image_as_sgl.violations.size(), 1u);
  EXPECT_EQ(image_as_sgl.violations[0].location, "TXA^1^2");
}

}  // namespace
}  // namespace navette::adapters::documents
