// Files built into the binary: the web console's static files (console/),
// embedded at build time by cmake/embed_files.cmake so that the engine serves
// them with nothing installed beside it.
#pragma once

#include <cstddef>
#include <string_view>

namespace navette::engine {

struct EmbeddedFile {
  std::string_view path;  // relative to console/, with '/': "js/app.js"
  std::string_view bytes;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;

}  // namespace navette::engine
