// What the MIME layer shares about GMime 3, kept out of the public headers so
// that users of mail_message.h and mail_receipts.h do not see GMime or GLib:
// the one-time initialisation and RAII owners for GObject references and
// g_malloc'ed strings.
//
// GMime's own state (its content-type registry, charset tables) is set up by
// g_mime_init() and never torn down: g_mime_shutdown() while another thread
// still parses or renders would free tables under it, and the process ends
// anyway. Everything else GMime hands out here is per call (messages, parts,
// streams, format options, never the shared default format options), so
// rendering and parsing are safe on several threads at once: GMime's FAQ
// says its charset, iconv and utils functions are thread-safe and its
// GObjects are not to be shared without a lock, and none is shared here
// (mail_receipts_test runs both on four threads).
#pragma once

#include <gmime/gmime.h>

#include <memory>
#include <string>
#include <string_view>

namespace navette::adapters::mssante::mime {

// g_mime_init() exactly once per process; cheap after the first call.
void EnsureGMimeInitialized();

struct GObjectUnref {
  void operator()(gpointer object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
// Owns one reference of a GObject (GMimeMessage, GMimePart, GMimeStream, ...).
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GFree {
  void operator()(gpointer memory) const { g_free(memory); }
};
using GCharPtr = std::unique_ptr<char, GFree>;

struct FormatOptionsFree {
  void operator()(GMimeFormatOptions* options) const { g_mime_format_options_free(options); }
};
using FormatOptionsPtr = std::unique_ptr<GMimeFormatOptions, FormatOptionsFree>;

// The bytes a GMimeStreamMem holds (which may contain NULs).
std::string StreamBytes(GMimeStream* stream);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD, so that what
// is read from a foreign mail can go into proto string fields.
std::string ValidUtf8(std::string_view text);

}  // namespace navette::adapters::mssante::mime
