#include "adapters/hl7v2/ack.h"

#include <charconv>
#include <ctime>
#include <initializer_list>

#include <fmt/format.h>

#include "adapters/hl7v2/escape.h"
#include "adapters/hl7v2/message_view.h"

namespace navette::adapters::hl7v2 {
namespace {

constexpr std::string_view kDefaultProcessingId = "P";
constexpr std::string_view kDefaultVersion = "2.5";

std::string Timestamp(std::chrono::system_clock::time_point now) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[16];
  size_t size = std::strftime(buffer, sizeof buffer, "%Y%m%d%H%M%S", &local);
  return std::string(buffer, size);
}

// The second component of MSH-9 (the trigger event), or empty.
std::string_view TriggerEvent(std::string_view message_type, const Delimiters& delimiters) {
  size_t first = message_type.find(delimiters.component);
  if (first == std::string_view::npos) return {};
  std::string_view rest = message_type.substr(first + 1);
  return rest.substr(0, rest.find(delimiters.component));
}

// ERR-2 or ERR-5 from the caller's '^'-separated form, each part escaped for
// `delimiters`.
std::string Location(std::string_view location, const Delimiters& delimiters) {
  std::string out;
  while (true) {
    size_t caret = location.find('^');
    out += Escape(location.substr(0, caret), delimiters);
    if (caret == std::string_view::npos) return out;
    out.push_back(delimiters.component);
    location = location.substr(caret + 1);
  }
}

// One segment: `fields` joined by the field separator, then the CR terminator.
std::string Segment(char field_separator, std::initializer_list<std::string_view> fields) {
  std::string out;
  for (std::string_view field : fields) {
    if (!out.empty()) out.push_back(field_separator);
    out.append(field);
  }
  out.push_back('\r');
  return out;
}

int ParseInt(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() ? value : 0;
}

}  // namespace

std::string_view AckCodeName(AckCode code) {
  switch (code) {
    case AckCode::kAA:
      return "AA";
    case AckCode::kAE:
      return "AE";
    case AckCode::kAR:
      return "AR";
  }
  return "AR";
}

std::string_view ConditionCodeName(int condition_code) {
  switch (condition_code) {
    case 0:
      return "Message accepted";
    case 100:
      return "Segment sequence error";
    case 101:
      return "Required field missing";
    case 102:
      return "Data type error";
    case 103:
      return "Table value not found";
    case 104:
      return "Value too long";
    case 200:
      return "Unsupported message type";
    case 201:
      return "Unsupported event code";
    case 202:
      return "Unsupported processing id";
    case 203:
      return "Unsupported version id";
    case 204:
      return "Unknown key identifier";
    case 205:
      return "Duplicate key identifier";
    case 206:
      return "Application record locked";
    case 207:
      return "Application internal error";
    default:
      return {};
  }
}

std::string BuildAck(const navette::Hl7Header* original, AckCode code, const AckError* error,
                     std::string_view ack_control_id, std::chrono::system_clock::time_point now) {
  static const navette::Hl7Header kNoOriginal;
  const navette::Hl7Header& header = original != nullptr ? *original : kNoOriginal;
  Delimiters delimiters;
  if (auto parsed = ParseEncodingCharacters(header.encoding_characters()); parsed.ok()) {
    delimiters = *parsed;
  }
  const char f = delimiters.field;
  const char c = delimiters.component;

  std::string_view trigger = TriggerEvent(header.message_type(), delimiters);
  std::string message_type =
      trigger.empty() ? std::string("ACK") : fmt::format("ACK{}{}{}ACK", c, trigger, c);
  std::string_view processing_id =
      header.processing_id().empty() ? kDefaultProcessingId : header.processing_id();
  std::string_view version = header.version().empty() ? kDefaultVersion : header.version();

  std::string ack_control = Escape(ack_control_id, delimiters);
  std::string encoding = EncodingCharacters(delimiters);
  std::string ack = Segment(
      f, {"MSH", std::string_view(encoding).substr(1), header.receiving_application(),
          header.receiving_facility(), header.sending_application(), header.sending_facility(),
          Timestamp(now), "", message_type, ack_control, processing_id, version});
  if (code == AckCode::kAA || error == nullptr) {
    ack += Segment(f, {"MSA", AckCodeName(code), header.control_id()});
    return ack;
  }
  std::string text = Escape(error->text, delimiters);
  std::string condition =
      fmt::format("{}{}{}{}HL70357", error->condition_code, c,
                  Escape(ConditionCodeName(error->condition_code), delimiters), c);
  std::string location = Location(error->location, delimiters);
  ack += Segment(f, {"MSA", AckCodeName(code), header.control_id(), text});
  std::string severity(1, error->severity);
  std::string application_error = Location(error->application_error, delimiters);
  ack += Segment(f, {"ERR", "", location, condition, severity, application_error, "", "", text});
  return ack;
}

absl::StatusOr<AckResult> ParseAck(std::string_view raw) {
  auto view = MessageView::Parse(raw);
  if (!view.ok()) return view.status();
  const Delimiters& delimiters = view->delimiters();
  auto value = [&](std::string_view segment, int field, int component = 0, int subcomponent = 0) {
    FieldPath path{.segment = std::string(segment),
                   .segment_index = 1,
                   .field = field,
                   .repetition = 1,
                   .component = component,
                   .subcomponent = subcomponent};
    return Unescape(view->Get(path).value_or(std::string_view()), delimiters);
  };

  AckResult result;
  result.code = value("MSA", 1);
  if (result.code.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("not an acknowledgement: message {} has no MSA-1 (acknowledgment code)",
                    std::string(view->Field(0, 9).value_or(std::string_view()))));
  }
  result.control_id = value("MSA", 2);
  result.text = value("MSA", 3);
  if (result.text.empty()) result.text = value("ERR", 8);
  result.condition_code = ParseInt(value("ERR", 3, 1));
  if (result.condition_code == 0) result.condition_code = ParseInt(value("ERR", 1, 4, 1));
  result.location = std::string(view->Get(FieldPath::Of("ERR", 2)).value_or(std::string_view()));
  result.severity = value("ERR", 4);
  result.application_code = value("ERR", 5, 1);
  return result;
}

}  // namespace navette::adapters::hl7v2
