// Every message of the ANS sample corpus (tests/fixtures/hl7/corpus/, see
// tests/fixtures/hl7/ORIGIN.md) through the codec: parsed, serialized back to
// the same bytes, decoded per MSH-18 and encoded back to the same bytes.
#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/message.h"
#include "adapters/hl7v2/message_view.h"
#include "adapters/hl7v2/test_fixtures.h"

namespace navette::adapters::hl7v2 {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::StartsWith;

using testing::ReadHl7Fixture;

const std::filesystem::path kCorpus = std::filesystem::path(NAVETTE_FIXTURES_DIR) / "hl7/corpus";

// Paths relative to the corpus directory, sorted.
std::vector<std::string> CorpusFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kCorpus)) {
    if (entry.is_regular_file()) {
      files.push_back(std::filesystem::relative(entry.path(), kCorpus).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

Message Load(std::string_view file) {
  auto message = Message::Parse(ReadHl7Fixture("corpus/" + std::string(file)));
  EXPECT_TRUE(message.ok()) << file << ": " << message.status();
  return message.ok() ? *std::move(message) : Message();
}

std::string Value(const Message& message, std::string_view path) {
  auto value = message.Get(path);
  EXPECT_TRUE(value.ok()) << value.status();
  return value.value_or("<missing>");
}

TEST(CorpusRoundTripTest, EveryMessageComesBackByteForByte) {
  std::vector<std::string> files = CorpusFiles();
  ASSERT_EQ(files.size(), 20u) << "the corpus copy is incomplete";
  std::map<Charset, int> charsets;
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    std::string raw = ReadHl7Fixture("corpus/" + file);
    auto message = Message::Parse(raw);
    ASSERT_TRUE(message.ok()) << message.status();
    EXPECT_EQ(message->Serialize(), raw);
    auto view = MessageView::Parse(raw);
    ASSERT_TRUE(view.ok()) << view.status();
    EXPECT_EQ(message->segment_count(), view->segment_count());

    auto decoded = DecodeMessage(raw, "UNICODE UTF-8");
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    ++charsets[decoded->charset];
    auto encoded = EncodeFromUtf8(decoded->text, decoded->charset);
    ASSERT_TRUE(encoded.ok()) << encoded.status();
    EXPECT_EQ(*encoded, raw);
    auto from_text = Message::Parse(decoded->text);
    ASSERT_TRUE(from_text.ok()) << from_text.status();
    EXPECT_EQ(from_text->Serialize(), decoded->text);
  }
  // Two ACKs declare 8859/15 (and are ASCII); the rest UTF-8.
  EXPECT_EQ(charsets[Charset::kUtf8], 18);
  EXPECT_EQ(charsets[Charset::kLatin9], 2);
}

TEST(CorpusRoundTripTest, ReadsThePamFrAdmission) {
  Message message = Load("SGL/admission.er7");
  EXPECT_EQ(Value(message, "MSH-9"), "ADT^A01^ADT_A01");
  EXPECT_EQ(Value(message, "MSH-12.3"), "2.11");
  EXPECT_EQ(Value(message, "PID-3.1"), "000003");
  EXPECT_EQ(Value(message, "PID-3.4.1"), "CHU-X");
  EXPECT_EQ(Value(message, "PID-3[2].1"), "279035121518989");  // the INS
  EXPECT_EQ(Value(message, "PID-3[2].4.2"), "1.2.250.1.213.1.4.10");
  EXPECT_EQ(Value(message, "PID-3[2].5"), "INS");
  EXPECT_EQ(Value(message, "PID-5.1"), "PAT-TROIS");
  EXPECT_EQ(Value(message, "PID-5.2"), "DOMINIQUE");
  EXPECT_EQ(Value(message, "PID-7"), "19790328");
  EXPECT_EQ(Value(message, "PID-32"), "VALI");
}

TEST(CorpusRoundTripTest, KeepsBlankLinesAndAMissingFinalTerminator) {
  // This one ends with two blank lines.
  const std::string file =
      "Vague_2/Consentement_DMP_PAMFR/ConsentementConsultation_NonOppositionAlimentation.er7";
  std::string raw = ReadHl7Fixture("corpus/" + file);
  EXPECT_THAT(raw, EndsWith("ZFD|||Y|N|INSI|20211201||\n\n\n"));
  Message message = Load(file);
  EXPECT_EQ(message.segment_count(), 11u);
  EXPECT_EQ(Value(message, "PV1-7.2"), "Réault");
  EXPECT_EQ(Value(message, "ZFD-3"), "Y");
  ASSERT_TRUE(message.Set("ZFD-3", "N").ok());
  std::string changed = message.Serialize();
  EXPECT_EQ(changed.find('\n'), std::string::npos);
  EXPECT_THAT(changed, EndsWith("\rZFD|||N|N|INSI|20211201||\r"));

  // And this one has no terminator after its last segment.
  std::string sortie = ReadHl7Fixture("corpus/SGL/sortie.er7");
  EXPECT_THAT(sortie, EndsWith("|HMS"));
  Message discharge = Load("SGL/sortie.er7");
  EXPECT_EQ(Value(discharge, "MSH-9"), "ADT^A03^ADT_A03");
  EXPECT_EQ(Value(discharge, "ZBE-5"), "INSERT");
  EXPECT_EQ(discharge.Serialize(), sortie);
}

TEST(CorpusRoundTripTest, CarriesTheBase64Documents) {
  Message oru = Load(
      "Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Remplacement_ORU/"
      "message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7");
  EXPECT_EQ(Value(oru, "MSH-9"), "ORU^R01^ORU_R01");
  EXPECT_EQ(Value(oru, "ORC-1"), "RO");
  std::string document = Value(oru, "OBX[1]-5.5");
  EXPECT_THAT(document, StartsWith("PD94bWwgdmVyc2lvbj0i"));  // "<?xml version="
  EXPECT_GT(document.size(), 600000u);
  EXPECT_EQ(Value(oru, "OBX[1]-5.4"), "Base64");

  // Trailing no-break spaces (U+00A0) after PRT-8.10: kept as they are.
  Message mdm = Load(
      "Vague_2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/MDM/"
      "Transmission_initiale_MDM/message_MDM_CR_Radio_INIT_N1_Base64.er7");
  std::string nbsp;
  for (int i = 0; i < 18; ++i) nbsp += "\u00A0";
  EXPECT_EQ(Value(mdm, "PRT[1]-8.10"), "300017985" + nbsp);
}

TEST(CorpusRoundTripTest, ReadsTheAcknowledgements) {
  Message ack = Load("Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Suppression_ORU/ack.er7");
  EXPECT_EQ(Value(ack, "MSH-9"), "ACK^R01^ACK");
  EXPECT_EQ(Value(ack, "MSH-18"), "8859/15");
  EXPECT_EQ(Value(ack, "MSA-1"), "AA");
  EXPECT_EQ(Value(ack, "MSA-2"), "015");

  Message dmp = Load(
      "Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Transmission_initiale_ORU/"
      "Message_metier_reception_DMP");
  EXPECT_EQ(Value(dmp, "MSH-9"), "ZAM^Z01^ZAM_Z01");
  EXPECT_EQ(Value(dmp, "OBX-4"), "015");
  EXPECT_EQ(Value(dmp, "ERR-5.2"), "DMP fermé");
  std::vector<std::string> ids;
  for (size_t i = 0; i < dmp.segment_count(); ++i) ids.emplace_back(dmp.segment_id(i));
  EXPECT_THAT(ids, ElementsAre("MSH", "EVN", "OBX", "ERR"));
}

}  // namespace
}  // namespace navette::adapters::hl7v2
