#include "engine/bus_request_reader.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/unknown_field_set.h>

#include <fmt/format.h>

#include "adapters/hl7v2/charset.h"
#include "proto/bus.pb.h"

namespace navette::engine {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

bool IsUtf8(const std::string& text) {
  return adapters::hl7v2::DecodeToUtf8(text, adapters::hl7v2::Charset::kUtf8).ok();
}

// The path ("hl7.sending_facility") of the first string field of `bytes`, a
// serialized `descriptor` message, whose value is not UTF-8; empty when
// there is none or `bytes` is not even wire format. Read field by field
// without the schema's checks, which is what refused the whole record.
std::string FirstFieldNotUtf8(const std::string& bytes, const Descriptor& descriptor) {
  UnknownFieldSet fields;
  if (!fields.ParseFromString(bytes)) return "";
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& field = fields.field(i);
    if (field.type() != UnknownField::TYPE_LENGTH_DELIMITED) continue;
    const FieldDescriptor* known = descriptor.FindFieldByNumber(field.number());
    if (known == nullptr) continue;
    if (known->type() == FieldDescriptor::TYPE_STRING && !IsUtf8(field.length_delimited())) {
      return known->name();
    }
    if (known->type() == FieldDescriptor::TYPE_MESSAGE) {
      std::string inner = FirstFieldNotUtf8(field.length_delimited(), *known->message_type());
      if (!inner.empty()) return fmt::format("{}.{}", known->name(), inner);
    }
  }
  return "";
}

}  // namespace

BusRequestRead ReadBusRequest(std::string_view payload) {
  const int size = static_cast<int>(payload.size());
  bus::BusRequest request;
  if (request.ParseFromArray(payload.data(), size) && request.has_publish()) {
    PublishRequest publish;
    publish.correlation = request.publish().correlation();
    publish.envelope = std::move(*request.mutable_publish()->mutable_envelope());
    return publish;
  }
  bus::LenientBusRequest lenient;
  if (!lenient.ParseFromArray(payload.data(), size)) {
    return UnreadableRequest{fmt::format("not a bus request ({} bytes)", payload.size())};
  }
  if (!lenient.has_publish()) {
    return UnreadableRequest{fmt::format("not a publish ({} bytes)", payload.size())};
  }
  // A publish whose envelope the schema refuses: its correlation is known.
  const std::string field =
      FirstFieldNotUtf8(lenient.publish().envelope(), *navette::Envelope::descriptor());
  return RefusedRequest{
      lenient.publish().correlation(),
      field.empty() ? std::string("the engine cannot read the message's envelope")
                    : fmt::format("the engine cannot read the message's envelope: its field {} "
                                  "is not valid UTF-8",
                                  field)};
}

}  // namespace navette::engine
