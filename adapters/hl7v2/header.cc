#include "adapters/hl7v2/header.h"

#include <string_view>

#include <fmt/format.h>

namespace navette::adapters::hl7v2 {
namespace {

// The MSH fields the envelope holds, with their HL7 names for error texts.
struct HeaderField {
  int number;
  std::string_view name;
  std::string* (navette::Hl7Header::*value)();
};

constexpr HeaderField kHeaderFields[] = {
    {3, "sending application", &navette::Hl7Header::mutable_sending_application},
    {4, "sending facility", &navette::Hl7Header::mutable_sending_facility},
    {5, "receiving application", &navette::Hl7Header::mutable_receiving_application},
    {6, "receiving facility", &navette::Hl7Header::mutable_receiving_facility},
    {7, "date/time of message", &navette::Hl7Header::mutable_message_datetime},
    {9, "message type", &navette::Hl7Header::mutable_message_type},
    {10, "message control id", &navette::Hl7Header::mutable_control_id},
    {11, "processing id", &navette::Hl7Header::mutable_processing_id},
    {12, "version id", &navette::Hl7Header::mutable_version},
};

std::string_view MshField(const MessageView& view, int field) {
  return view.Field(0, field).value_or(std::string_view());
}

}  // namespace

navette::Hl7Header ReadHeaderFields(const MessageView& view) {
  navette::Hl7Header header;
  for (const HeaderField& field : kHeaderFields) {
    (header.*field.value)()->assign(MshField(view, field.number));
  }
  header.set_encoding_characters(EncodingCharacters(view.delimiters()));
  return header;
}

absl::StatusOr<navette::Hl7Header> ReadHeader(const MessageView& view,
                                              std::string* error_location) {
  navette::Hl7Header header = ReadHeaderFields(view);
  struct Required {
    int field;
    const char* name;
    const std::string& value;
  };
  for (const Required& required : {Required{9, "message type", header.message_type()},
                                   Required{10, "message control id", header.control_id()}}) {
    if (required.value.empty()) {
      if (error_location != nullptr) *error_location = fmt::format("MSH^1^{}", required.field);
      return absl::InvalidArgumentError(
          fmt::format("MSH-{} ({}) is empty", required.field, required.name));
    }
  }
  return header;
}

absl::StatusOr<navette::Hl7Header> DecodeHeaderFields(const MessageView& view, Charset charset,
                                                      std::string* error_location) {
  navette::Hl7Header header;
  for (const HeaderField& field : kHeaderFields) {
    std::string_view raw = MshField(view, field.number);
    size_t invalid_at = 0;
    auto decoded = DecodeToUtf8(raw, charset, &invalid_at);
    if (!decoded.ok()) {
      if (error_location != nullptr) *error_location = fmt::format("MSH^1^{}", field.number);
      // `raw` lies inside the message: its offset there is where to look.
      const size_t offset = static_cast<size_t>(raw.data() - view.raw().data()) + invalid_at;
      return absl::InvalidArgumentError(fmt::format(
          "MSH-{} ({}) is not valid {}: byte 0x{:02X} at offset {} of the message", field.number,
          field.name, CharsetName(charset), static_cast<unsigned char>(raw[invalid_at]), offset));
    }
    *(header.*field.value)() = *std::move(decoded);
  }
  header.set_encoding_characters(EncodingCharacters(view.delimiters()));
  return header;
}

std::string ReadCharset(const MessageView& view) {
  FieldPath path{.segment = "MSH", .field = 18, .repetition = 1};
  return std::string(view.Get(path).value_or(std::string_view()));
}

}  // namespace navette::adapters::hl7v2
