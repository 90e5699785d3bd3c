#include "adapters/mssante/mime/mail_receipts.h"

#include <gmime/gmime.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "adapters/mssante/mime/gmime_support.h"
#include "adapters/mssante/mime/mail_message.h"

namespace navette::adapters::mssante::mime {
namespace {

using Kind = ParsedMail::Kind;

std::string ReadTestData(const std::string& name) {
  std::ifstream file(std::string(NAVETTE_MSS_MIME_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

// The samples are stored with LF line ends; IMAP hands them over with CRLF.
// Both must read the same.
std::vector<std::pair<std::string, std::string>> BothLineEnds(const std::string& name) {
  const std::string lf = ReadTestData(name);
  EXPECT_FALSE(lf.empty()) << name;
  return {{"LF", lf}, {"CRLF", absl::StrReplaceAll(lf, {{"\n", "\r\n"}})}};
}

TEST(MailReceiptsTest, PostfixSuccessDsn) {
  for (const auto& [line_ends, raw] : BothLineEnds("dsn_success.eml")) {
    SCOPED_TRACE(line_ends);
    absl::StatusOr<ParsedMail> mail = ParseMail(raw);
    ASSERT_TRUE(mail.ok()) << mail.status();
    EXPECT_EQ(mail->kind, Kind::kDeliveryStatus);
    EXPECT_EQ(mail->message_id, "20231114221322.4SVb1x2C3Vz9vB@smtp.medecins-exemple.mssante.fr");
    EXPECT_EQ(mail->original_message_id, "navette.42.mss.ab12@hopital-nord.mssante.fr");
    EXPECT_EQ(mail->subject, "Delivery Status Notification (Success)");
    EXPECT_EQ(mail->from, "MAILER-DAEMON@smtp.medecins-exemple.mssante.fr");
    ASSERT_EQ(mail->statuses.size(), 2u);
    EXPECT_EQ(mail->statuses[0].final_recipient, "dr.martin@medecins-exemple.mssante.fr");
    EXPECT_EQ(mail->statuses[0].original_recipient, "dr.martin@medecins-exemple.mssante.fr");
    EXPECT_EQ(mail->statuses[0].action, "delivered");
    EXPECT_EQ(mail->statuses[0].status, "2.0.0");
    EXPECT_EQ(mail->statuses[0].diagnostic, "");
    EXPECT_EQ(mail->statuses[1].final_recipient, "secretariat.cardio@clinique-sud.mssante.fr");
    EXPECT_EQ(mail->statuses[1].original_recipient, "secretariat.cardio@clinique-sud.mssante.fr");
    EXPECT_EQ(mail->statuses[1].action, "relayed");
    EXPECT_EQ(mail->statuses[1].status, "2.0.0");
    EXPECT_EQ(mail->statuses[1].diagnostic, "250 2.0.0 Ok: queued as 4SVb1y0QkRz1xK");
    EXPECT_EQ(mail->final_recipient, "");
    EXPECT_EQ(mail->disposition, "");
    EXPECT_FALSE(mail->disposition_processed);
  }
}

TEST(MailReceiptsTest, PostfixFailureDsnWithReturnedMessage) {
  for (const auto& [line_ends, raw] : BothLineEnds("dsn_failure.eml")) {
    SCOPED_TRACE(line_ends);
    absl::StatusOr<ParsedMail> mail = ParseMail(raw);
    ASSERT_TRUE(mail.ok()) << mail.status();
    EXPECT_EQ(mail->kind, Kind::kDeliveryStatus);
    EXPECT_EQ(mail->message_id, "20231115084107.4SVc7M0jXqz7Nn@smtp.hopital-nord.mssante.fr");
    // From the returned message/rfc822, not from the DSN's own headers.
    EXPECT_EQ(mail->original_message_id, "navette.57.mss.c3d4@hopital-nord.mssante.fr");
    EXPECT_EQ(mail->subject, "Undelivered Mail Returned to Sender");
    EXPECT_EQ(mail->from, "MAILER-DAEMON@smtp.hopital-nord.mssante.fr");
    ASSERT_EQ(mail->statuses.size(), 1u);
    const DeliveryStatus& status = mail->statuses[0];
    EXPECT_EQ(status.final_recipient, "dr.inconnu@medecins-exemple.mssante.fr");
    EXPECT_EQ(status.original_recipient, "dr.inconnu@medecins-exemple.mssante.fr");
    EXPECT_EQ(status.action, "failed");
    EXPECT_EQ(status.status, "5.1.1");
    // The folded Diagnostic-Code unfolded to one line, without "smtp;".
    EXPECT_EQ(status.diagnostic,
              "550 5.1.1 <dr.inconnu@medecins-exemple.mssante.fr>: Recipient address rejected: "
              "User unknown in virtual mailbox table");
  }
}

TEST(MailReceiptsTest, LpsMdnProcessed) {
  for (const auto& [line_ends, raw] : BothLineEnds("mdn_processed.eml")) {
    SCOPED_TRACE(line_ends);
    absl::StatusOr<ParsedMail> mail = ParseMail(raw);
    ASSERT_TRUE(mail.ok()) << mail.status();
    EXPECT_EQ(mail->kind, Kind::kDisposition);
    EXPECT_EQ(mail->message_id, "mdn.20231114222002.77f1@lps.cabinet-martin.fr");
    EXPECT_EQ(mail->original_message_id, "navette.42.mss.ab12@hopital-nord.mssante.fr");
    EXPECT_EQ(mail->subject, "Accusé de traitement : XDM/1.0/DDM+Lettre de liaison — sortie");
    EXPECT_EQ(mail->from, "dr.martin@medecins-exemple.mssante.fr");
    EXPECT_EQ(mail->final_recipient, "dr.martin@medecins-exemple.mssante.fr");
    EXPECT_EQ(mail->original_recipient, "dr.martin@medecins-exemple.mssante.fr");
    EXPECT_EQ(mail->disposition, "automatic-action/MDN-sent-automatically; processed");
    EXPECT_TRUE(mail->disposition_processed);
    EXPECT_EQ(mail->error_code, "");
    EXPECT_EQ(mail->error_label, "");
    EXPECT_TRUE(mail->statuses.empty());
  }
}

TEST(MailReceiptsTest, LpsMdnProcessedWithError) {
  for (const auto& [line_ends, raw] : BothLineEnds("mdn_error.eml")) {
    SCOPED_TRACE(line_ends);
    absl::StatusOr<ParsedMail> mail = ParseMail(raw);
    ASSERT_TRUE(mail.ok()) << mail.status();
    EXPECT_EQ(mail->kind, Kind::kDisposition);
    EXPECT_EQ(mail->message_id, "3f9c2a61-5b0e-4d8e-9a51-0c2d7e1b44aa@lps.clinique-sud.fr");
    EXPECT_EQ(mail->original_message_id, "navette.43.mss.ef56@hopital-nord.mssante.fr");
    EXPECT_EQ(mail->subject, "[KO Intégration système !][904] XDM/1.0/DDM+Lettre de liaison");
    EXPECT_EQ(mail->from, "secretariat.cardio@clinique-sud.mssante.fr");
    EXPECT_EQ(mail->final_recipient, "secretariat.cardio@clinique-sud.mssante.fr");
    EXPECT_EQ(mail->original_recipient, "secretariat.cardio@clinique-sud.mssante.fr");
    EXPECT_EQ(mail->disposition,
              "automatic-action/MDN-sent-automatically; processed/Error: 904^INS non concordant");
    EXPECT_FALSE(mail->disposition_processed);
    EXPECT_EQ(mail->error_code, "904");
    EXPECT_EQ(mail->error_label, "INS non concordant");
  }
}

TEST(MailReceiptsTest, PlainMailIsOther) {
  for (const auto& [line_ends, raw] : BothLineEnds("plain_reply.eml")) {
    SCOPED_TRACE(line_ends);
    absl::StatusOr<ParsedMail> mail = ParseMail(raw);
    ASSERT_TRUE(mail.ok()) << mail.status();
    EXPECT_EQ(mail->kind, Kind::kOther);
    EXPECT_EQ(mail->message_id, "CAF8x2q+7Yc1@medecins-exemple.mssante.fr");
    EXPECT_EQ(mail->subject, "Re: Lettre de liaison — sortie d'hospitalisation, Hélène");
    EXPECT_EQ(mail->from, "dr.martin@medecins-exemple.mssante.fr");
    EXPECT_EQ(mail->original_message_id, "");
    EXPECT_TRUE(mail->statuses.empty());
    EXPECT_EQ(mail->disposition, "");
    EXPECT_FALSE(mail->disposition_processed);
  }
}

// A mail built with GMime in the test: multipart/report with a text part,
// the report part `report_subtype` holding `fields`, and, when given, a
// text/rfc822-headers part.
std::string ReportMail(const char* report_type, const char* report_subtype,
                       const std::string& fields, const std::string& returned_headers = "") {
  EnsureGMimeInitialized();
  GObjectPtr<GMimeMessage> message(g_mime_message_new(TRUE));
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_FROM, nullptr, "ua@lps.example.fr");
  g_mime_message_set_subject(message.get(), "Report", "utf-8");
  g_mime_message_set_message_id(message.get(), "report.1@lps.example.fr");
  GObjectPtr<GMimeMultipart> report(g_mime_multipart_new_with_subtype("report"));
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(report.get()), "report-type", report_type);
  auto add_part = [&](const char* type, const char* subtype, const std::string& bytes) {
    GObjectPtr<GMimePart> part(g_mime_part_new_with_type(type, subtype));
    GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
    GObjectPtr<GMimeDataWrapper> content(
        g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
    g_mime_part_set_content(part.get(), content.get());
    g_mime_multipart_add(report.get(), GMIME_OBJECT(part.get()));
  };
  add_part("text", "plain", "Human-readable part.\n");
  add_part("message", report_subtype, fields);
  if (!returned_headers.empty()) add_part("text", "rfc822-headers", returned_headers);
  g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(report.get()));
  GCharPtr text(g_mime_object_to_string(GMIME_OBJECT(message.get()), nullptr));
  return text.get();
}

TEST(MailReceiptsTest, Rfc8098ErrorFieldLowerCaseNamesAndFolding) {
  const std::string raw = ReportMail("disposition-notification", "disposition-notification",
                                     "reporting-ua: lps.example.fr; LPS 1.0\n"
                                     "final-recipient: rfc822; <dr.x@example.mssante.fr>\n"
                                     "DISPOSITION: manual-action/MDN-sent-manually;\n"
                                     "  processed/error\n"
                                     "error: 905^Document\n"
                                     "\tillisible\n",
                                     "From: bal@hopital.example.fr\n"
                                     "Message-ID: <navette.7.mss.aa@hopital.example.fr>\n");
  absl::StatusOr<ParsedMail> mail = ParseMail(raw);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_EQ(mail->kind, Kind::kDisposition);
  EXPECT_EQ(mail->message_id, "report.1@lps.example.fr");
  EXPECT_EQ(mail->from, "ua@lps.example.fr");
  EXPECT_EQ(mail->final_recipient, "dr.x@example.mssante.fr");
  EXPECT_EQ(mail->original_recipient, "");
  // No Original-Message-ID field: the returned headers give it.
  EXPECT_EQ(mail->original_message_id, "navette.7.mss.aa@hopital.example.fr");
  EXPECT_EQ(mail->disposition, "manual-action/MDN-sent-manually; processed/error");
  EXPECT_FALSE(mail->disposition_processed);
  EXPECT_EQ(mail->error_code, "905");
  EXPECT_EQ(mail->error_label, "Document illisible");
}

TEST(MailReceiptsTest, DispositionTypesOtherThanProcessed) {
  struct Case {
    std::string disposition;
    bool processed;
  };
  for (const Case& c : std::vector<Case>{
           {"automatic-action/MDN-sent-automatically; displayed", true},
           {"manual-action/MDN-sent-manually; Displayed", true},
           {"automatic-action/MDN-sent-automatically; deleted", false},
           {"automatic-action/MDN-sent-automatically; dispatched", false},
           {"automatic-action/MDN-sent-automatically; processed/Error: 906", false},
       }) {
    SCOPED_TRACE(c.disposition);
    absl::StatusOr<ParsedMail> mail = ParseMail(
        ReportMail("disposition-notification", "disposition-notification",
                   "Final-Recipient: rfc822;a@b.fr\nOriginal-Message-ID: <x@y.fr>\nDisposition: " +
                       c.disposition + "\n"));
    ASSERT_TRUE(mail.ok()) << mail.status();
    EXPECT_EQ(mail->kind, Kind::kDisposition);
    EXPECT_EQ(mail->original_message_id, "x@y.fr");
    EXPECT_EQ(mail->disposition_processed, c.processed);
  }
  absl::StatusOr<ParsedMail> numeric =
      ParseMail(ReportMail("disposition-notification", "disposition-notification",
                           "Disposition: automatic-action/MDN-sent-automatically; "
                           "processed/Error: 906\n"));
  ASSERT_TRUE(numeric.ok());
  EXPECT_EQ(numeric->error_code, "906");
  EXPECT_EQ(numeric->error_label, "");
}

TEST(MailReceiptsTest, DsnFieldVariants) {
  absl::StatusOr<ParsedMail> mail = ParseMail(
      ReportMail("delivery-status", "delivery-status",
                 "reporting-mta: dns; mx.example.fr\n"
                 "\n"
                 "final-recipient: RFC822;\n"
                 "  <dr.y@example.mssante.fr>\n"
                 "ACTION: Delayed\n"
                 "status: 4.4.1 (connection timed out)\n"
                 "diagnostic-code: X-Postfix; connect to mx.example.fr[192.0.2.1]:25: Connection\n"
                 "    timed out\n"
                 "  \t \n"
                 "Final-Recipient: utf-8; élise@example.mssante.fr\n"
                 "Action: expanded\n"
                 "Status: 2.0.0\n",
                 "Message-Id: <navette.9.mss.bb@hopital.example.fr>\n"));
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_EQ(mail->kind, Kind::kDeliveryStatus);
  EXPECT_EQ(mail->original_message_id, "navette.9.mss.bb@hopital.example.fr");
  ASSERT_EQ(mail->statuses.size(), 2u);
  EXPECT_EQ(mail->statuses[0].final_recipient, "dr.y@example.mssante.fr");
  EXPECT_EQ(mail->statuses[0].original_recipient, "");
  EXPECT_EQ(mail->statuses[0].action, "delayed");
  EXPECT_EQ(mail->statuses[0].status, "4.4.1");
  EXPECT_EQ(mail->statuses[0].diagnostic,
            "connect to mx.example.fr[192.0.2.1]:25: Connection timed out");
  EXPECT_EQ(mail->statuses[1].final_recipient, "élise@example.mssante.fr");
  EXPECT_EQ(mail->statuses[1].action, "expanded");
  EXPECT_EQ(mail->statuses[1].diagnostic, "");
}

// GMime 3.2.13 gives message/delivery-status as a GMimePart; a build (or a
// program) that registers it as a message type gets a GMimeMessagePart, whose
// per-message block GMime reads as the headers of a message. Both must read
// the same.
// Whether GMime reads message/delivery-status as a part or as an embedded
// message depends on its type registry; ParseMail reads both the same way.
// GMime leaks the old key when a type is registered again, so the other
// registration is tried in a child process (a death test), which exits
// without LeakSanitizer's exit-time check.
bool SameStatuses(const ParsedMail& a, const ParsedMail& b) {
  if (a.kind != b.kind || a.original_message_id != b.original_message_id ||
      a.statuses.size() != b.statuses.size()) {
    return false;
  }
  for (size_t i = 0; i < a.statuses.size(); ++i) {
    const DeliveryStatus& x = a.statuses[i];
    const DeliveryStatus& y = b.statuses[i];
    if (x.final_recipient != y.final_recipient || x.original_recipient != y.original_recipient ||
        x.action != y.action || x.status != y.status || x.diagnostic != y.diagnostic) {
      return false;
    }
  }
  return true;
}

TEST(MailReceiptsTest, DeliveryStatusParsedAsMessagePart) {
  EnsureGMimeInitialized();
  const std::string raw = ReadTestData("dsn_success.eml");
  const absl::StatusOr<ParsedMail> as_part = ParseMail(raw);
  ASSERT_TRUE(as_part.ok()) << as_part.status();
  ASSERT_EQ(as_part->kind, Kind::kDeliveryStatus);
  EXPECT_EXIT(
      {
        g_mime_object_register_type("message", "delivery-status", GMIME_TYPE_MESSAGE_PART);
        // The registration took: this exercises the other path.
        GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
        GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
        GObjectPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
        GMimeObject* report =
            message == nullptr
                ? nullptr
                : g_mime_multipart_get_part(
                      GMIME_MULTIPART(g_mime_message_get_mime_part(message.get())), 1);
        if (report == nullptr || !GMIME_IS_MESSAGE_PART(report)) {
          std::fputs("the report is not a message part", stderr);
          std::_Exit(2);
        }
        const absl::StatusOr<ParsedMail> as_message = ParseMail(raw);
        if (!as_message.ok() || !SameStatuses(*as_message, *as_part)) {
          std::fputs("read differently as a message part", stderr);
          std::_Exit(3);
        }
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(MailReceiptsTest, ForwardedReceiptInsideAMessageIsNotAReceipt) {
  EnsureGMimeInitialized();
  const std::string inner = ReadTestData("mdn_processed.eml");
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(inner.data(), inner.size()));
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GObjectPtr<GMimeMessage> forwarded(g_mime_parser_construct_message(parser.get(), nullptr));
  ASSERT_NE(forwarded, nullptr);
  GObjectPtr<GMimeMessage> outer(g_mime_message_new(TRUE));
  g_mime_message_add_mailbox(outer.get(), GMIME_ADDRESS_TYPE_FROM, nullptr, "someone@example.fr");
  g_mime_message_set_subject(outer.get(), "Fwd: accusé", "utf-8");
  GObjectPtr<GMimeMessagePart> attached(
      g_mime_message_part_new_with_message("rfc822", forwarded.get()));
  GObjectPtr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
  g_mime_multipart_add(mixed.get(), GMIME_OBJECT(attached.get()));
  g_mime_message_set_mime_part(outer.get(), GMIME_OBJECT(mixed.get()));
  GCharPtr raw(g_mime_object_to_string(GMIME_OBJECT(outer.get()), nullptr));

  absl::StatusOr<ParsedMail> mail = ParseMail(raw.get());
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_EQ(mail->kind, Kind::kOther);
  EXPECT_EQ(mail->subject, "Fwd: accusé");
  EXPECT_EQ(mail->from, "someone@example.fr");
}

TEST(MailReceiptsTest, GarbageIsAnErrorNotACrash) {
  EXPECT_FALSE(ParseMail("").ok());
  EXPECT_FALSE(ParseMail(" \r\n\r\n").ok());
  EXPECT_FALSE(ParseMail(std::string("\0\0\0\0", 4)).ok());
  // Bytes with no ':' cannot hold a header field.
  std::string binary;
  uint32_t state = 12345;
  for (int i = 0; i < 4096; ++i) {
    state = state * 1103515245u + 12345u;
    const char byte = static_cast<char>(0x80 | ((state >> 16) & 0x7f));
    binary.push_back(byte);
  }
  absl::StatusOr<ParsedMail> parsed = ParseMail(binary);
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
}

// Every cut of every sample either parses or is refused; invalid UTF-8 in a
// report comes out replaced, so the strings stay UTF-8.
TEST(MailReceiptsTest, TruncatedAndCorruptedSamplesNeverCrash) {
  for (const char* name : {"dsn_success.eml", "dsn_failure.eml", "mdn_processed.eml",
                           "mdn_error.eml", "plain_reply.eml"}) {
    SCOPED_TRACE(name);
    const std::string raw = ReadTestData(name);
    for (size_t cut = 0; cut <= raw.size(); cut += 13) {
      absl::StatusOr<ParsedMail> mail = ParseMail(std::string_view(raw).substr(0, cut));
      if (mail.ok()) {
        EXPECT_TRUE(g_utf8_validate_len(mail->subject.data(), mail->subject.size(), nullptr));
      }
    }
    std::string corrupted =
        absl::StrReplaceAll(raw, {{"rfc822;", "rfc822;\xff\xfe"}, {"5.1.1", "\xc3"}});
    absl::StatusOr<ParsedMail> mail = ParseMail(corrupted);
    ASSERT_TRUE(mail.ok());
    for (const DeliveryStatus& status : mail->statuses) {
      EXPECT_TRUE(g_utf8_validate_len(status.final_recipient.data(), status.final_recipient.size(),
                                      nullptr));
      EXPECT_TRUE(g_utf8_validate_len(status.status.data(), status.status.size(), nullptr));
    }
    EXPECT_TRUE(
        g_utf8_validate_len(mail->final_recipient.data(), mail->final_recipient.size(), nullptr));
  }
}

// Delivery workers render and the receipts source parses at the same time;
// GMime objects are per call, its tables set up once.
TEST(MailReceiptsTest, RenderAndParseOnSeveralThreads) {
  const std::string dsn = ReadTestData("dsn_failure.eml");
  const std::string mdn = ReadTestData("mdn_error.eml");
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        absl::StatusOr<std::string> raw = RenderMessage(MailMessage{
            .from = "bal@hopital.example.fr",
            .to = {"dr.x@example.mssante.fr"},
            .subject = XdmSubject("Compte rendu opératoire"),
            .body_text = "Texte accentué.\n",
            .message_id = "navette." + std::to_string(t * 1000 + i) + ".mss@hopital.example.fr",
            .date = absl::FromUnixSeconds(1700000000 + i),
            .attachments = {{.file_name = "IHE_XDM.ZIP",
                             .media_type = "application/zip",
                             .bytes = std::string(3000, static_cast<char>(i))}},
        });
        absl::StatusOr<ParsedMail> back = raw.ok() ? ParseMail(*raw) : raw.status();
        absl::StatusOr<ParsedMail> receipt = ParseMail(i % 2 == 0 ? dsn : mdn);
        if (!back.ok() || back->subject != "XDM/1.0/DDM+Compte rendu opératoire" || !receipt.ok() ||
            receipt->kind == Kind::kOther) {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace navette::adapters::mssante::mime
