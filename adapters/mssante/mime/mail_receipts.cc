#include "adapters/mssante/mime/mail_receipts.h"

#include <algorithm>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "adapters/mssante/mime/gmime_support.h"
#include "adapters/mssante/mime/report_fields.h"

namespace navette::adapters::mssante::mime {
namespace {

bool IsType(GMimeObject* part, const char* type, const char* subtype) {
  return g_mime_content_type_is_type(g_mime_object_get_content_type(part), type, subtype);
}

std::optional<ParsedMail::Kind> ReportKind(GMimeObject* part) {
  if (IsType(part, "message", "delivery-status") ||
      IsType(part, "message", "global-delivery-status")) {
    return ParsedMail::Kind::kDeliveryStatus;
  }
  if (IsType(part, "message", "disposition-notification") ||
      IsType(part, "message", "global-disposition-notification")) {
    return ParsedMail::Kind::kDisposition;
  }
  return std::nullopt;
}

bool IsReturnedHeaders(GMimeObject* part) {
  return IsType(part, "text", "rfc822-headers") || IsType(part, "message", "rfc822") ||
         IsType(part, "message", "global") || IsType(part, "message", "global-headers");
}

struct ReportParts {
  GMimeObject* report = nullptr;    // the field blocks
  GMimeObject* returned = nullptr;  // the original's headers or whole message
  ParsedMail::Kind kind = ParsedMail::Kind::kOther;
};

// Depth first through multiparts, not into attached messages (a receipt
// forwarded inside message/rfc822 does not make this mail a receipt).
void FindReport(GMimeObject* object, ReportParts& found) {
  if (object == nullptr || found.report != nullptr) return;
  if (!GMIME_IS_MULTIPART(object)) {
    if (std::optional<ParsedMail::Kind> kind = ReportKind(object)) {
      found = ReportParts{.report = object, .returned = nullptr, .kind = *kind};
    }
    return;
  }
  GMimeMultipart* multipart = GMIME_MULTIPART(object);
  const int count = g_mime_multipart_get_count(multipart);
  for (int i = 0; i < count && found.report == nullptr; ++i) {
    GMimeObject* child = g_mime_multipart_get_part(multipart, i);
    if (std::optional<ParsedMail::Kind> kind = ReportKind(child)) {
      found = ReportParts{.report = child, .returned = nullptr, .kind = *kind};
      for (int j = 0; j < count; ++j) {
        GMimeObject* sibling = g_mime_multipart_get_part(multipart, j);
        if (IsReturnedHeaders(sibling)) {
          found.returned = sibling;
          break;
        }
      }
    }
  }
  for (int i = 0; i < count && found.report == nullptr; ++i) {
    FindReport(g_mime_multipart_get_part(multipart, i), found);
  }
}

// The decoded content of a leaf part, or the text of an attached message
// (GMime parses a part as a GMimeMessagePart when its type is registered as
// one: message/rfc822 always, message/delivery-status in some builds).
std::string PartText(GMimeObject* part) {
  GObjectPtr<GMimeStream> out(g_mime_stream_mem_new());
  if (GMIME_IS_MESSAGE_PART(part)) {
    GMimeMessage* message = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
    if (message != nullptr) {
      FormatOptionsPtr options(g_mime_format_options_new());
      g_mime_object_write_to_stream(GMIME_OBJECT(message), options.get(), out.get());
    }
  } else if (GMIME_IS_PART(part)) {
    GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(part));
    if (content != nullptr) g_mime_data_wrapper_write_to_stream(content, out.get());
  }
  return StreamBytes(out.get());
}

std::string DecodeMessageId(std::string_view value) {
  const std::string text(value);
  GCharPtr id(g_mime_utils_decode_message_id(text.c_str()));
  if (id != nullptr) return ValidUtf8(id.get());
  return ValidUtf8(WithoutTypePrefix(value, /*address=*/true));
}

GObjectPtr<GMimeMessage> ParseMessage(std::string_view bytes) {
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  return GObjectPtr<GMimeMessage>(g_mime_parser_construct_message(parser.get(), nullptr));
}

// The Message-ID of the returned original: an attached message, or a
// text/rfc822-headers block read as a message with headers only.
std::string ReturnedMessageId(GMimeObject* returned) {
  if (returned == nullptr) return {};
  if (GMIME_IS_MESSAGE_PART(returned)) {
    GMimeMessage* message = g_mime_message_part_get_message(GMIME_MESSAGE_PART(returned));
    const char* id = message == nullptr ? nullptr : g_mime_message_get_message_id(message);
    return id == nullptr ? std::string() : ValidUtf8(id);
  }
  GObjectPtr<GMimeMessage> headers = ParseMessage(PartText(returned));
  const char* id = headers == nullptr ? nullptr : g_mime_message_get_message_id(headers.get());
  return id == nullptr ? std::string() : ValidUtf8(id);
}

void ReadDeliveryStatus(std::string_view text, ParsedMail& mail) {
  for (const FieldBlock& block : ParseFieldBlocks(text)) {
    // The per-message block (Reporting-MTA, Arrival-Date) has neither.
    if (!HasField(block, "final-recipient") && !HasField(block, "action")) continue;
    mail.statuses.push_back(DeliveryStatus{
        .final_recipient = ValidUtf8(WithoutTypePrefix(FieldValue(block, "final-recipient"), true)),
        .original_recipient =
            ValidUtf8(WithoutTypePrefix(FieldValue(block, "original-recipient"), true)),
        .action = ValidUtf8(LowerAscii(FirstWord(FieldValue(block, "action")))),
        .status = ValidUtf8(FirstWord(FieldValue(block, "status"))),
        .diagnostic = ValidUtf8(WithoutTypePrefix(FieldValue(block, "diagnostic-code"), false)),
    });
  }
}

// "904^INS non concordant" -> code and label.
void SplitError(std::string_view text, ParsedMail& mail) {
  text = TrimAscii(text);
  const size_t caret = text.find('^');
  if (caret != std::string_view::npos) {
    mail.error_code = ValidUtf8(TrimAscii(text.substr(0, caret)));
    mail.error_label = ValidUtf8(TrimAscii(text.substr(caret + 1)));
  } else if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
               return absl::ascii_isdigit(static_cast<unsigned char>(c));
             })) {
    mail.error_code = std::string(text);
  } else {
    mail.error_label = ValidUtf8(text);
  }
}

void ReadDisposition(std::string_view text, ParsedMail& mail) {
  // One block in a well-formed MDN; a stray blank line must not hide fields.
  FieldBlock fields;
  for (FieldBlock& block : ParseFieldBlocks(text)) {
    for (ReportField& field : block) fields.push_back(std::move(field));
  }
  mail.final_recipient = ValidUtf8(WithoutTypePrefix(FieldValue(fields, "final-recipient"), true));
  mail.original_recipient =
      ValidUtf8(WithoutTypePrefix(FieldValue(fields, "original-recipient"), true));
  if (std::string_view id = FieldValue(fields, "original-message-id"); !id.empty()) {
    mail.original_message_id = DecodeMessageId(id);
  }
  const std::string_view disposition = FieldValue(fields, "disposition");
  mail.disposition = ValidUtf8(disposition);
  // disposition-mode ";" disposition-type [ "/" modifier ]
  std::string_view type_and_modifier = disposition;
  if (const size_t semicolon = disposition.find(';'); semicolon != std::string_view::npos) {
    type_and_modifier = disposition.substr(semicolon + 1);
  }
  std::string_view modifier;
  const size_t slash = type_and_modifier.find('/');
  if (slash != std::string_view::npos) modifier = type_and_modifier.substr(slash + 1);
  const std::string type = LowerAscii(TrimAscii(type_and_modifier.substr(0, slash)));
  modifier = TrimAscii(modifier);

  bool has_error = false;
  std::string_view error_text;
  if (StartsWithIgnoreCase(modifier, "error")) {
    has_error = true;
    error_text = TrimAscii(modifier.substr(5));
    if (!error_text.empty() && error_text.front() == ':') error_text.remove_prefix(1);
  }
  const std::string_view error_field = FieldValue(fields, "error");
  if (HasField(fields, "error")) has_error = true;
  if (TrimAscii(error_text).empty()) error_text = error_field;
  if (has_error) SplitError(error_text, mail);
  mail.disposition_processed = (type == "processed" || type == "displayed") && !has_error;
}

}  // namespace

absl::StatusOr<ParsedMail> ParseMail(std::string_view raw) {
  EnsureGMimeInitialized();
  if (TrimAscii(raw).empty()) return absl::InvalidArgumentError("empty mail");
  GObjectPtr<GMimeMessage> message = ParseMessage(raw);
  if (message == nullptr) return absl::InvalidArgumentError("not a mail: GMime cannot parse it");
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(message.get()));
  if (headers == nullptr || g_mime_header_list_get_count(headers) == 0) {
    return absl::InvalidArgumentError("not a mail: no header fields");
  }

  ParsedMail mail;
  if (const char* id = g_mime_message_get_message_id(message.get()); id != nullptr) {
    mail.message_id = ValidUtf8(id);
  }
  if (const char* subject = g_mime_message_get_subject(message.get()); subject != nullptr) {
    mail.subject = ValidUtf8(subject);
  }
  InternetAddressList* from = g_mime_message_get_from(message.get());
  for (int i = 0; from != nullptr && i < internet_address_list_length(from); ++i) {
    InternetAddress* address = internet_address_list_get_address(from, i);
    if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
      const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
      if (addr != nullptr) mail.from = ValidUtf8(addr);
      break;
    }
  }

  ReportParts report;
  FindReport(g_mime_message_get_mime_part(message.get()), report);
  if (report.report == nullptr) return mail;
  mail.kind = report.kind;
  const std::string text = PartText(report.report);
  if (report.kind == ParsedMail::Kind::kDeliveryStatus) {
    ReadDeliveryStatus(text, mail);
  } else {
    ReadDisposition(text, mail);
  }
  if (mail.original_message_id.empty())
    mail.original_message_id = ReturnedMessageId(report.returned);
  return mail;
}

}  // namespace navette::adapters::mssante::mime
