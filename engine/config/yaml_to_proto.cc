#include "engine/config/yaml_to_proto.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <google/protobuf/descriptor.h>

#include "engine/config/yaml_scalar.h"
#include "engine/config/yaml_words.h"

namespace navette::engine::config {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::OneofDescriptor;
using google::protobuf::Reflection;

// The `extension` member of a kind oneof (kinds/registry.h) holds a kind
// registered from outside proto/config.proto; a file names that kind, never
// the slot.
bool IsExtensionSlot(const FieldDescriptor& field) {
  return field.message_type() != nullptr &&
         field.message_type()->full_name() == "google.protobuf.Any";
}

// The extension slot of `type`, or null when it has none.
const FieldDescriptor* ExtensionSlotOf(const Descriptor& type) {
  for (int i = 0; i < type.field_count(); ++i) {
    if (IsExtensionSlot(*type.field(i)) && type.field(i)->real_containing_oneof() != nullptr) {
      return type.field(i);
    }
  }
  return nullptr;
}

// The type URL an Any gives a message of `type` (as Any::PackFrom does).
std::string TypeUrl(const Descriptor& type) {
  return fmt::format("type.googleapis.com/{}", type.full_name());
}

// Fields written as one YAML scalar: every non-message type, and durations.
bool IsScalarLike(const FieldDescriptor& field) {
  return field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || IsDuration(field);
}

std::string ContextName(std::string_view path) {
  return path.empty() ? std::string("the top level") : std::string(path);
}

class Converter {
 public:
  Converter(std::string_view file, const ExtensionKinds* extensions)
      : file_(file), extensions_(extensions) {}

  ConversionResult Run(const YAML::Node& node, Message& message) {
    if (node.IsNull() || !node.IsDefined()) {
      // An empty file is an empty configuration; what it lacks is for the
      // semantic checks to say.
      result_.source_map.RecordValue("", PositionOf(node.Mark()));
    } else if (!node.IsMap()) {
      Error(node.Mark(), fmt::format("expected a mapping of settings at the top level, got {}",
                                     DescribeNode(node)));
    } else {
      ConvertMessage(node, message, "", node.Mark());
    }
    return std::move(result_);
  }

 private:
  void Error(const YAML::Mark& mark, std::string message) {
    SourcePosition position = PositionOf(mark);
    result_.errors.push_back(
        {std::string(file_), position.line, position.column, std::move(message)});
  }

  void FieldError(const YAML::Mark& mark, const std::string& path, std::string_view message) {
    Error(mark, fmt::format("{}: {}", path, message));
    result_.source_map.MarkInvalid(path);
  }

  // yaml-cpp marks an implicit null ("key:" and nothing else) at the token
  // after it, often the next line; the key is where the reader looks.
  static YAML::Mark ValueMark(const YAML::Node& value, const YAML::Mark& key_mark) {
    return value.IsNull() ? key_mark : value.Mark();
  }

  // True when `key` is a scalar seen for the first time in this mapping;
  // reports it otherwise. `seen` maps key text to the line it was first on.
  bool CheckKey(const YAML::Node& key, std::string_view path,
                std::map<std::string, int, std::less<>>& seen) {
    if (!key.IsScalar()) {
      Error(key.Mark(), fmt::format("keys in {} must be plain names, got {}", ContextName(path),
                                    DescribeNode(key)));
      return false;
    }
    auto [it, inserted] = seen.emplace(key.Scalar(), PositionOf(key.Mark()).line);
    if (!inserted) {
      Error(key.Mark(), fmt::format("duplicate key '{}' in {} (first on line {})", key.Scalar(),
                                    ContextName(path), it->second));
      return false;
    }
    return true;
  }

  void UnknownKey(const YAML::Node& key, const Descriptor& type, const std::string& path) {
    std::vector<std::string> names;
    for (int i = 0; i < type.field_count(); ++i) {
      if (!IsExtensionSlot(*type.field(i))) names.push_back(type.field(i)->name());
    }
    if (extensions_ != nullptr && ExtensionSlotOf(type) != nullptr) {
      for (std::string& name : extensions_->Names(type)) names.push_back(std::move(name));
    }
    std::string message = fmt::format("unknown key '{}' in {} (expected one of: {})", key.Scalar(),
                                      ContextName(path), fmt::join(names, ", "));
    if (std::optional<std::string> nearest = NearestWord(key.Scalar(), names)) {
      message += fmt::format("; did you mean '{}'?", *nearest);
    }
    Error(key.Mark(), std::move(message));
    result_.source_map.MarkInvalid(FieldPathJoin(path, key.Scalar()));
  }

  void ConvertMessage(const YAML::Node& node, Message& message, const std::string& path,
                      const YAML::Mark& key_mark) {
    result_.source_map.RecordValue(path, PositionOf(ValueMark(node, key_mark)));
    if (node.IsNull()) return;  // present but empty
    if (!node.IsMap()) {
      FieldError(node.Mark(), path, fmt::format("expected a mapping, got {}", DescribeNode(node)));
      return;
    }
    const Descriptor& type = *message.GetDescriptor();
    std::map<std::string, int, std::less<>> seen;
    OneofsSet oneofs_set;
    // Copies, not references: yaml-cpp's iterators hand out temporaries,
    // and `it->first` dangles once the statement ends.
    for (const auto& entry : node) {
      const YAML::Node key = entry.first;
      const YAML::Node value = entry.second;
      if (!CheckKey(key, path, seen)) continue;
      const FieldDescriptor* field = type.FindFieldByName(key.Scalar());
      if (field != nullptr && IsExtensionSlot(*field)) field = nullptr;
      if (field == nullptr) {
        if (!ConvertExtension(key, value, message, path, oneofs_set)) UnknownKey(key, type, path);
        continue;
      }
      std::string field_path = FieldPathJoin(path, field->name());
      result_.source_map.RecordKey(field_path, PositionOf(key.Mark()));
      if (!ClaimOneof(field->real_containing_oneof(), field->name(), key, path, field_path,
                      oneofs_set)) {
        continue;
      }
      ConvertField(value, message, *field, field_path, key.Mark());
    }
  }

  // The member set first in each oneof, with the line it was set on.
  using OneofsSet = std::map<const OneofDescriptor*, std::pair<std::string, int>>;

  // False, after reporting it, when another member of `oneof` (if any) is
  // set already in this mapping.
  bool ClaimOneof(const OneofDescriptor* oneof, const std::string& member, const YAML::Node& key,
                  const std::string& path, const std::string& member_path, OneofsSet& oneofs_set) {
    if (oneof == nullptr) return true;
    auto [first, inserted] =
        oneofs_set.emplace(oneof, std::pair(member, PositionOf(key.Mark()).line));
    if (inserted) return true;
    // Converting it would silently clear the first member.
    FieldError(key.Mark(), member_path,
               fmt::format("'{}' and '{}' cannot both be set in {}: they are alternatives "
                           "(one '{}' only; '{}' is on line {})",
                           first->second.first, member, ContextName(path), oneof->name(),
                           first->second.first, first->second.second));
    return false;
  }

  // Converts `value` onto the kind `key` names, if it is an extension kind
  // of `message` (ExtensionKinds), and packs it into the extension slot.
  // False when `key` is no such kind.
  bool ConvertExtension(const YAML::Node& key, const YAML::Node& value, Message& message,
                        const std::string& path, OneofsSet& oneofs_set) {
    if (extensions_ == nullptr) return false;
    const Descriptor& type = *message.GetDescriptor();
    const FieldDescriptor* slot = ExtensionSlotOf(type);
    if (slot == nullptr) return false;
    const Descriptor* kind_type = extensions_->Find(type, key.Scalar());
    if (kind_type == nullptr) return false;
    std::string kind_path = FieldPathJoin(path, key.Scalar());
    result_.source_map.RecordKey(kind_path, PositionOf(key.Mark()));
    if (!ClaimOneof(slot->real_containing_oneof(), key.Scalar(), key, path, kind_path,
                    oneofs_set)) {
      return true;
    }
    if (!value.IsNull() && !value.IsMap()) {
      RecordAndReportNotAMapping(value, kind_path);
      return true;
    }
    std::unique_ptr<Message> settings(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(kind_type)->New());
    ConvertMessage(value, *settings, kind_path, key.Mark());
    // Through reflection, as Any::PackFrom would, so that dynamic messages
    // work too.
    Message& any = *message.GetReflection()->MutableMessage(&message, slot);
    const Descriptor& any_type = *any.GetDescriptor();
    any.GetReflection()->SetString(&any, any_type.FindFieldByName("type_url"), TypeUrl(*kind_type));
    any.GetReflection()->SetString(&any, any_type.FindFieldByName("value"),
                                   settings->SerializeAsString());
    return true;
  }

  void ConvertField(const YAML::Node& value, Message& message, const FieldDescriptor& field,
                    const std::string& path, const YAML::Mark& key_mark) {
    if (field.is_map()) {
      ConvertMap(value, message, field, path, key_mark);
    } else if (field.is_repeated()) {
      ConvertRepeated(value, message, field, path, key_mark);
    } else if (IsScalarLike(field)) {
      if (SetScalar(value, message, field, path, key_mark)) {
        result_.source_map.RecordValue(path, PositionOf(ValueMark(value, key_mark)));
      }
    } else if (!value.IsNull() && !value.IsMap()) {
      // Checked before MutableMessage, which would mark the field present
      // (and select a oneof member) for a value that is not there.
      RecordAndReportNotAMapping(value, path);
    } else {
      ConvertMessage(value, *message.GetReflection()->MutableMessage(&message, &field), path,
                     key_mark);
    }
  }

  void RecordAndReportNotAMapping(const YAML::Node& value, const std::string& path) {
    result_.source_map.RecordValue(path, PositionOf(value.Mark()));
    FieldError(value.Mark(), path, fmt::format("expected a mapping, got {}", DescribeNode(value)));
  }

  void ConvertRepeated(const YAML::Node& value, Message& message, const FieldDescriptor& field,
                       const std::string& path, const YAML::Mark& key_mark) {
    result_.source_map.RecordValue(path, PositionOf(ValueMark(value, key_mark)));
    if (value.IsNull()) return;  // an empty list
    if (value.IsScalar() && IsScalarLike(field)) {
      // `message_type: "ORU^*"` reads as well as `message_type: ["ORU^*"]`.
      std::string element_path = IndexPathJoin(path, 0);
      if (SetScalar(value, message, field, element_path, key_mark)) {
        result_.source_map.RecordValue(element_path, PositionOf(value.Mark()));
      }
      return;
    }
    if (!value.IsSequence()) {
      FieldError(value.Mark(), path, fmt::format("expected a list, got {}", DescribeNode(value)));
      return;
    }
    const Reflection& reflection = *message.GetReflection();
    size_t index = 0;
    for (const YAML::Node& element : value) {  // binds (and keeps) the temporary
      std::string element_path = IndexPathJoin(path, index);
      // A null element ("- " alone) has a poor mark; the list's is close.
      const YAML::Mark element_mark = element.IsNull() ? value.Mark() : element.Mark();
      // A bad element still takes its place in the list (a default value or
      // an empty message), so that the proto's indexes stay those of the
      // file and of the source map paths.
      if (IsScalarLike(field)) {
        if (SetScalar(element, message, field, element_path, element_mark)) {
          result_.source_map.RecordValue(element_path, PositionOf(element_mark));
        } else {
          AddPlaceholder(message, field);
        }
      } else {
        ConvertMessage(element, *reflection.AddMessage(&message, &field), element_path,
                       element_mark);
      }
      ++index;
    }
  }

  void ConvertMap(const YAML::Node& value, Message& message, const FieldDescriptor& field,
                  const std::string& path, const YAML::Mark& key_mark) {
    result_.source_map.RecordValue(path, PositionOf(ValueMark(value, key_mark)));
    if (value.IsNull()) return;  // an empty map
    if (!value.IsMap()) {
      FieldError(value.Mark(), path,
                 fmt::format("expected a mapping, got {}", DescribeNode(value)));
      return;
    }
    const FieldDescriptor& key_field = *field.message_type()->map_key();
    const FieldDescriptor& value_field = *field.message_type()->map_value();
    std::map<std::string, int, std::less<>> seen;
    for (const auto& pair : value) {
      const YAML::Node entry_key = pair.first;
      const YAML::Node entry_value = pair.second;
      if (!CheckKey(entry_key, path, seen)) continue;
      std::string entry_path = MapKeyPathJoin(path, entry_key.Scalar());
      result_.source_map.RecordKey(entry_path, PositionOf(entry_key.Mark()));
      Message& entry = *message.GetReflection()->AddMessage(&message, &field);
      if (!SetScalar(entry_key, entry, key_field, entry_path, entry_key.Mark())) continue;
      if (IsScalarLike(value_field)) {
        if (SetScalar(entry_value, entry, value_field, entry_path, entry_key.Mark())) {
          result_.source_map.RecordValue(entry_path,
                                         PositionOf(ValueMark(entry_value, entry_key.Mark())));
        }
      } else if (!entry_value.IsNull() && !entry_value.IsMap()) {
        RecordAndReportNotAMapping(entry_value, entry_path);
      } else {
        ConvertMessage(entry_value, *entry.GetReflection()->MutableMessage(&entry, &value_field),
                       entry_path, entry_key.Mark());
      }
    }
  }

  // Adds the default value to a repeated scalar (or duration) field.
  static void AddPlaceholder(Message& message, const FieldDescriptor& field) {
    const Reflection& reflection = *message.GetReflection();
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        return reflection.AddString(&message, &field, "");
      case FieldDescriptor::CPPTYPE_BOOL:
        return reflection.AddBool(&message, &field, false);
      case FieldDescriptor::CPPTYPE_INT32:
        return reflection.AddInt32(&message, &field, 0);
      case FieldDescriptor::CPPTYPE_INT64:
        return reflection.AddInt64(&message, &field, 0);
      case FieldDescriptor::CPPTYPE_UINT32:
        return reflection.AddUInt32(&message, &field, 0);
      case FieldDescriptor::CPPTYPE_UINT64:
        return reflection.AddUInt64(&message, &field, 0);
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return reflection.AddDouble(&message, &field, 0);
      case FieldDescriptor::CPPTYPE_FLOAT:
        return reflection.AddFloat(&message, &field, 0);
      case FieldDescriptor::CPPTYPE_ENUM:
        return reflection.AddEnumValue(&message, &field, 0);
      case FieldDescriptor::CPPTYPE_MESSAGE:
        reflection.AddMessage(&message, &field);
        return;
    }
  }

  // Sets (or, for a repeated field, adds) one scalar. Reports and returns
  // false when `node` does not hold a valid value of the field's type.
  bool SetScalar(const YAML::Node& node, Message& message, const FieldDescriptor& field,
                 const std::string& path, const YAML::Mark& key_mark) {
    const YAML::Mark& mark = ValueMark(node, key_mark);
    if (node.IsNull()) {
      std::string hint = field.cpp_type() == FieldDescriptor::CPPTYPE_STRING
                             ? " (write \"\" for an empty string)"
                             : "";
      FieldError(mark, path, fmt::format("a value is missing{}", hint));
      return false;
    }
    if (!node.IsScalar()) {
      FieldError(mark, path,
                 fmt::format("expected {}, got {}", ExpectedValue(field), DescribeNode(node)));
      return false;
    }
    std::optional<std::string> error = SetScalarValue(node, message, field);
    if (error) FieldError(mark, path, *error);
    return !error;
  }

  std::string_view file_;
  const ExtensionKinds* extensions_;
  ConversionResult result_;
};

}  // namespace

SourcePosition PositionOf(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

ConversionResult YamlToProto(const YAML::Node& node, google::protobuf::Message& message,
                             std::string_view file, const ExtensionKinds* extensions) {
  return Converter(file, extensions).Run(node, message);
}

}  // namespace navette::engine::config
