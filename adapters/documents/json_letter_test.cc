#include "adapters/documents/json_letter.h"

#include <gtest/gtest.h>

#include <string>

namespace navette::adapters::documents {
namespace {

using navette::document::Document;
using navette::document::Participant;

constexpr char kLetter[] = R"({
  "document_id": "1.2.250.1.999.1.1.4.7",
  "effective_time": "2026-12-03T10:15:00+01:00",
  "patient": {
    "ipp": {"id": "IPP123", "authority_oid": "1.2.250.1.999.1.1.1", "type": "PI"},
    "ins": {"id": "249037502112345", "authority_oid": "1.2.250.1.213.1.4.8", "type": "INS"},
    "birth_name": "MARTIN", "given_name": "Françoise", "given_names": "Françoise Éléonore",
    "birth_date": "1949-03-28", "sex": "F", "birthplace_code": "42218"
  },
  "author": {"id": {"id": "810000000001", "authority_oid": "1.2.250.1.71.4.2.1", "type": "RPPS"},
             "family": "LEFÈVRE", "given": "Hélène", "prefix": "DR"},
  "organization": {"id": {"id": "420000000", "type": "FINEG"}, "name": "CH de Saint-Étienne"},
  "recipients": [{"person": {"family": "DURAND", "given": "Loïc"},
                  "address": "loic.durand@medecin.mssante.fr"}],
  "encounter": {"admit_time": "20261125", "discharge_time": "2026-12-02T16:30:00Z",
                "visit_number": "V42"},
  "flags": {"dest_dmp": true, "dest_mssante_ps": true, "ack_reception": true},
  "mail_body_ps": "Cher confrère, ci-joint la lettre de liaison.",
  "sections": [
    {"title": "Motif d’hospitalisation", "text": "Décompensation cardiaque."},
    {"title": "Traitement de sortie", "text": "Furosémide 40 mg.\n\nContrôle à J7."}
  ]
})";

TEST(JsonLetterTest, ReadsEveryPartOfTheLetter) {
  absl::StatusOr<Document> read = ReadJsonLetter(kLetter);
  ASSERT_TRUE(read.ok()) << read.status();
  const Document& d = *read;
  EXPECT_EQ(d.document_id(), "1.2.250.1.999.1.1.4.7");
  EXPECT_EQ(d.action(), navette::document::CREATE);
  EXPECT_EQ(d.type().code(), "11490-0");
  EXPECT_EQ(d.type().system(), "LN");
  EXPECT_EQ(d.type().display(), "Lettre de liaison à la sortie d'un établissement de soins");
  EXPECT_EQ(d.title(), d.type().display());
  EXPECT_EQ(d.effective_time(), "20261203101500+0100");
  EXPECT_EQ(d.patient().ipp().id(), "IPP123");
  EXPECT_EQ(d.patient().ipp().authority_oid(), "1.2.250.1.999.1.1.1");
  EXPECT_EQ(d.patient().ins().id(), "249037502112345");
  EXPECT_EQ(d.patient().ins().type(), "INS");
  EXPECT_EQ(d.patient().birth_name(), "MARTIN");
  EXPECT_EQ(d.patient().given_name(), "Françoise");
  EXPECT_EQ(d.patient().given_names(), "Françoise Éléonore");
  EXPECT_EQ(d.patient().birth_date(), "19490328");
  EXPECT_EQ(d.patient().sex(), "F");
  EXPECT_EQ(d.patient().birthplace_code(), "42218");
  EXPECT_EQ(d.encounter().admit_time(), "20261125");
  EXPECT_EQ(d.encounter().discharge_time(), "20261202163000+0000");
  EXPECT_EQ(d.encounter().visit_number(), "V42");
  EXPECT_TRUE(d.flags().dest_dmp());
  EXPECT_TRUE(d.flags().dest_mssante_ps());
  EXPECT_TRUE(d.flags().ack_reception());
  EXPECT_FALSE(d.flags().dest_mssante_pat());
  EXPECT_EQ(d.mail_body_ps(), "Cher confrère, ci-joint la lettre de liaison.");

  ASSERT_EQ(d.participants_size(), 2);
  const Participant& recipient = d.participants(0);
  EXPECT_EQ(recipient.role(), Participant::RECIPIENT);
  EXPECT_EQ(recipient.person().family(), "DURAND");
  EXPECT_EQ(recipient.address(), "loic.durand@medecin.mssante.fr");
  const Participant& sender = d.participants(1);
  EXPECT_EQ(sender.role(), Participant::SENDER);
  EXPECT_EQ(sender.person().id().id(), "810000000001");
  EXPECT_EQ(sender.person().id().type(), "RPPS");
  EXPECT_EQ(sender.person().family(), "LEFÈVRE");
  EXPECT_EQ(sender.person().prefix(), "DR");
  EXPECT_EQ(sender.organization().id().id(), "420000000");
  EXPECT_EQ(sender.organization().name(), "CH de Saint-Étienne");

  ASSERT_EQ(d.sections_size(), 2);
  EXPECT_EQ(d.sections(0).title(), "Motif d’hospitalisation");
  EXPECT_EQ(d.sections(1).text(), "Furosémide 40 mg.\n\nContrôle à J7.");
  EXPECT_EQ(d.parts_size(), 0) << "no PDF: build_cda renders one";
}

TEST(JsonLetterTest, TypeTitleAndReplacementAsGiven) {
  absl::StatusOr<Document> read = ReadJsonLetter(R"({
    "type": {"code": "34874-7", "display": "Compte rendu opératoire", "system": "LN"},
    "title": "CR opératoire du 2 décembre",
    "action": "replace", "parent_document_id": "1.2.250.1.999.1.1.4.6",
    "sections": [{"title": "Intervention", "text": "Cholécystectomie."}]})");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->type().code(), "34874-7");
  EXPECT_EQ(read->title(), "CR opératoire du 2 décembre");
  EXPECT_EQ(read->action(), navette::document::REPLACE);
  EXPECT_EQ(read->parent_document_id(), "1.2.250.1.999.1.1.4.6");
  EXPECT_TRUE(read->participants().empty());
}

// Each error names the JSON path of what is wrong.
TEST(JsonLetterTest, ErrorsNameTheJsonPath) {
  const struct {
    const char* json;
    const char* message;
  } cases[] = {
      {R"({"sections": [{"title": "a", "text": "b"}, {"title": "c", "text": "d"},
                        {"title": "e", "text": 12}]})",
       "sections[2].text: not a string"},
      {R"({"sections": [{"title": "a"}]})", "sections[0].text: missing"},
      {R"({"sections": [{"title": "a", "text": "b", "txt": "c"}]})",
       "sections[0].txt: unknown field"},
      {R"({"sections": []})", "sections: no section"},
      {R"({"sections": {"title": "a"}})", "sections: not an array"},
      {R"({"title": "x"})", "sections: missing"},
      {R"({"sections": [{"title": "a", "text": "b"}], "flags": {"dest_dmp": "Y"}})",
       "flags.dest_dmp: not true or false"},
      {R"({"sections": [{"title": "a", "text": "b"}], "flags": {"destdmp": true}})",
       "flags.destdmp: unknown field"},
      {R"({"sections": [{"title": "a", "text": "b"}], "patient": {"birth_date": "28/03/1949"}})",
       "patient.birth_date: not a date"},
      {R"({"sections": [{"title": "a", "text": "b"}], "patient": {"sex": "female"}})",
       "patient.sex: not an HL7 administrative sex"},
      {R"({"sections": [{"title": "a", "text": "b"}], "patient": {"ipp": "123"}})",
       "patient.ipp: not an object"},
      {R"({"sections": [{"title": "a", "text": "b"}], "encounter": {"admit_time": "hier"}})",
       "encounter.admit_time: not a date-time"},
      {R"({"sections": [{"title": "a", "text": "b"}], "effective_time": "2026-12-03T10:15+1"})",
       "effective_time: not a date-time"},
      {R"({"sections": [{"title": "a", "text": "b"}], "action": "delete"})",
       "action: neither \"create\" nor \"replace\""},
      {R"({"sections": [{"title": "a", "text": "b"}], "action": "replace"})",
       "parent_document_id: missing"},
      {R"({"sections": [{"title": "a", "text": "b"}], "recipients": [{"role": 1}]})",
       "recipients[0].role: unknown field"},
      {R"({"sections": [{"title": "a", "text": "b"}], "type": {"display": "x"}})",
       "type.code: missing"},
      {R"({"sections": [{"title": "a", "text": "b"}], "pdf": "JVBERi0="})", "pdf: unknown field"},
      {R"([1, 2])", "not a JSON object"},
      {R"({"sections": [)", "JSON letter: [json.exception.parse_error"},
      {"{\"sections\": [{\"title\": \"caf\xE9\", \"text\": \"b\"}]}",
       "JSON letter: [json.exception.parse_error.101] parse error at line 1, column 30: syntax "
       "error while parsing value - invalid string: ill-formed UTF-8 byte"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<Document> read = ReadJsonLetter(c.json);
    ASSERT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_EQ(read.status().message().find("caf"), std::string::npos)
        << "no text of the letter in its error: " << read.status().message();
    EXPECT_NE(read.status().message().find(c.message), std::string::npos)
        << c.json << "\n  gave: " << read.status().message() << "\n  expected: " << c.message;
  }
}

TEST(JsonLetterTest, TimesInEitherFormKeepTheirZone) {
  for (const auto& [given, hl7] : std::initializer_list<std::pair<const char*, const char*>>{
           {"20261203101500+0100", "20261203101500+0100"},
           {"202612031015-0500", "202612031015-0500"},
           {"2026-12-03T10:15:00-05:00", "20261203101500-0500"},
           {"2026-12-03T10:15", "202612031015"},
           {"2026-12-03", "20261203"}}) {
    absl::StatusOr<Document> read = ReadJsonLetter(
        std::string(R"({"sections": [{"title": "a", "text": "b"}], "effective_time": ")") + given +
        "\"}");
    ASSERT_TRUE(read.ok()) << given << ": " << read.status();
    EXPECT_EQ(read->effective_time(), hl7) << given;
  }
}

}  // namespace
}  // namespace navette::adapters::documents
