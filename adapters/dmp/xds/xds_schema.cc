#include "adapters/dmp/xds/xds_schema.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <limits>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/libxml_errors.h"
#include "common/libxml_ready.h"

namespace navette::adapters::dmp::xds {
namespace {

// The repository schema imports every other one of the set, so one
// compiled schema checks ITI-41 (xdsb:) and ITI-57 (lcm:) bodies alike.
constexpr char kRootSchema[] = "XDS.b_DocumentRepository.xsd";
constexpr char kXopNamespace[] = "http://www.w3.org/2004/08/xop/include";

constexpr int kParseOptions =
    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE;

using xml::DocDeleter;
using xml::ErrorCollector;
using xml::SchemaDeleter;
using xml::SchemaParserDeleter;
using xml::ThreadErrorScope;
using xml::ValidCtxtDeleter;

void CollectIncludes(xmlNode* node, std::vector<xmlNode*>* found) {
  for (xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    if (child->ns != nullptr &&
        std::string_view(reinterpret_cast<const char*>(child->ns->href)) == kXopNamespace &&
        std::string_view(reinterpret_cast<const char*>(child->name)) == "Include") {
      found->push_back(child);
    } else {
      CollectIncludes(child, found);
    }
  }
}

// Replaces each xop:Include by its part's base64 (the XOP infoset).
absl::Status ResolveIncludes(xmlDoc* doc, const std::map<std::string, std::string>& parts) {
  std::vector<xmlNode*> includes;
  CollectIncludes(xmlDocGetRootElement(doc), &includes);
  for (xmlNode* include : includes) {
    xmlChar* href_value = xmlGetNoNsProp(include, reinterpret_cast<const xmlChar*>("href"));
    std::string href = href_value != nullptr ? reinterpret_cast<const char*>(href_value) : "";
    xmlFree(href_value);
    absl::string_view cid = href;
    if (!absl::ConsumePrefix(&cid, "cid:")) {
      return absl::InvalidArgumentError(absl::StrCat("line ", xmlGetLineNo(include),
                                                     ": xop:Include href \"", href,
                                                     "\" is not a cid: reference"));
    }
    std::string base64;
    if (!parts.empty()) {
      auto part = parts.find(std::string(cid.data(), cid.size()));
      if (part == parts.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", xmlGetLineNo(include), ": xop:Include names cid:", cid, ", no such part"));
      }
      base64 = absl::Base64Escape(part->second);
    }
    xmlNode* text = xmlNewDocText(doc, reinterpret_cast<const xmlChar*>(base64.c_str()));
    xmlReplaceNode(include, text);
    xmlFreeNode(include);
  }
  return absl::OkStatus();
}

}  // namespace

struct XdsSchema::Impl {
  std::unique_ptr<xmlSchema, SchemaDeleter> schema;  // read-only once compiled
};

XdsSchema::XdsSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XdsSchema::~XdsSchema() = default;

absl::StatusOr<std::shared_ptr<const XdsSchema>> XdsSchema::Load(const std::filesystem::path& dir) {
  EnsureLibXmlReady();
  const std::filesystem::path root = dir / kRootSchema;
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(root, ignored)) {
    return absl::NotFoundError(absl::StrCat("XDS schema ", root.string(), ": no such file"));
  }
  ErrorCollector errors(5);
  std::unique_ptr<xmlSchema, SchemaDeleter> schema;
  {
    ThreadErrorScope scope(&errors);
    std::unique_ptr<xmlSchemaParserCtxt, SchemaParserDeleter> parser(
        xmlSchemaNewParserCtxt(root.c_str()));
    if (parser == nullptr) {
      return absl::InternalError(absl::StrCat("XDS schema ", root.string(), ": out of memory"));
    }
    xmlSchemaSetParserStructuredErrors(parser.get(), &ErrorCollector::Handle, &errors);
    schema.reset(xmlSchemaParse(parser.get()));
  }
  if (schema == nullptr || !errors.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "XDS schema ", root.string(),
        " does not compile: ", errors.empty() ? "libxml2 gave no reason" : errors.Summary()));
  }
  auto impl = std::make_unique<Impl>();
  impl->schema = std::move(schema);
  return std::shared_ptr<const XdsSchema>(new XdsSchema(std::move(impl)));
}

absl::StatusOr<std::shared_ptr<const XdsSchema>> XdsSchema::Shared(
    const std::filesystem::path& dir) {
  static std::mutex mutex;
  static auto* cache =
      new std::map<std::string, std::shared_ptr<const XdsSchema>>();  // never destroyed
  std::error_code ignored;
  std::filesystem::path key = std::filesystem::weakly_canonical(dir, ignored);
  if (key.empty()) key = dir;
  std::lock_guard<std::mutex> lock(mutex);
  auto found = cache->find(key.string());
  if (found != cache->end()) return found->second;
  absl::StatusOr<std::shared_ptr<const XdsSchema>> loaded = Load(dir);
  if (loaded.ok()) cache->emplace(key.string(), *loaded);
  return loaded;
}

absl::Status XdsSchema::Validate(std::string_view xml,
                                 const std::map<std::string, std::string>& parts,
                                 int max_errors) const {
  if (xml.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::InvalidArgumentError("XDS request too large to validate");
  }
  ErrorCollector errors(max_errors);
  ThreadErrorScope scope(&errors);
  std::unique_ptr<xmlDoc, DocDeleter> doc(xmlReadMemory(
      xml.data(), static_cast<int>(xml.size()), "xds.xml", /*encoding=*/nullptr, kParseOptions));
  if (doc == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("XDS request is not well-formed XML: ",
                     errors.empty() ? "nothing parsed" : errors.Summary()));
  }
  if (doc->intSubset != nullptr) {
    return absl::InvalidArgumentError("XDS request must not carry a DOCTYPE");
  }
  if (absl::Status status = ResolveIncludes(doc.get(), parts); !status.ok()) return status;
  // One validation context per call: the compiled schema is only read.
  std::unique_ptr<xmlSchemaValidCtxt, ValidCtxtDeleter> context(
      xmlSchemaNewValidCtxt(impl_->schema.get()));
  if (context == nullptr) return absl::InternalError("XDS validation: out of memory");
  xmlSchemaSetValidStructuredErrors(context.get(), &ErrorCollector::Handle, &errors);
  const int result = xmlSchemaValidateDoc(context.get(), doc.get());
  if (result == 0 && errors.empty()) return absl::OkStatus();
  if (errors.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("XDS request does not validate against ",
                                                   kRootSchema, " (libxml2 code ", result, ")"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("XDS request does not validate against ", kRootSchema, ": ", errors.Summary()));
}

std::filesystem::path DefaultXdsSchemaDir() { return NAVETTE_XDS_SCHEMA_DIR; }

}  // namespace navette::adapters::dmp::xds
