// The MSSanté destination end to end (issue 15, acceptance points 1 to 6),
// against the real binary and a real Postfix and Dovecot on loopback
// (tests/mail): the GAM makes the ANS test patient PAT-TROIS qualified, the
// DPI sends an MDM discharge letter (a PDF) over MLLP, the route attaches
// the INS and builds the CDA, and the mssante destination submits it over
// SMTP with STARTTLS and the applicative mailbox's client certificate.
//
//   1  the letter reaches the professional's and the patient's Maildirs,
//      its XDM archive in the IHE layout with 8.3 names, METADATA.XML valid
//      against the ebRIM schema, the CDA against CDA_extended.xsd, the
//      X-MSS-* headers right and the French subject decoded;
//   2  without a client certificate Postfix refuses the session: retried,
//      then delivered once the certificate is configured (restart);
//   3  one recipient refused with 5xx fails alone, the other is delivered,
//      the history shows both;
//   4  the DSN read over IMAP makes a ZAM^Z02, an MDN a ZAM^Z03; other mail
//      is listed as a message of the receipts source and stays;
//   5  INVISIBLE_PATIENT=Y with DESTMSSANTEPAT=Y refused by the volet's
//      rule as it arrives (the document contract), as are MASQUE_PS=Y with
//      DESTMSSANTEPS=Y and CONNEXION_SECRETE=Y with DESTMSSANTEPAT=Y;
//      nothing sent;
//   6  over the size limit: dead, with the limit and the size.
#include "tests/e2e/mssante/mssante_test_support.h"

#include <filesystem>

#include "adapters/dmp/xds/xds_schema.h"
#include "routes/cda/cda_schema.h"
#include "tests/e2e/mssante/mail_reading.h"

namespace navette::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr auto kMailWait = std::chrono::seconds(30);

// ---- 1

TEST_F(MssanteTest, DischargeLetterReachesTheProfessionalAndThePatientWithItsXdmPackage) {
  StartEngine(ClientTls());
  ASSERT_FALSE(HasFatalFailure());
  const size_t doctor_before = servers_->Messages(kDoctor).size();
  const size_t patient_before = servers_->Messages(kPatientMailbox).size();
  Send(dpi_port_, LetterMdm("LDL-MSS-1", MinimalPdf("Lettre de liaison"),
                            {kDoctor, kPatientMailbox}, {"DESTMSSANTEPS", "DESTMSSANTEPAT"},
                            "1.2.250.1.999.15.1", "secretariat.cardio@hopital.mssante.fr"));
  const std::string history = ShowOnce("LDL-MSS-1", "delivered");
  EXPECT_THAT(history, HasSubstr("2 accepted, 0 refused"));
  // The patient's address is their INS: never in the history's lines.
  EXPECT_THAT(history, HasSubstr("the patient's address: accepted"));
  // (The message itself names it, in its PRT; the history's lines do not.)
  EXPECT_THAT(HistoryOf(history), Not(HasSubstr(kPatientMailbox)));

  const auto doctor = servers_->WaitForMessages(kDoctor, doctor_before + 1, kMailWait);
  ASSERT_EQ(doctor.size(), doctor_before + 1) << servers_->postfix_log();
  const auto patient = servers_->WaitForMessages(kPatientMailbox, patient_before + 1, kMailWait);
  ASSERT_EQ(patient.size(), patient_before + 1) << servers_->postfix_log();

  for (const std::string* raw : {&doctor.back(), &patient.back()}) {
    const ReadMail mail = ReadDeliveredMail(*raw);
    ASSERT_TRUE(mail.ok) << mail.error;
    // The French subject, RFC 2047 on the wire, decodes to the original.
    EXPECT_EQ(mail.subject,
              "XDM/1.0/DDM+Lettre de liaison à la sortie de l'établissement de santé PAT-TROIS "
              "DOMINIQUE 28/03/1979");
    // On the wire: RFC 2047 encoded words, never raw 8-bit text.
    EXPECT_THAT(mail.raw_subject, HasSubstr("=?"));
    EXPECT_THAT(mail.raw_subject, Not(HasSubstr("é")));
    EXPECT_EQ(mail.headers.at("from"), kMailbox);
    EXPECT_EQ(mail.headers.at("reply-to"), "secretariat.cardio@hopital.mssante.fr");  // PRT REPLY
    EXPECT_EQ(mail.headers.at("x-mss-nil"), "NAVETTE-TEST-0001");
    EXPECT_EQ(mail.headers.at("x-mss-codecda"), "11490-0");
    EXPECT_EQ(mail.headers.at("x-mss-ins"), "O");
    EXPECT_FALSE(mail.headers.contains("disposition-notification-to"));  // no read receipt asked

    const ReadAttachment* xdm = nullptr;
    const ReadAttachment* pdf = nullptr;
    for (const ReadAttachment& attachment : mail.attachments) {
      if (attachment.file_name == "IHE_XDM.ZIP") xdm = &attachment;
      if (attachment.media_type == "application/pdf") pdf = &attachment;
    }
    ASSERT_NE(xdm, nullptr);
    EXPECT_EQ(xdm->media_type, "application/zip");
    ASSERT_NE(pdf, nullptr) << "the PDF copy";
    EXPECT_EQ(pdf->bytes, MinimalPdf("Lettre de liaison"));

    std::string error;
    const std::map<std::string, std::string> entries = Unzip(xdm->bytes, &error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_TRUE(entries.contains("INDEX.HTM"));
    ASSERT_TRUE(entries.contains("README.TXT"));
    ASSERT_TRUE(entries.contains("IHE_XDM/SUBSET01/METADATA.XML"));
    std::vector<std::string> documents;
    for (const auto& [name, bytes] : entries) {
      if (name.starts_with("IHE_XDM/SUBSET01/") && name != "IHE_XDM/SUBSET01/METADATA.XML" &&
          name.back() != '/') {
        documents.push_back(name.substr(sizeof("IHE_XDM/SUBSET01/") - 1));
      }
    }
    ASSERT_EQ(documents.size(), 1u);
    // ISO 9660 level 1: 8.3, upper case.
    EXPECT_THAT(documents[0], MatchesRegex("[A-Z0-9_]{1,8}\\.XML"));
    const std::string& metadata = entries.at("IHE_XDM/SUBSET01/METADATA.XML");
    auto ebrim = adapters::dmp::xds::XdsSchema::Shared(NAVETTE_XDS_SCHEMA_DIR);
    ASSERT_TRUE(ebrim.ok()) << ebrim.status();
    EXPECT_TRUE((*ebrim)->Validate(metadata).ok()) << (*ebrim)->Validate(metadata);
    EXPECT_THAT(metadata, HasSubstr("SubmitObjectsRequest"));
    EXPECT_THAT(metadata, HasSubstr(documents[0]));  // the URI slot
    const std::string& cda = entries.at("IHE_XDM/SUBSET01/" + documents[0]);
    auto schema = routes::cda::CdaSchema::Shared(routes::cda::DefaultSchemaDir());
    ASSERT_TRUE(schema.ok()) << schema.status();
    EXPECT_TRUE((*schema)->Validate(cda).ok()) << (*schema)->Validate(cda);
    EXPECT_THAT(cda, HasSubstr("279035121518989"));  // the INS in recordTarget
  }
  // To the patient only: the no-reply header when the producer asked for it
  // (not here), never to a professional.
  EXPECT_FALSE(ReadDeliveredMail(doctor.back()).headers.contains("x-mss-mes"));
  EXPECT_EQ(ReadDeliveredMail(doctor.back()).headers.at("to"), kDoctor);
  EXPECT_EQ(ReadDeliveredMail(patient.back()).headers.at("to"), kPatientMailbox);
  // Each audience its body (no CORPSMAIL_* here: the configured defaults).
  EXPECT_THAT(ReadDeliveredMail(doctor.back()).text, HasSubstr("Veuillez trouver ci-joint"));
  EXPECT_THAT(ReadDeliveredMail(patient.back()).text, HasSubstr("vous transmet le document"));
  // Nor in the engine's log.
  EXPECT_THAT(engine_->Log(), Not(HasSubstr("279035121518989@")));
}

// ---- 2

TEST_F(MssanteTest, WithoutAClientCertificatePostfixRefusesThenTheLetterGoesOnceItIsConfigured) {
  StartEngine(TlsYaml("", ""));
  ASSERT_FALSE(HasFatalFailure());
  const size_t before = servers_->Messages(kDoctor).size();
  Send(dpi_port_, LetterMdm("LDL-MSS-2", MinimalPdf("Sans certificat"), {kDoctor},
                            {"DESTMSSANTEPS"}, "1.2.250.1.999.15.2"));
  const std::string id = WaitForState("LDL-MSS-2", "retrying");
  ASSERT_FALSE(id.empty()) << Messages({"messages", "list"}).out << engine_->Log();
  EXPECT_THAT(Show(id), HasSubstr("not accepted yet"));
  EXPECT_EQ(servers_->Messages(kDoctor).size(), before);

  // The certificate configured, the engine restarted: the retry delivers.
  ASSERT_TRUE(engine_->Stop().ok());
  StartEngineWith(ConfigYaml(ClientTls()));
  ASSERT_FALSE(HasFatalFailure());
  const std::string history = ShowOnce("LDL-MSS-2", "delivered");
  EXPECT_THAT(history, HasSubstr("1 accepted, 0 refused, 0 not accepted yet"));
  EXPECT_EQ(servers_->WaitForMessages(kDoctor, before + 1, kMailWait).size(), before + 1);

  // Replayed once delivered: the whole mail again.
  CommandResult replayed = Messages({"messages", "replay", WaitForState("LDL-MSS-2", "delivered")});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_EQ(servers_->WaitForMessages(kDoctor, before + 2, kMailWait).size(), before + 2);
}

// ---- 3

TEST_F(MssanteTest, ARecipientRefusedFailsAloneAndTheOtherIsDelivered) {
  StartEngine(ClientTls());
  ASSERT_FALSE(HasFatalFailure());
  const size_t before = servers_->Messages(kDoctor).size();
  Send(dpi_port_,
       LetterMdm("LDL-MSS-3", MinimalPdf("Deux destinataires"), {kDoctor, kUnknownDoctor},
                 {"DESTMSSANTEPS", "ACK_RECEPTION"}, "1.2.250.1.999.15.3"));
  const std::string history = ShowOnce("LDL-MSS-3", "dead");
  EXPECT_THAT(history, HasSubstr("1 accepted, 1 refused, 0 not accepted yet"));
  EXPECT_THAT(history, HasSubstr(std::string(kDoctor) + ": accepted"));
  EXPECT_THAT(history, HasSubstr(std::string(kUnknownDoctor) + ": refused (550"));
  const auto delivered = servers_->WaitForMessages(kDoctor, before + 1, kMailWait);
  ASSERT_EQ(delivered.size(), before + 1);
  // The refused recipient hears nothing; the producer hears of the refusal.
  const std::string z02 = producer_.WaitForZam("Z02", "LDL-MSS-3", kUnknownDoctor);
  ASSERT_FALSE(z02.empty()) << "no ZAM^Z02 for the refused recipient";
  EXPECT_THAT(z02, HasSubstr("SMTPERRORCODE"));
  EXPECT_THAT(z02, HasSubstr("550"));

  // Replayed, it goes again to the refused recipient only: the doctor does
  // not get the letter twice.
  auto refusals = [&] {
    const std::string log = servers_->postfix_log();
    const std::string refused =
        std::string("reject: RCPT from unknown[127.0.0.1]: 550 5.1.1 <") + kUnknownDoctor + ">";
    size_t count = 0;
    for (size_t at = log.find(refused); at != std::string::npos; at = log.find(refused, at + 1)) {
      ++count;
    }
    return count;
  };
  ASSERT_TRUE(WaitFor([&] { return refusals() >= 1; }, kMailWait)) << servers_->postfix_log();
  const size_t refused_before = refusals();
  const std::string id = WaitForState("LDL-MSS-3", "dead");
  CommandResult replayed = Messages({"messages", "replay", id});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  // The replay's attempt ends as a second outcome of the mss delivery.
  auto outcomes = [&] {
    const std::string shown = Show(id);
    const std::string_view outcome = "route=letters  destination=mss  attempt=";
    size_t count = 0;
    for (size_t at = shown.find(outcome); at != std::string::npos;
         at = shown.find(outcome, at + 1)) {
      ++count;
    }
    return count;
  };
  ASSERT_TRUE(WaitFor([&] { return outcomes() >= 2; }, kMailWait)) << Show(id);
  const std::string again = ShowOnce("LDL-MSS-3", "dead");
  EXPECT_THAT(again, HasSubstr("1 accepted, 1 refused"));
  EXPECT_EQ(servers_->Messages(kDoctor).size(), before + 1);
  // (Postfix's log goes through postlogd: written a moment after the reply.)
  EXPECT_TRUE(WaitFor([&] { return refusals() == refused_before + 1; }, kMailWait))
      << "the refused recipient was not tried again: " << refusals() << " refusals";
}

// ---- 4

TEST_F(MssanteTest, DsnAndMdnComeBackAsZ02AndZ03AndOtherMailIsListedAndKept) {
  StartEngine(ClientTls());
  ASSERT_FALSE(HasFatalFailure());
  const size_t before = servers_->Messages(kDoctor).size();
  Send(dpi_port_,
       LetterMdm("LDL-MSS-4", MinimalPdf("Avec accuses"), {kDoctor},
                 {"DESTMSSANTEPS", "ACK_RECEPTION", "ACK_LECTURE_MSS"}, "1.2.250.1.999.15.4"));
  ShowOnce("LDL-MSS-4", "delivered");
  // Postfix's DSN (NOTIFY=SUCCESS) lands in the applicative mailbox; the
  // receipts source reads it over IMAP.
  const std::string z02 = producer_.WaitForZam("Z02", "LDL-MSS-4", kDoctor);
  ASSERT_FALSE(z02.empty()) << "no ZAM^Z02; " << servers_->postfix_log() << engine_->Log();
  EXPECT_THAT(z02, HasSubstr("ACK_RECEPTION_MSS"));
  EXPECT_EQ(Hl7Field(z02, "OBX", 1, 5).substr(0, 1), "Y");
  EXPECT_THAT(z02, HasSubstr("810001234567"));  // the recipient's RPPS, from PRT-5

  // The doctor's software reads the letter and answers with an MDN.
  const auto delivered = servers_->WaitForMessages(kDoctor, before + 1, kMailWait);
  ASSERT_EQ(delivered.size(), before + 1);
  const ReadMail letter = ReadDeliveredMail(delivered.back());
  ASSERT_TRUE(letter.ok);
  EXPECT_EQ(letter.headers.at("disposition-notification-to"), kMailbox);
  const std::string original_id = letter.headers.at("message-id");
  servers_->Deliver(
      kMailbox,
      fmt::format("From: {0}\r\nTo: {1}\r\nSubject: Lu : lettre\r\nMessage-ID: "
                  "<mdn-1@medecin.mssante.fr>\r\nMIME-Version: 1.0\r\nContent-Type: "
                  "multipart/report; report-type=disposition-notification; boundary=\"b1\"\r\n"
                  "\r\n--b1\r\nContent-Type: text/plain\r\n\r\nLu.\r\n--b1\r\nContent-Type: "
                  "message/disposition-notification\r\n\r\nReporting-UA: lps.medecin\r\n"
                  "Final-Recipient: rfc822;{0}\r\nOriginal-Message-ID: {2}\r\nDisposition: "
                  "automatic-action/MDN-sent-automatically; processed\r\n\r\n--b1--\r\n",
                  kDoctor, kMailbox, original_id));
  const std::string z03 = producer_.WaitForZam("Z03", "LDL-MSS-4", kDoctor);
  ASSERT_FALSE(z03.empty()) << "no ZAM^Z03; " << engine_->Log();
  EXPECT_THAT(z03, HasSubstr("ACK_LECTURE_MSS"));
  EXPECT_EQ(Hl7Field(z03, "OBX", 1, 5).substr(0, 1), "Y");
  const std::string history = Show(WaitForState("LDL-MSS-4", "delivered"));
  EXPECT_THAT(history, HasSubstr("delivery status notification"));
  EXPECT_THAT(history, HasSubstr("disposition notification"));

  // A mail that is no receipt: listed for the analysts, kept in the mailbox.
  const size_t inbox = servers_->Messages(kMailbox).size();
  servers_->Deliver(kMailbox,
                    "From: secretariat@medecin.mssante.fr\r\nTo: navette@hopital.mssante.fr\r\n"
                    "Subject: Question sur un courrier\r\nMessage-ID: <question-1@medecin>\r\n"
                    "\r\nBonjour, une question.\r\n");
  std::string listed;
  ASSERT_TRUE(WaitFor(
      [&] {
        listed = Messages({"messages", "list", "--source", "mss-inbox", "--json"}).out;
        return listed.find("question-1@medecin") != std::string::npos;
      },
      kMailWait))
      << listed << engine_->Log();
  EXPECT_EQ(servers_->Messages(kMailbox).size(), inbox + 1);
}

// ---- 5

TEST_F(MssanteTest, RecipientsTheVoletForbidsAreRefusedNamingTheRuleAndNothingIsSent) {
  StartEngine(ClientTls());
  ASSERT_FALSE(HasFatalFailure());
  const size_t doctor_before = servers_->Messages(kDoctor).size();
  const size_t patient_before = servers_->Messages(kPatientMailbox).size();

  // INVISIBLE_PATIENT=Y with DESTMSSANTEPAT=Y: the document contract
  // (docs/document-contract.md) refuses it as it arrives, the rule and the
  // flag's OBX named in the ACK, nothing stored.
  const std::string ack = SendRefused(
      dpi_port_,
      LetterMdm("LDL-MSS-5", MinimalPdf("Invisible"), {kDoctor, kPatientMailbox},
                {"DESTMSSANTEPS", "DESTMSSANTEPAT", "INVISIBLE_PATIENT"}, "1.2.250.1.999.15.5"));
  EXPECT_THAT(ack, HasSubstr("MSA|AR|LDL-MSS-5|"));
  EXPECT_THAT(ack, HasSubstr("INVISIBLE_PATIENT=Y forbids"));
  EXPECT_THAT(ack, ::testing::ContainsRegex("ERR\\|\\|OBX\\^[0-9]+\\^5\\|"));
  EXPECT_THAT(Messages({"messages", "list"}).out, Not(HasSubstr("LDL-MSS-5")));

  // MASQUE_PS=Y with DESTMSSANTEPS=Y, CONNEXION_SECRETE=Y with
  // DESTMSSANTEPAT=Y: the volet's other two rules, refused the same way.
  EXPECT_THAT(
      SendRefused(dpi_port_, LetterMdm("LDL-MSS-5M", MinimalPdf("Masque"), {kDoctor},
                                       {"DESTMSSANTEPS", "MASQUE_PS"}, "1.2.250.1.999.15.8")),
      HasSubstr("MASQUE_PS=Y forbids"));
  EXPECT_THAT(SendRefused(dpi_port_,
                          LetterMdm("LDL-MSS-5S", MinimalPdf("Secret"), {kPatientMailbox},
                                    {"DESTMSSANTEPAT", "CONNEXION_SECRETE"}, "1.2.250.1.999.15.9")),
              HasSubstr("CONNEXION_SECRETE=Y forbids"));

  // A letter after them is delivered, and is the only mail: they sent none.
  Send(dpi_port_, LetterMdm("LDL-MSS-5B", MinimalPdf("Visible"), {kDoctor}, {"DESTMSSANTEPS"},
                            "1.2.250.1.999.15.6"));
  ShowOnce("LDL-MSS-5B", "delivered");
  const auto doctor = servers_->WaitForMessages(kDoctor, doctor_before + 1, kMailWait);
  ASSERT_EQ(doctor.size(), doctor_before + 1);
  const ReadMail last = ReadDeliveredMail(doctor.back());
  ASSERT_TRUE(last.ok) << last.error;
  bool visible = false;
  for (const ReadAttachment& attachment : last.attachments) {
    visible = visible || attachment.bytes == MinimalPdf("Visible");
  }
  EXPECT_TRUE(visible) << "the last mail is not LDL-MSS-5B's";
  EXPECT_EQ(servers_->Messages(kPatientMailbox).size(), patient_before);
}

// ---- 6

TEST_F(MssanteTest, OverTheSizeLimitFailsForGoodWithTheLimitAndTheSize) {
  StartEngine(ClientTls(), "      max_message_bytes: 4096\n");
  ASSERT_FALSE(HasFatalFailure());
  const size_t before = servers_->Messages(kDoctor).size();
  Send(dpi_port_, LetterMdm("LDL-MSS-6", MinimalPdf("Trop gros"), {kDoctor}, {"DESTMSSANTEPS"},
                            "1.2.250.1.999.15.7"));
  const std::string history = ShowOnce("LDL-MSS-6", "dead");
  EXPECT_THAT(history, HasSubstr("limit of 4096 bytes"));
  EXPECT_THAT(history, ::testing::ContainsRegex("the mail is [0-9]+ bytes"));
  EXPECT_EQ(servers_->Messages(kDoctor).size(), before);
}

}  // namespace
}  // namespace navette::testing
