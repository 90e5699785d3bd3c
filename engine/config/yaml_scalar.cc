#include "engine/config/yaml_scalar.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/config/duration.h"
#include "engine/config/yaml_words.h"

namespace navette::engine::config {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

template <typename T>
std::optional<T> ParseWhole(const std::string& text) {
  T value{};
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || stop != end) return std::nullopt;
  return value;
}

template <typename T>
std::string WholeRange() {
  return fmt::format("a whole number from {} to {}", std::numeric_limits<T>::min(),
                     std::numeric_limits<T>::max());
}

}  // namespace

constexpr std::string_view kDurationType = "google.protobuf.Duration";

bool IsDuration(const FieldDescriptor& field) {
  return field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         field.message_type()->full_name() == kDurationType;
}

// How a node is named in "expected X, got Y" messages.
std::string DescribeNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      break;
  }
  constexpr size_t kShown = 40;
  const std::string& text = node.Scalar();
  if (text.size() <= kShown) return fmt::format("'{}'", text);
  return fmt::format("'{}...'", text.substr(0, kShown));
}

// What a field accepts, for "expected X, got Y".
std::string ExpectedValue(const FieldDescriptor& field) {
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return "a string";
    case FieldDescriptor::CPPTYPE_BOOL:
      return "true or false";
    case FieldDescriptor::CPPTYPE_INT32:
      return WholeRange<int32_t>();
    case FieldDescriptor::CPPTYPE_INT64:
      return WholeRange<int64_t>();
    case FieldDescriptor::CPPTYPE_UINT32:
      return WholeRange<uint32_t>();
    case FieldDescriptor::CPPTYPE_UINT64:
      return WholeRange<uint64_t>();
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return "a number";
    case FieldDescriptor::CPPTYPE_ENUM:
      return fmt::format("one of: {}", fmt::join(EnumWords(*field.enum_type()), ", "));
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return IsDuration(field) ? "a duration such as \"30s\"" : "a mapping";
  }
  return "a value";
}

std::optional<std::string> SetScalarValue(const YAML::Node& node, Message& message,
                                          const FieldDescriptor& field) {
  const std::string& text = node.Scalar();
  const Reflection& reflection = *message.GetReflection();
  const bool repeated = field.is_repeated();
  auto bad_value = [&]() -> std::optional<std::string> {
    return fmt::format("expected {}, got {}", ExpectedValue(field), DescribeNode(node));
  };
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      repeated ? reflection.AddString(&message, &field, text)
               : reflection.SetString(&message, &field, text);
      return std::nullopt;
    case FieldDescriptor::CPPTYPE_BOOL: {
      // Only the two words: YAML 1.1's yes/no/on/off are too easy to
      // write by accident (a country code "NO").
      if (text != "true" && text != "false") return bad_value();
      repeated ? reflection.AddBool(&message, &field, text == "true")
               : reflection.SetBool(&message, &field, text == "true");
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      auto value = ParseWhole<int32_t>(text);
      if (!value) return bad_value();
      repeated ? reflection.AddInt32(&message, &field, *value)
               : reflection.SetInt32(&message, &field, *value);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      auto value = ParseWhole<int64_t>(text);
      if (!value) return bad_value();
      repeated ? reflection.AddInt64(&message, &field, *value)
               : reflection.SetInt64(&message, &field, *value);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      auto value = ParseWhole<uint32_t>(text);
      if (!value) return bad_value();
      repeated ? reflection.AddUInt32(&message, &field, *value)
               : reflection.SetUInt32(&message, &field, *value);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      auto value = ParseWhole<uint64_t>(text);
      if (!value) return bad_value();
      repeated ? reflection.AddUInt64(&message, &field, *value)
               : reflection.SetUInt64(&message, &field, *value);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      auto value = ParseWhole<double>(text);
      if (!value || !std::isfinite(*value)) return bad_value();
      repeated ? reflection.AddDouble(&message, &field, *value)
               : reflection.SetDouble(&message, &field, *value);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      auto value = ParseWhole<float>(text);
      if (!value || !std::isfinite(*value)) return bad_value();
      repeated ? reflection.AddFloat(&message, &field, *value)
               : reflection.SetFloat(&message, &field, *value);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumValueDescriptor* value = FindEnumValue(*field.enum_type(), text);
      if (value == nullptr) {
        std::string error =
            fmt::format("expected {}, got {}", ExpectedValue(field), DescribeNode(node));
        if (std::optional<std::string> nearest = NearestWord(text, EnumWords(*field.enum_type()))) {
          error += fmt::format("; did you mean '{}'?", *nearest);
        }
        return error;
      }
      repeated ? reflection.AddEnum(&message, &field, value)
               : reflection.SetEnum(&message, &field, value);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      // Only durations get here (IsScalarLike).
      auto duration = ParseDuration(text);
      if (!duration.ok()) return std::string(duration.status().message());
      Message& target = repeated ? *reflection.AddMessage(&message, &field)
                                 : *reflection.MutableMessage(&message, &field);
      // Through reflection rather than a cast, so that dynamic messages
      // work too.
      const Descriptor& type = *target.GetDescriptor();
      target.GetReflection()->SetInt64(&target, type.FindFieldByName("seconds"),
                                       duration->seconds());
      target.GetReflection()->SetInt32(&target, type.FindFieldByName("nanos"), duration->nanos());
      return std::nullopt;
    }
  }
  return bad_value();
}

}  // namespace navette::engine::config
