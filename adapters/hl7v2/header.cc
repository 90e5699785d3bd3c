#include "adapters/hl7v2/header.h"

#include <fmt/format.h>

namespace navette::adapters::hl7v2 {
namespace {

std::string MshField(const MessageView& view, int field) {
  return std::string(view.Field(0, field).value_or(std::string_view()));
}

}  // namespace

navette::Hl7Header ReadHeaderFields(const MessageView& view) {
  navette::Hl7Header header;
  header.set_message_type(MshField(view, 9));
  header.set_control_id(MshField(view, 10));
  header.set_sending_application(MshField(view, 3));
  header.set_sending_facility(MshField(view, 4));
  header.set_receiving_application(MshField(view, 5));
  header.set_receiving_facility(MshField(view, 6));
  header.set_message_datetime(MshField(view, 7));
  header.set_processing_id(MshField(view, 11));
  header.set_version(MshField(view, 12));
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

std::string ReadCharset(const MessageView& view) {
  FieldPath path{.segment = "MSH", .field = 18, .repetition = 1};
  return std::string(view.Get(path).value_or(std::string_view()));
}

}  // namespace navette::adapters::hl7v2
