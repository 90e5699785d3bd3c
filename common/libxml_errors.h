// What every libxml2 user of navette needs around a parse or a schema
// check: owners for libxml2's objects, and its errors collected as
// "line N: message" instead of printed to stderr. Header-only, like
// libxml_ready.h: its users already link libxml2.
#pragma once

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace navette::xml {

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct SchemaDeleter {
  void operator()(xmlSchema* schema) const { xmlSchemaFree(schema); }
};
struct SchemaParserDeleter {
  void operator()(xmlSchemaParserCtxt* ctxt) const { xmlSchemaFreeParserCtxt(ctxt); }
};
struct ValidCtxtDeleter {
  void operator()(xmlSchemaValidCtxt* ctxt) const { xmlSchemaFreeValidCtxt(ctxt); }
};

// libxml2's errors, kept as "line N: message" (the first `limit`) and
// counted beyond; warnings are not errors here.
class ErrorCollector {
 public:
  explicit ErrorCollector(int limit) : limit_(limit < 1 ? 1 : limit) {}

  static void Handle(void* self, xmlErrorPtr error) {
    if (error == nullptr || error->level < XML_ERR_ERROR) return;
    static_cast<ErrorCollector*>(self)->Add(*error);
  }

  bool empty() const { return total_ == 0; }

  std::string Summary() const {
    std::string text = absl::StrJoin(messages_, "; ");
    if (total_ > static_cast<int>(messages_.size())) {
      absl::StrAppend(&text, "; and ", total_ - static_cast<int>(messages_.size()), " more");
    }
    return text;
  }

 private:
  void Add(const xmlError& error) {
    ++total_;
    if (static_cast<int>(messages_.size()) >= limit_) return;
    std::string message = error.message != nullptr ? error.message : "unknown error";
    messages_.push_back(
        absl::StrCat("line ", error.line, ": ", absl::StripTrailingAsciiWhitespace(message)));
  }

  int limit_;
  int total_ = 0;
  std::vector<std::string> messages_;
};

// libxml2 keeps the structured error handler per thread; this routes the
// errors raised on this thread while it lives to `collector`.
class ThreadErrorScope {
 public:
  explicit ThreadErrorScope(ErrorCollector* collector) {
    xmlSetStructuredErrorFunc(collector, &ErrorCollector::Handle);
  }
  ~ThreadErrorScope() { xmlSetStructuredErrorFunc(nullptr, nullptr); }
  ThreadErrorScope(const ThreadErrorScope&) = delete;
  ThreadErrorScope& operator=(const ThreadErrorScope&) = delete;
};

}  // namespace navette::xml
