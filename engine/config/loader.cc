#include "engine/config/loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>
#include <variant>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/sha256.h"
#include "engine/config/checks.h"
#include "engine/config/defaults.h"
#include "engine/config/registry_kinds.h"
#include "engine/config/yaml_to_proto.h"

namespace navette::engine::config {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// The whole file, or the errno of the failure.
std::variant<std::string, int> ReadFile(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return errno;
  std::string text;
  char buffer[16 * 1024];
  while (true) {
    size_t read = std::fread(buffer, 1, sizeof(buffer), file.get());
    text.append(buffer, read);
    if (read < sizeof(buffer)) break;
  }
  // A directory opens fine on Linux and fails here, with EISDIR.
  if (std::ferror(file.get())) return errno;
  return text;
}

LoadResult Fail(std::vector<ConfigError> errors) {
  std::stable_sort(errors.begin(), errors.end(), ConfigErrorBefore);
  return LoadResult{std::nullopt, std::move(errors)};
}

}  // namespace

std::string ConfigVersion(std::string_view text) {
  const std::string digest = Sha256(text);
  // Empty only when OpenSSL itself is broken; a version must still be a name.
  if (digest.size() < 8) return "0000000000000000";
  std::string hex;
  for (int i = 0; i < 8; ++i) hex += fmt::format("{:02x}", static_cast<unsigned char>(digest[i]));
  return hex;
}

LoadResult LoadConfigFile(const std::string& path, const kinds::KindRegistry& kinds) {
  auto text = ReadFile(path);
  if (const int* error = std::get_if<int>(&text)) {
    return Fail({{path, 0, 0,
                  fmt::format("cannot read the configuration file: {}",
                              std::generic_category().message(*error))}});
  }
  return LoadConfigText(std::get<std::string>(text), path, kinds);
}

LoadResult LoadConfigText(std::string_view text, std::string_view file_name,
                          const kinds::KindRegistry& kinds) {
  std::string file(file_name);
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::ParserException& e) {
    SourcePosition position = PositionOf(e.mark);
    return Fail({{file, position.line, position.column, fmt::format("YAML syntax: {}", e.msg)}});
  } catch (const YAML::Exception& e) {
    // yaml-cpp's other failures (e.g. nesting too deep) carry a mark too.
    SourcePosition position = PositionOf(e.mark);
    return Fail({{file, position.line, position.column, fmt::format("YAML: {}", e.msg)}});
  }
  if (documents.size() > 1) {
    SourcePosition position = PositionOf(documents[1].Mark());
    return Fail({{file, position.line, position.column,
                  "the configuration must be a single YAML document, but a second one starts "
                  "here (after a '---' line)"}});
  }

  LoadedConfig loaded;
  // No document at all (an empty file, or only comments) is an empty
  // configuration; the checks say what it lacks.
  const RegistryExtensionKinds extensions(kinds);
  ConversionResult conversion = YamlToProto(documents.empty() ? YAML::Node() : documents[0],
                                            loaded.config, file, &extensions);
  ApplyDefaults(loaded.config, kinds);
  std::vector<ConfigError> errors = std::move(conversion.errors);
  std::vector<ConfigError> check_errors =
      CheckConfig(loaded.config, conversion.source_map, file, kinds);
  errors.insert(errors.end(), std::make_move_iterator(check_errors.begin()),
                std::make_move_iterator(check_errors.end()));
  if (!errors.empty()) return Fail(std::move(errors));

  loaded.text = std::string(text);
  loaded.version = ConfigVersion(text);
  loaded.file = std::move(file);
  loaded.source_map = std::move(conversion.source_map);
  return LoadResult{std::move(loaded), {}};
}

}  // namespace navette::engine::config
