#include "adapters/mssante/mime/mail_message.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "adapters/mssante/mime/gmime_support.h"
#include "adapters/mssante/mime/report_fields.h"
#include "fmt/format.h"

namespace navette::adapters::mssante::mime {
namespace {

// RFC 5322 §2.1.1: a line is at most 998 characters before its CRLF.
constexpr size_t kMaxLineLength = 998;

// Headers that RenderMessage writes from MailMessage's own fields (or that
// must never be in a sent message: Bcc), so a free header cannot duplicate
// or contradict them. Content-* are refused by prefix.
constexpr std::array<std::string_view, 11> kReservedHeaders = {"from",
                                                               "sender",
                                                               "to",
                                                               "cc",
                                                               "bcc",
                                                               "reply-to",
                                                               "subject",
                                                               "date",
                                                               "message-id",
                                                               "mime-version",
                                                               "disposition-notification-to"};

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t') || byte == 0x7f;
  });
}

bool IsUtf8(std::string_view text) {
  return g_utf8_validate_len(text.data(), text.size(), nullptr);
}

// Subject and header values: no line breaks (a CR or LF would let the value
// start a header of its own), UTF-8 for GMime's encoded words.
absl::Status CheckHeaderValue(std::string_view name, std::string_view value) {
  if (HasControlCharacter(value)) {
    return absl::InvalidArgumentError(
        fmt::format("header {}: value holds CR, LF or another control character", name));
  }
  if (!IsUtf8(value)) {
    return absl::InvalidArgumentError(fmt::format("header {}: value is not UTF-8", name));
  }
  return absl::OkStatus();
}

absl::Status CheckHeaderName(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("a header has an empty name");
  // RFC 5322 §3.6.8 ftext: printable US-ASCII except ':'.
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 33 || byte > 126 || c == ':') {
      return absl::InvalidArgumentError(
          "a header name holds a character outside printable ASCII or a ':'");
    }
  }
  const std::string lower = LowerAscii(name);
  if (lower.starts_with("content-") || std::find(kReservedHeaders.begin(), kReservedHeaders.end(),
                                                 lower) != kReservedHeaders.end()) {
    return absl::InvalidArgumentError(
        fmt::format("header {}: set by the message itself, not a free header", name));
  }
  return absl::OkStatus();
}

// One mailbox, parsed by GMime, with an '@' in its address. `field` names the
// header in the error; the address itself is never quoted (it may be a
// patient's INS address).
absl::StatusOr<GObjectPtr<InternetAddress>> ParseMailbox(std::string_view field,
                                                         std::string_view address) {
  if (address.empty()) return absl::InvalidArgumentError(fmt::format("{}: empty address", field));
  if (HasControlCharacter(address) || !IsUtf8(address)) {
    return absl::InvalidArgumentError(
        fmt::format("{}: address holds CR, LF or another control character", field));
  }
  const std::string text(address);
  GObjectPtr<InternetAddressList> list(internet_address_list_parse(nullptr, text.c_str()));
  if (list == nullptr || internet_address_list_length(list.get()) != 1) {
    return absl::InvalidArgumentError(fmt::format("{}: not exactly one mailbox", field));
  }
  InternetAddress* parsed = internet_address_list_get_address(list.get(), 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX(parsed)) {
    return absl::InvalidArgumentError(fmt::format("{}: a group, not a mailbox", field));
  }
  const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(parsed));
  const std::string_view addr_view = addr == nullptr ? std::string_view() : addr;
  const size_t at = addr_view.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == addr_view.size()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: address has no at sign followed by a domain", field));
  }
  // A display name given with the address ("Service X <bal@...>") is kept,
  // encoded as UTF-8 words if it is not ASCII.
  internet_address_set_charset(parsed, "utf-8");
  return GObjectPtr<InternetAddress>(INTERNET_ADDRESS(g_object_ref(parsed)));
}

absl::Status AddMailbox(InternetAddressList* list, std::string_view field,
                        std::string_view address) {
  absl::StatusOr<GObjectPtr<InternetAddress>> mailbox = ParseMailbox(field, address);
  if (!mailbox.ok()) return mailbox.status();
  internet_address_list_add(list, mailbox->get());
  return absl::OkStatus();
}

// RFC 5322 msg-id without its angle brackets: id-left "@" id-right, printable
// ASCII, none of the characters that would end or break the <...> form.
absl::Status CheckMessageId(std::string_view id) {
  const size_t at = id.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == id.size()) {
    return absl::InvalidArgumentError("Message-ID: not of the form left, at sign, right");
  }
  for (char c : id) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 33 || byte > 126 ||
        std::string_view("<>()[]\\,;:\"").find(c) != std::string_view::npos) {
      return absl::InvalidArgumentError(
          "Message-ID: holds a space, a control character or one of <>()[]\\,;:\"");
    }
  }
  return absl::OkStatus();
}

// RFC 2045 token characters, for the two halves of a media type.
bool IsMimeToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 32 && byte < 127 &&
           std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
  });
}

// Bare CR and CRLF become LF: GMime writes each LF as CRLF with the DOS
// newline format, and would leave a bare CR where SMTP forbids it.
std::string UnixLineEnds(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// A GMimePart whose content is `bytes`, unencoded; GMime applies the part's
// Content-Transfer-Encoding when it writes the message.
GObjectPtr<GMimePart> PartWithContent(const char* type, const char* subtype,
                                      std::string_view bytes) {
  GObjectPtr<GMimePart> part(g_mime_part_new_with_type(type, subtype));
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  GObjectPtr<GMimeDataWrapper> content(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part.get(), content.get());
  return part;
}

absl::StatusOr<GObjectPtr<GMimePart>> BodyPart(std::string_view body_text) {
  if (!IsUtf8(body_text)) {
    return absl::InvalidArgumentError("body: not UTF-8 text (or holds NUL)");
  }
  GObjectPtr<GMimePart> part = PartWithContent("text", "plain", UnixLineEnds(body_text));
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(part.get()), "charset", "utf-8");
  // The 7-bit constraint keeps the message valid for a relay without
  // 8BITMIME: GMime picks quoted-printable or base64 for accented text and
  // for lines over 998 characters, and leaves short ASCII lines as they are.
  GMimeContentEncoding encoding =
      g_mime_part_get_best_content_encoding(part.get(), GMIME_ENCODING_CONSTRAINT_7BIT);
  if (encoding == GMIME_CONTENT_ENCODING_DEFAULT) encoding = GMIME_CONTENT_ENCODING_7BIT;
  g_mime_part_set_content_encoding(part.get(), encoding);
  return part;
}

absl::StatusOr<GObjectPtr<GMimePart>> AttachmentPart(const MailAttachment& attachment,
                                                     size_t index) {
  const std::string field = fmt::format("attachment {}", index + 1);
  if (attachment.file_name.empty()) {
    return absl::InvalidArgumentError(fmt::format("{}: empty file name", field));
  }
  if (HasControlCharacter(attachment.file_name) || !IsUtf8(attachment.file_name)) {
    return absl::InvalidArgumentError(
        fmt::format("{}: file name holds a control character or is not UTF-8", field));
  }
  const size_t slash = attachment.media_type.find('/');
  const std::string type = attachment.media_type.substr(0, slash);
  const std::string subtype =
      slash == std::string::npos ? std::string() : attachment.media_type.substr(slash + 1);
  if (!IsMimeToken(type) || !IsMimeToken(subtype)) {
    return absl::InvalidArgumentError(
        fmt::format("{}: media type is not of the form type/subtype", field));
  }
  // RFC 2045 §6.4: multipart and message entities are never base64-encoded.
  const std::string lower_type = LowerAscii(type);
  if (lower_type == "multipart" || lower_type == "message") {
    return absl::InvalidArgumentError(
        fmt::format("{}: a {}/* attachment cannot be sent as base64", field, lower_type));
  }
  GObjectPtr<GMimePart> part = PartWithContent(type.c_str(), subtype.c_str(), attachment.bytes);
  g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
  g_mime_object_set_disposition(GMIME_OBJECT(part.get()), GMIME_DISPOSITION_ATTACHMENT);
  // Sets both Content-Disposition's filename and Content-Type's name.
  g_mime_part_set_filename(part.get(), attachment.file_name.c_str());
  return part;
}

// What GMime wrote is checked rather than trusted: every line ends with CRLF
// and none is over 998 characters (GMime folds at whitespace and splits a
// long word into encoded words, so this holds unless GMime changes).
absl::Status CheckWireForm(std::string_view bytes) {
  size_t line_start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n') {
      if (i == 0 || bytes[i - 1] != '\r') {
        return absl::InternalError(fmt::format("GMime wrote a bare LF at byte {}", i));
      }
      if (i - 1 - line_start > kMaxLineLength) {
        return absl::InternalError(
            fmt::format("GMime wrote a line of {} characters at byte {}, over the 998 of RFC 5322",
                        i - 1 - line_start, line_start));
      }
      line_start = i + 1;
    } else if (bytes[i] == '\r' && (i + 1 == bytes.size() || bytes[i + 1] != '\n')) {
      return absl::InternalError(fmt::format("GMime wrote a bare CR at byte {}", i));
    }
  }
  if (line_start != bytes.size()) return absl::InternalError("the message does not end with CRLF");
  return absl::OkStatus();
}

}  // namespace

std::string XdmSubject(std::string_view text) { return fmt::format("XDM/1.0/DDM+{}", text); }

absl::StatusOr<std::string> RenderMessage(const MailMessage& message) {
  EnsureGMimeInitialized();
  if (message.to.empty()) return absl::InvalidArgumentError("To: no recipient");
  if (absl::Status status = CheckMessageId(message.message_id); !status.ok()) return status;
  if (absl::Status status = CheckHeaderValue("Subject", message.subject); !status.ok()) {
    return status;
  }
  if (message.date == absl::InfiniteFuture() || message.date == absl::InfinitePast()) {
    return absl::InvalidArgumentError("Date: not a finite time");
  }
  for (const auto& [name, value] : message.headers) {
    if (absl::Status status = CheckHeaderName(name); !status.ok()) return status;
    if (absl::Status status = CheckHeaderValue(name, value); !status.ok()) return status;
  }

  GObjectPtr<GMimeMessage> mail(g_mime_message_new(TRUE));
  GMimeObject* mail_object = GMIME_OBJECT(mail.get());
  if (absl::Status status = AddMailbox(g_mime_message_get_from(mail.get()), "From", message.from);
      !status.ok()) {
    return status;
  }
  if (!message.reply_to.empty()) {
    if (absl::Status status =
            AddMailbox(g_mime_message_get_reply_to(mail.get()), "Reply-To", message.reply_to);
        !status.ok()) {
      return status;
    }
  }
  for (size_t i = 0; i < message.to.size(); ++i) {
    if (absl::Status status = AddMailbox(g_mime_message_get_to(mail.get()),
                                         fmt::format("To (recipient {})", i + 1), message.to[i]);
        !status.ok()) {
      return status;
    }
  }
  g_mime_message_set_subject(mail.get(), message.subject.c_str(), "utf-8");
  g_mime_message_set_message_id(mail.get(), message.message_id.c_str());
  {
    const int64_t seconds = absl::ToUnixSeconds(message.date);
    std::unique_ptr<GDateTime, decltype(&g_date_time_unref)> date(
        g_date_time_new_from_unix_utc(seconds), &g_date_time_unref);
    if (date == nullptr) return absl::InvalidArgumentError("Date: out of GLib's range");
    g_mime_message_set_date(mail.get(), date.get());
  }
  if (!message.disposition_notification_to.empty()) {
    absl::StatusOr<GObjectPtr<InternetAddress>> mailbox =
        ParseMailbox("Disposition-Notification-To", message.disposition_notification_to);
    if (!mailbox.ok()) return mailbox.status();
    FormatOptionsPtr plain(g_mime_format_options_new());
    GCharPtr text(internet_address_to_string(mailbox->get(), plain.get(), TRUE));
    g_mime_object_set_header(mail_object, "Disposition-Notification-To", text.get(), "utf-8");
  }
  for (const auto& [name, value] : message.headers) {
    // Appended, not set: the caller's order is kept and a name may repeat.
    g_mime_object_append_header(mail_object, name.c_str(), value.c_str(), "utf-8");
  }

  GObjectPtr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
  absl::StatusOr<GObjectPtr<GMimePart>> body = BodyPart(message.body_text);
  if (!body.ok()) return body.status();
  g_mime_multipart_add(mixed.get(), GMIME_OBJECT(body->get()));
  for (size_t i = 0; i < message.attachments.size(); ++i) {
    absl::StatusOr<GObjectPtr<GMimePart>> part = AttachmentPart(message.attachments[i], i);
    if (!part.ok()) return part.status();
    g_mime_multipart_add(mixed.get(), GMIME_OBJECT(part->get()));
  }
  g_mime_message_set_mime_part(mail.get(), GMIME_OBJECT(mixed.get()));

  FormatOptionsPtr options(g_mime_format_options_new());
  g_mime_format_options_set_newline_format(options.get(), GMIME_NEWLINE_FORMAT_DOS);
  GObjectPtr<GMimeStream> out(g_mime_stream_mem_new());
  if (g_mime_object_write_to_stream(mail_object, options.get(), out.get()) < 0) {
    return absl::InternalError("GMime could not write the message");
  }
  std::string bytes = StreamBytes(out.get());
  if (absl::Status status = CheckWireForm(bytes); !status.ok()) return status;
  return bytes;
}

}  // namespace navette::adapters::mssante::mime
