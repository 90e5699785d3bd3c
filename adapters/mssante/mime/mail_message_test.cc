#include "adapters/mssante/mime/mail_message.h"

#include <gmime/gmime.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "adapters/mssante/mime/gmime_support.h"

namespace navette::adapters::mssante::mime {
namespace {

const std::string kFrenchSubject = "Lettre de liaison — sortie d'hospitalisation, Hélène";

// Every byte value, NULs and bare CR / LF included, so that an encoding step
// that treats the attachment as text shows up.
std::string BinaryBytes() {
  std::string bytes = std::string("PK\x03\x04", 4);
  for (int round = 0; round < 7; ++round) {
    for (int value = 0; value < 256; ++value) bytes.push_back(static_cast<char>(value));
  }
  bytes.append(std::string(50, '\0'));
  return bytes;
}

MailMessage SampleMessage() {
  return MailMessage{
      .from = "bal.lettres@hopital-nord.mssante.fr",
      .to = {"dr.martin@medecins-exemple.mssante.fr", "secretariat@clinique-sud.mssante.fr"},
      .reply_to = "secretariat.medical@hopital-nord.mssante.fr",
      .subject = XdmSubject(kFrenchSubject),
      .body_text = "Bonjour,\nVeuillez trouver ci-joint la lettre de liaison.\nCordialement,\n",
      .message_id = "navette.42.mss.ab12@hopital-nord.mssante.fr",
      .date = absl::FromUnixSeconds(1700000000),
      .headers = {{"X-MSS-NIL", "NAVETTE-0.1"},
                  {"X-MSS-CODECDA", "11490-0,34133-9"},
                  {"X-MSS-INS", "O"},
                  {"X-Navette-Note", "Hôpital Nord"}},
      .disposition_notification_to = "bal.lettres@hopital-nord.mssante.fr",
      .attachments = {{.file_name = "IHE_XDM.ZIP",
                       .media_type = "application/zip",
                       .bytes = BinaryBytes()},
                      {.file_name = "Lettre de liaison.pdf",
                       .media_type = "application/pdf",
                       .bytes = std::string("%PDF-1.7\n\0\r\n%%EOF", 18)}},
  };
}

std::string HeaderSection(const std::string& raw) { return raw.substr(0, raw.find("\r\n\r\n")); }

// The raw (still encoded) value of `name` in the top-level header section,
// with its folding removed.
std::string RawHeader(const std::string& raw, const std::string& name) {
  std::string value;
  bool in_header = false;
  for (absl::string_view line : absl::StrSplit(HeaderSection(raw), "\r\n")) {
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      if (in_header) value.append(line.data(), line.size());
      continue;
    }
    in_header = absl::StartsWithIgnoreCase(line, absl::StrCat(name, ":"));
    if (in_header) value = std::string(line.substr(name.size() + 1));
  }
  return value;
}

GObjectPtr<GMimeMessage> ParseBack(const std::string& raw) {
  EnsureGMimeInitialized();
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  return GObjectPtr<GMimeMessage>(g_mime_parser_construct_message(parser.get(), nullptr));
}

std::string DecodedContent(GMimeObject* part) {
  GObjectPtr<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(GMIME_PART(part)), out.get());
  return StreamBytes(out.get());
}

std::vector<std::string> Addresses(InternetAddressList* list) {
  std::vector<std::string> out;
  for (int i = 0; i < internet_address_list_length(list); ++i) {
    out.emplace_back(internet_address_mailbox_get_addr(
        INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(list, i))));
  }
  return out;
}

TEST(MailMessageTest, XdmSubjectPrefixesWithoutTruncating) {
  const std::string long_title(500, 'A');
  EXPECT_EQ(XdmSubject("ECHOGRAPHIE"), "XDM/1.0/DDM+ECHOGRAPHIE");
  EXPECT_EQ(XdmSubject(long_title), "XDM/1.0/DDM+" + long_title);
}

TEST(MailMessageTest, FrenchSubjectIsEncodedWordsThatDecodeBack) {
  absl::StatusOr<std::string> raw = RenderMessage(SampleMessage());
  ASSERT_TRUE(raw.ok()) << raw.status();
  const std::string subject = RawHeader(*raw, "Subject");
  EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(subject), "=?utf-8?")) << subject;
  // No raw 8-bit byte anywhere in the header section: all of it is encoded.
  const std::string headers = HeaderSection(*raw);
  EXPECT_TRUE(std::all_of(headers.begin(), headers.end(),
                          [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
  GObjectPtr<GMimeMessage> parsed = ParseBack(*raw);
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(std::string(g_mime_message_get_subject(parsed.get())), XdmSubject(kFrenchSubject));
}

TEST(MailMessageTest, AddressesIdDateAndReadReceiptReadBack) {
  const MailMessage message = SampleMessage();
  absl::StatusOr<std::string> raw = RenderMessage(message);
  ASSERT_TRUE(raw.ok()) << raw.status();
  GObjectPtr<GMimeMessage> parsed = ParseBack(*raw);
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(Addresses(g_mime_message_get_from(parsed.get())),
            std::vector<std::string>{message.from});
  EXPECT_EQ(Addresses(g_mime_message_get_to(parsed.get())), message.to);
  EXPECT_EQ(Addresses(g_mime_message_get_reply_to(parsed.get())),
            std::vector<std::string>{message.reply_to});
  EXPECT_EQ(std::string(g_mime_message_get_message_id(parsed.get())), message.message_id);
  EXPECT_EQ(RawHeader(*raw, "Message-ID"), " <" + message.message_id + ">");
  GDateTime* date = g_mime_message_get_date(parsed.get());
  ASSERT_NE(date, nullptr);
  EXPECT_EQ(g_date_time_to_unix(date), absl::ToUnixSeconds(message.date));
  EXPECT_EQ(RawHeader(*raw, "Disposition-Notification-To"),
            " " + message.disposition_notification_to);
  EXPECT_EQ(RawHeader(*raw, "Sender"), "");
  EXPECT_EQ(RawHeader(*raw, "Bcc"), "");
}

TEST(MailMessageTest, CallersHeadersAreKeptInOrder) {
  absl::StatusOr<std::string> raw = RenderMessage(SampleMessage());
  ASSERT_TRUE(raw.ok()) << raw.status();
  const std::string headers = HeaderSection(*raw);
  const size_t nil = headers.find("\r\nX-MSS-NIL: NAVETTE-0.1\r\n");
  const size_t code = headers.find("\r\nX-MSS-CODECDA: 11490-0,34133-9\r\n");
  const size_t ins = headers.find("\r\nX-MSS-INS: O\r\n");
  ASSERT_NE(nil, std::string::npos) << headers;
  ASSERT_NE(code, std::string::npos) << headers;
  ASSERT_NE(ins, std::string::npos) << headers;
  EXPECT_LT(nil, code);
  EXPECT_LT(code, ins);
  GObjectPtr<GMimeMessage> parsed = ParseBack(*raw);
  ASSERT_NE(parsed, nullptr);
  // A non-ASCII value is encoded, and decodes back.
  EXPECT_TRUE(absl::StrContains(RawHeader(*raw, "X-Navette-Note"), "=?"));
  EXPECT_EQ(std::string(g_mime_object_get_header(GMIME_OBJECT(parsed.get()), "X-Navette-Note")),
            "Hôpital Nord");
}

TEST(MailMessageTest, MultipartMixedWithUtf8TextThenBase64Attachments) {
  const MailMessage message = SampleMessage();
  absl::StatusOr<std::string> raw = RenderMessage(message);
  ASSERT_TRUE(raw.ok()) << raw.status();
  GObjectPtr<GMimeMessage> parsed = ParseBack(*raw);
  ASSERT_NE(parsed, nullptr);
  GMimeObject* top = g_mime_message_get_mime_part(parsed.get());
  ASSERT_TRUE(GMIME_IS_MULTIPART(top));
  EXPECT_TRUE(
      g_mime_content_type_is_type(g_mime_object_get_content_type(top), "multipart", "mixed"));
  GMimeMultipart* mixed = GMIME_MULTIPART(top);
  ASSERT_EQ(g_mime_multipart_get_count(mixed), 1 + static_cast<int>(message.attachments.size()));

  GMimeObject* text = g_mime_multipart_get_part(mixed, 0);
  EXPECT_TRUE(g_mime_content_type_is_type(g_mime_object_get_content_type(text), "text", "plain"));
  EXPECT_EQ(std::string(g_mime_object_get_content_type_parameter(text, "charset")), "utf-8");
  const GMimeContentEncoding text_encoding = g_mime_part_get_content_encoding(GMIME_PART(text));
  EXPECT_TRUE(text_encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
              text_encoding == GMIME_CONTENT_ENCODING_BASE64 ||
              text_encoding == GMIME_CONTENT_ENCODING_7BIT)
      << text_encoding;
  EXPECT_EQ(absl::StrReplaceAll(DecodedContent(text), {{"\r\n", "\n"}}), message.body_text);

  for (size_t i = 0; i < message.attachments.size(); ++i) {
    SCOPED_TRACE(message.attachments[i].file_name);
    GMimeObject* part = g_mime_multipart_get_part(mixed, static_cast<int>(i) + 1);
    ASSERT_TRUE(GMIME_IS_PART(part));
    char* type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(part));
    EXPECT_EQ(std::string(type), message.attachments[i].media_type);
    g_free(type);
    EXPECT_EQ(g_mime_part_get_content_encoding(GMIME_PART(part)), GMIME_CONTENT_ENCODING_BASE64);
    EXPECT_STREQ(g_mime_object_get_disposition(part), "attachment");
    EXPECT_EQ(std::string(g_mime_part_get_filename(GMIME_PART(part))),
              message.attachments[i].file_name);
    EXPECT_EQ(DecodedContent(part), message.attachments[i].bytes);
  }
}

TEST(MailMessageTest, AsciiBodyWithShortLinesStays7bit) {
  MailMessage message = SampleMessage();
  message.body_text = "Hello\nplain text\n";
  absl::StatusOr<std::string> raw = RenderMessage(message);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_TRUE(absl::StrContains(*raw, "Content-Transfer-Encoding: 7bit\r\n\r\nHello\r\nplain text"))
      << *raw;
}

TEST(MailMessageTest, BodyLineEndsBecomeCrlf) {
  MailMessage message = SampleMessage();
  message.body_text = "un\r\ndeux\rtrois\nquatre été";
  absl::StatusOr<std::string> raw = RenderMessage(message);
  ASSERT_TRUE(raw.ok()) << raw.status();
  GObjectPtr<GMimeMessage> parsed = ParseBack(*raw);
  ASSERT_NE(parsed, nullptr);
  GMimeObject* text =
      g_mime_multipart_get_part(GMIME_MULTIPART(g_mime_message_get_mime_part(parsed.get())), 0);
  // GMime hands decoded text back with LF line ends; a bare CR is a line end too.
  EXPECT_EQ(absl::StrReplaceAll(DecodedContent(text), {{"\r\n", "\n"}}),
            "un\ndeux\ntrois\nquatre été");
  if (g_mime_part_get_content_encoding(GMIME_PART(text)) ==
      GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE) {
    EXPECT_TRUE(absl::StrContains(*raw, "\r\n\r\nun\r\ndeux\r\ntrois\r\nquatre =C3=A9t=C3=A9"))
        << *raw;
  }
}

// SMTP DATA wants CRLF line ends and at most 998 characters a line, even for
// a long subject, a long header value without spaces and a long body line.
TEST(MailMessageTest, EveryLineEndsWithCrlfAndFitsIn998Characters) {
  MailMessage message = SampleMessage();
  message.subject = XdmSubject(std::string(1500, 'e') + " é " + std::string(1200, 'x'));
  message.headers.emplace_back("X-MSS-CODECDA", std::string(1100, '1'));
  message.body_text = std::string(3000, 'b') + "\n" + std::string(2000, 'c');
  absl::StatusOr<std::string> raw = RenderMessage(message);
  ASSERT_TRUE(raw.ok()) << raw.status();
  ASSERT_TRUE(absl::EndsWith(*raw, "\r\n"));
  size_t lines = 0;
  for (absl::string_view line : absl::StrSplit(*raw, "\r\n")) {
    ++lines;
    EXPECT_LE(line.size(), 998u);
    EXPECT_FALSE(absl::StrContains(line, "\r")) << "bare CR on line " << lines;
    EXPECT_FALSE(absl::StrContains(line, "\n")) << "bare LF on line " << lines;
  }
  EXPECT_GT(lines, 20u);
  GObjectPtr<GMimeMessage> parsed = ParseBack(*raw);
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(std::string(g_mime_message_get_subject(parsed.get())), message.subject);
  GMimeObject* text =
      g_mime_multipart_get_part(GMIME_MULTIPART(g_mime_message_get_mime_part(parsed.get())), 0);
  EXPECT_EQ(absl::StrReplaceAll(DecodedContent(text), {{"\r\n", "\n"}}), message.body_text);
}

struct Refusal {
  std::string case_name;
  void (*mutate)(MailMessage&);
  std::string names;  // the field or header the error must name
};

TEST(MailMessageTest, RefusesInjectionAndInvalidFieldsNamingThem) {
  const std::string kIns = "1234567890123@patient.mssante.fr";
  const std::vector<Refusal> refusals = {
      {"subject CRLF", [](MailMessage& m) { m.subject = "Lettre\r\nBcc: evil@example.com"; },
       "Subject"},
      {"subject LF", [](MailMessage& m) { m.subject = "Lettre\nX: y"; }, "Subject"},
      {"header value CR",
       [](MailMessage& m) { m.headers.emplace_back("X-MSS-MES", "FIN\rBcc: evil@example.com"); },
       "X-MSS-MES"},
      {"header name colon", [](MailMessage& m) { m.headers.emplace_back("X-Bad:Name", "v"); },
       "header name"},
      {"header name space", [](MailMessage& m) { m.headers.emplace_back("X Bad", "v"); },
       "header name"},
      {"reserved Bcc", [](MailMessage& m) { m.headers.emplace_back("Bcc", "a@b.fr"); }, "Bcc"},
      {"reserved Content-Type",
       [](MailMessage& m) { m.headers.emplace_back("content-type", "text/html"); }, "content-type"},
      {"header not UTF-8", [](MailMessage& m) { m.headers.emplace_back("X-Note", "\xe9t\xe9"); },
       "X-Note"},
      {"To CRLF",
       [](MailMessage& m) { m.to.push_back("dr.x@medecins.mssante.fr\r\nBcc: evil@example.com"); },
       "To (recipient 4)"},
      {"To without @", [](MailMessage& m) { m.to[0] = "dr.martin"; }, "To (recipient 1)"},
      {"To two mailboxes", [](MailMessage& m) { m.to[1] = "a@b.fr, c@d.fr"; }, "To (recipient 2)"},
      {"no To", [](MailMessage& m) { m.to.clear(); }, "To"},
      {"From without @", [](MailMessage& m) { m.from = "bal"; }, "From"},
      {"Reply-To group", [](MailMessage& m) { m.reply_to = "team: a@b.fr;"; }, "Reply-To"},
      {"DNT LF", [](MailMessage& m) { m.disposition_notification_to = "a@b.fr\nX: y"; },
       "Disposition-Notification-To"},
      {"message id brackets", [](MailMessage& m) { m.message_id = "<a@b.fr>"; }, "Message-ID"},
      {"message id without @", [](MailMessage& m) { m.message_id = "navette.42"; }, "Message-ID"},
      {"message id CRLF", [](MailMessage& m) { m.message_id = "a@b.fr\r\nBcc: x@y.fr"; },
       "Message-ID"},
      {"body not UTF-8", [](MailMessage& m) { m.body_text = "caf\xe9"; }, "body"},
      {"body NUL", [](MailMessage& m) { m.body_text = std::string("a\0b", 3); }, "body"},
      {"attachment name", [](MailMessage& m) { m.attachments[1].file_name = ""; }, "attachment 2"},
      {"attachment name CRLF", [](MailMessage& m) { m.attachments[0].file_name = "a.zip\r\nX: y"; },
       "attachment 1"},
      {"attachment type", [](MailMessage& m) { m.attachments[0].media_type = "zip"; },
       "attachment 1"},
      {"attachment params",
       [](MailMessage& m) { m.attachments[0].media_type = "application/zip; x=y"; },
       "attachment 1"},
      {"attachment multipart",
       [](MailMessage& m) { m.attachments[0].media_type = "multipart/mixed"; }, "attachment 1"},
      {"date infinite", [](MailMessage& m) { m.date = absl::InfiniteFuture(); }, "Date"},
  };
  for (const Refusal& refusal : refusals) {
    SCOPED_TRACE(refusal.case_name);
    MailMessage message = SampleMessage();
    message.to.push_back(kIns);
    refusal.mutate(message);
    absl::StatusOr<std::string> raw = RenderMessage(message);
    ASSERT_FALSE(raw.ok());
    EXPECT_EQ(raw.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string text(raw.status().message());
    EXPECT_TRUE(absl::StrContains(text, refusal.names)) << text;
    // Errors go to logs and the history: they never quote an address or value.
    EXPECT_FALSE(absl::StrContains(text, "@")) << text;
    EXPECT_FALSE(absl::StrContains(text, "evil")) << text;
  }
}

TEST(MailMessageTest, DisplayNamesAreKeptAndEncoded) {
  MailMessage message = SampleMessage();
  message.from = "Hôpital Nord <bal.lettres@hopital-nord.mssante.fr>";
  absl::StatusOr<std::string> raw = RenderMessage(message);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_TRUE(absl::StrContains(RawHeader(*raw, "From"), "=?")) << RawHeader(*raw, "From");
  GObjectPtr<GMimeMessage> parsed = ParseBack(*raw);
  ASSERT_NE(parsed, nullptr);
  InternetAddress* from =
      internet_address_list_get_address(g_mime_message_get_from(parsed.get()), 0);
  EXPECT_EQ(std::string(internet_address_get_name(from)), "Hôpital Nord");
  EXPECT_EQ(std::string(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(from))),
            "bal.lettres@hopital-nord.mssante.fr");
}

}  // namespace
}  // namespace navette::adapters::mssante::mime
