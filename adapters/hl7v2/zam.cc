#include "adapters/hl7v2/zam.h"

#include <ctime>
#include <initializer_list>
#include <vector>

#include <fmt/format.h>

#include "adapters/hl7v2/ack.h"
#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/delimiters.h"
#include "adapters/hl7v2/escape.h"

namespace navette::adapters::hl7v2 {
namespace {

constexpr std::string_view kVersion = "2.6";
constexpr std::string_view kCountry = "FRA";
constexpr std::string_view kProfile = "2.1^CISIS_CDA_HL7_V2";
constexpr std::string_view kCodingSystem = "AckMetierZAM";
constexpr std::string_view kYesNo = "expandedYes-NoIndicator";
constexpr int kApplicationError = 207;

struct EventCodes {
  std::string_view status_code;
  std::string_view status_label;
  std::string_view party_code;  // empty: no party OBX
  std::string_view party_label;
  std::string_view error_table;
};

EventCodes CodesOf(ZamEvent event) {
  switch (event) {
    case ZamEvent::kZ01:
      return {"ACK_RECEPTION_DMP", "Accusé de réception DMP", "", "", "DMPERRORCODE"};
    case ZamEvent::kZ02:
      return {"ACK_RECEPTION_MSS", "Accusé de réception MSSanté", "DESTINATAIRE_MSS",
              "Destinataire MSSanté", "SMTPERRORCODE"};
    case ZamEvent::kZ03:
      return {"ACK_LECTURE_MSS", "Accusé de lecture", "LECTEUR_MSS", "Lecteur du courriel MSSanté",
              "applicationErrorCondition"};
  }
  return {};
}

std::string Timestamp(std::chrono::system_clock::time_point now) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[16];
  size_t size = std::strftime(buffer, sizeof buffer, "%Y%m%d%H%M%S", &local);
  return std::string(buffer, size);
}

// One segment: `fields` joined by '|', then the CR terminator.
std::string Segment(std::initializer_list<std::string_view> fields) {
  std::string out;
  for (std::string_view field : fields) {
    if (!out.empty()) out.push_back('|');
    out.append(field);
  }
  out.push_back('\r');
  return out;
}

// Components (each unescaped) joined by '^', escaped for the standard
// delimiters component by component.
std::string EscapeComposite(std::string_view composite) {
  static const Delimiters kStandard;
  std::string out;
  while (true) {
    size_t caret = composite.find('^');
    out += Escape(composite.substr(0, caret), kStandard);
    if (caret == std::string_view::npos) return out;
    out.push_back('^');
    composite = composite.substr(caret + 1);
  }
}

// A header value (escaped for `delimiters`, components joined by its
// component separator) as ZamOriginal keeps it: unescaped components joined
// by '^'.
std::string HeaderComposite(std::string_view value, const Delimiters& delimiters) {
  std::string out;
  while (true) {
    size_t at = value.find(delimiters.component);
    out += Unescape(value.substr(0, at), delimiters);
    if (at == std::string_view::npos) return out;
    out.push_back('^');
    value = value.substr(at + 1);
  }
}

std::string Coded(std::string_view code, std::string_view label, std::string_view system) {
  static const Delimiters kStandard;
  return fmt::format("{}^{}^{}", Escape(code, kStandard), Escape(label, kStandard),
                     Escape(system, kStandard));
}

}  // namespace

std::string_view ZamEventName(ZamEvent event) {
  switch (event) {
    case ZamEvent::kZ01:
      return "Z01";
    case ZamEvent::kZ02:
      return "Z02";
    case ZamEvent::kZ03:
      return "Z03";
  }
  return "Z01";
}

ZamOriginal ZamOriginalOf(const navette::Envelope& envelope) {
  const navette::Hl7Header& header = envelope.hl7();
  const navette::document::Document& document = envelope.document();
  Delimiters delimiters;
  if (auto parsed = ParseEncodingCharacters(header.encoding_characters()); parsed.ok()) {
    delimiters = *parsed;
  }
  auto pick = [&](const std::string& recorded, const std::string& from_header) {
    return !recorded.empty() ? recorded : HeaderComposite(from_header, delimiters);
  };
  ZamOriginal original;
  original.sending_application = pick(document.sending_application(), header.sending_application());
  original.sending_facility = pick(document.sending_facility(), header.sending_facility());
  original.receiving_application = HeaderComposite(header.receiving_application(), delimiters);
  original.receiving_facility = HeaderComposite(header.receiving_facility(), delimiters);
  original.control_id = pick(document.control_id(), header.control_id());
  original.processing_id = HeaderComposite(header.processing_id(), delimiters);
  original.charset_name = envelope.charset();
  return original;
}

ZamAnswer ZamAnswerOf(const navette::document::DmpReceipt& receipt) {
  ZamAnswer answer;
  answer.event = ZamEvent::kZ01;
  answer.positive = receipt.accepted();
  answer.error_code = receipt.error_code();
  answer.error_label = receipt.error_label();
  return answer;
}

ZamAnswer ZamAnswerOf(const navette::document::MssDeliveryReceipt::Recipient& recipient) {
  ZamAnswer answer;
  answer.event = ZamEvent::kZ02;
  answer.positive = recipient.delivered();
  answer.party_id = recipient.id();
  answer.party_address = recipient.address();
  answer.error_code = recipient.error_code();
  answer.error_label = recipient.error_label();
  return answer;
}

ZamAnswer ZamAnswerOf(const navette::document::MssReadReceipt& receipt) {
  ZamAnswer answer;
  answer.event = ZamEvent::kZ03;
  answer.positive = receipt.read();
  answer.party_id = receipt.id();
  answer.party_address = receipt.address();
  answer.error_code = receipt.error_code();
  answer.error_label = receipt.error_label();
  return answer;
}

absl::StatusOr<std::string> BuildZam(const ZamOriginal& original, const ZamAnswer& answer,
                                     std::string_view control_id,
                                     std::chrono::system_clock::time_point now) {
  static const Delimiters kStandard;
  const std::string charset_name =
      original.charset_name.empty() ? std::string("UNICODE UTF-8") : original.charset_name;
  absl::StatusOr<Charset> charset = CharsetFromName(charset_name);
  if (!charset.ok()) return charset.status();

  const EventCodes codes = CodesOf(answer.event);
  const std::string event = std::string(ZamEventName(answer.event));
  const std::string time = Timestamp(now);
  const std::string processing_id =
      original.processing_id.empty() ? std::string("P") : EscapeComposite(original.processing_id);
  std::string text = Segment({"MSH",
                              EncodingCharacters(kStandard).substr(1),
                              EscapeComposite(original.receiving_application),
                              EscapeComposite(original.receiving_facility),
                              EscapeComposite(original.sending_application),
                              EscapeComposite(original.sending_facility),
                              time,
                              "",
                              fmt::format("ZAM^{}^ZAM_Z01", event),
                              Escape(control_id, kStandard),
                              processing_id,
                              kVersion,
                              "",
                              "",
                              "",
                              "",
                              kCountry,
                              Escape(charset_name, kStandard),
                              "",
                              "",
                              kProfile});
  text += Segment({"EVN", "", time});
  const std::string status_value = fmt::format("{}^^{}", answer.positive ? "Y" : "N", kYesNo);
  text +=
      Segment({"OBX", "1", "CWE", Coded(codes.status_code, codes.status_label, kCodingSystem),
               Escape(original.control_id, kStandard), status_value, "", "", "", "", "", "F", ""});
  if (!codes.party_code.empty()) {
    const std::string address = "^^X.400^" + Escape(answer.party_address, kStandard);
    text += Segment({"OBX", "2", "XTN", Coded(codes.party_code, codes.party_label, kCodingSystem),
                     Escape(answer.party_id, kStandard), address, "", "", "", "", "", "F", ""});
  }
  if (!answer.positive) {
    const std::string condition = fmt::format("{}^{}^messageErrorCondition", kApplicationError,
                                              ConditionCodeName(kApplicationError));
    text += Segment({"ERR", "", "", condition, "E",
                     Coded(answer.error_code, answer.error_label, codes.error_table)});
  }
  absl::StatusOr<std::string> encoded = EncodeFromUtf8(text, *charset);
  if (!encoded.ok()) {
    return absl::InvalidArgumentError(fmt::format("ZAM^{} in {}: {}", event, charset_name,
                                                  std::string(encoded.status().message())));
  }
  return encoded;
}

}  // namespace navette::adapters::hl7v2
