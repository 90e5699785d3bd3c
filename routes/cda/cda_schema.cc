#include "routes/cda/cda_schema.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/libxml_errors.h"

namespace navette::routes::cda {
namespace {

// The file every CDA is checked against; it includes the rest of the set.
constexpr char kRootSchema[] = "CDA_extended.xsd";

// A CDA is read without the network, without loading a DTD and without
// substituting entities: a document can make navette fetch nothing. Any
// DOCTYPE is refused after parsing (a CDA has none), so a document that
// declares entities never reaches the validator.
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

using xml::DocDeleter;
using xml::ErrorCollector;
using xml::SchemaDeleter;
using xml::SchemaParserDeleter;
using xml::ThreadErrorScope;
using xml::ValidCtxtDeleter;

// The 1-based line of the first `needle` in `text` (1 when absent).
size_t LineOf(std::string_view text, std::string_view needle) {
  const size_t at = std::min(text.find(needle), text.size());
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + at, '\n'));
}

}  // namespace

struct CdaSchema::Impl {
  std::unique_ptr<xmlSchema, SchemaDeleter> schema;  // read-only once compiled
};

CdaSchema::CdaSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CdaSchema::~CdaSchema() = default;

absl::StatusOr<std::shared_ptr<const CdaSchema>> CdaSchema::Load(const std::filesystem::path& dir) {
  xmlInitParser();  // once per process; libxml2 requires it before threads share it
  const std::filesystem::path root = dir / kRootSchema;
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(root, ignored)) {
    return absl::NotFoundError(absl::StrCat("CDA schema ", root.string(), ": no such file"));
  }
  ErrorCollector errors(5);
  std::unique_ptr<xmlSchema, SchemaDeleter> schema;
  {
    ThreadErrorScope scope(&errors);
    std::unique_ptr<xmlSchemaParserCtxt, SchemaParserDeleter> parser(
        xmlSchemaNewParserCtxt(root.c_str()));
    if (parser == nullptr) {
      return absl::InternalError(absl::StrCat("CDA schema ", root.string(), ": out of memory"));
    }
    xmlSchemaSetParserStructuredErrors(parser.get(), &ErrorCollector::Handle, &errors);
    schema.reset(xmlSchemaParse(parser.get()));
  }
  if (schema == nullptr || !errors.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "CDA schema ", root.string(),
        " does not compile: ", errors.empty() ? "libxml2 gave no reason" : errors.Summary()));
  }
  auto impl = std::make_unique<Impl>();
  impl->schema = std::move(schema);
  return std::shared_ptr<const CdaSchema>(new CdaSchema(std::move(impl)));
}

absl::StatusOr<std::shared_ptr<const CdaSchema>> CdaSchema::Shared(
    const std::filesystem::path& dir) {
  // Compiling takes a few hundred milliseconds and some megabytes: every
  // step of every route shares the one compiled per directory. A failure is
  // not kept, so that a corrected directory is read again.
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const CdaSchema>>* cache =
      new std::map<std::string, std::shared_ptr<const CdaSchema>>();  // never destroyed
  std::error_code ignored;
  std::filesystem::path key = std::filesystem::weakly_canonical(dir, ignored);
  if (key.empty()) key = dir;
  std::lock_guard<std::mutex> lock(mutex);
  auto found = cache->find(key.string());
  if (found != cache->end()) return found->second;
  absl::StatusOr<std::shared_ptr<const CdaSchema>> loaded = Load(dir);
  if (loaded.ok()) cache->emplace(key.string(), *loaded);
  return loaded;
}

absl::Status CdaSchema::Validate(std::string_view xml, int max_errors) const {
  if (xml.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::InvalidArgumentError("CDA too large to validate");
  }
  ErrorCollector errors(max_errors);
  ThreadErrorScope scope(&errors);
  std::unique_ptr<xmlDoc, DocDeleter> doc(xmlReadMemory(
      xml.data(), static_cast<int>(xml.size()), "cda.xml", /*encoding=*/nullptr, kParseOptions));
  if (doc == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CDA is not well-formed XML: ", errors.empty() ? "nothing parsed" : errors.Summary()));
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "line ", LineOf(xml, "<!DOCTYPE"),
        ": a CDA must not carry a DOCTYPE (DTDs and entity declarations are refused)"));
  }
  // One validation context per call: the compiled schema is only read.
  std::unique_ptr<xmlSchemaValidCtxt, ValidCtxtDeleter> context(
      xmlSchemaNewValidCtxt(impl_->schema.get()));
  if (context == nullptr) return absl::InternalError("CDA validation: out of memory");
  xmlSchemaSetValidStructuredErrors(context.get(), &ErrorCollector::Handle, &errors);
  const int result = xmlSchemaValidateDoc(context.get(), doc.get());
  if (result == 0 && errors.empty()) return absl::OkStatus();
  if (errors.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("CDA does not validate against ", kRootSchema,
                                                   " (libxml2 code ", result, ")"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("CDA does not validate against ", kRootSchema, ": ", errors.Summary()));
}

std::filesystem::path DefaultSchemaDir() { return NAVETTE_SCHEMA_DIR; }

}  // namespace navette::routes::cda
