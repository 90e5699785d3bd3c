#include "adapters/mssante/mime/gmime_support.h"

#include <mutex>

namespace navette::adapters::mssante::mime {

void EnsureGMimeInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

std::string StreamBytes(GMimeStream* stream) {
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
  if (bytes == nullptr || bytes->len == 0) return {};
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string ValidUtf8(std::string_view text) {
  if (g_utf8_validate_len(text.data(), text.size(), nullptr)) return std::string(text);
  GCharPtr valid(g_utf8_make_valid(text.data(), static_cast<gssize>(text.size())));
  return std::string(valid.get());
}

}  // namespace navette::adapters::mssante::mime
