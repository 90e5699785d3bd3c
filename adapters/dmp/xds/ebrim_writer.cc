#include "adapters/dmp/xds/ebrim_writer.h"

#include <libxml/parser.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/xds/xds_values.h"
#include "common/libxml_ready.h"

namespace navette::adapters::dmp::xds {
namespace {

const xmlChar* X(const std::string& text) { return reinterpret_cast<const xmlChar*>(text.c_str()); }

void LocalizedString(RimWriter* writer, xmlNode* parent, std::string_view text) {
  xmlNode* string = writer->Element(parent, writer->rim(), "LocalizedString");
  RimWriter::SetAttribute(string, "value", text);
  RimWriter::SetAttribute(string, "charset", "UTF-8");
  xmlNodeSetLang(string, reinterpret_cast<const xmlChar*>("fr-FR"));
}

}  // namespace

RimWriter::RimWriter(std::string_view root_namespace, std::string_view prefix,
                     std::string_view root_name) {
  EnsureLibXmlReady();
  doc_.reset(xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0")));
  root_ = xmlNewDocNode(doc_.get(), nullptr, X(std::string(root_name)), nullptr);
  xmlDocSetRootElement(doc_.get(), root_);
  xmlNs* root_ns = xmlNewNs(root_, X(std::string(root_namespace)), X(std::string(prefix)));
  xmlSetNs(root_, root_ns);
  lcm_ = root_namespace == kLcmNamespace
             ? root_ns
             : xmlNewNs(root_, reinterpret_cast<const xmlChar*>(kLcmNamespace),
                        reinterpret_cast<const xmlChar*>("lcm"));
  rim_ = xmlNewNs(root_, reinterpret_cast<const xmlChar*>(kRimNamespace),
                  reinterpret_cast<const xmlChar*>("rim"));
}

xmlNode* RimWriter::Element(xmlNode* parent, xmlNs* ns, std::string_view name) {
  return xmlNewChild(parent, ns, X(std::string(name)), nullptr);
}

void RimWriter::SetAttribute(xmlNode* node, std::string_view name, std::string_view value) {
  // xmlSetProp stores the value as text: '&' and '<' are escaped on output,
  // never read as entity references.
  xmlSetProp(node, X(std::string(name)), X(std::string(value)));
}

void RimWriter::Slot(xmlNode* parent, std::string_view name,
                     const std::vector<std::string>& values) {
  if (values.empty()) return;
  xmlNode* slot = Element(parent, rim_, "Slot");
  SetAttribute(slot, "name", name);
  xmlNode* list = Element(slot, rim_, "ValueList");
  for (const std::string& value : values) {
    // xmlNewTextChild escapes the content (unlike xmlNewChild).
    xmlNewTextChild(list, rim_, reinterpret_cast<const xmlChar*>("Value"), X(value));
  }
}

void RimWriter::Name(xmlNode* parent, std::string_view text) {
  if (text.empty()) return;
  LocalizedString(this, Element(parent, rim_, "Name"), text);
}

void RimWriter::Description(xmlNode* parent, std::string_view text) {
  if (text.empty()) return;
  LocalizedString(this, Element(parent, rim_, "Description"), text);
}

xmlNode* RimWriter::CodedClassification(xmlNode* parent, std::string_view scheme,
                                        std::string_view classified, const Code& code) {
  xmlNode* node = Element(parent, rim_, "Classification");
  SetAttribute(node, "id", NextId("cl"));
  SetAttribute(node, "classificationScheme", scheme);
  SetAttribute(node, "classifiedObject", classified);
  SetAttribute(node, "nodeRepresentation", code.code);
  Slot(node, "codingScheme", {code.scheme});
  Name(node, code.display);
  return node;
}

xmlNode* RimWriter::AuthorClassification(xmlNode* parent, std::string_view scheme,
                                         std::string_view classified, const Author& author) {
  xmlNode* node = Element(parent, rim_, "Classification");
  SetAttribute(node, "id", NextId("cl"));
  SetAttribute(node, "classificationScheme", scheme);
  SetAttribute(node, "classifiedObject", classified);
  SetAttribute(node, "nodeRepresentation", "");
  Slot(node, "authorPerson", {PersonXcn(author.person)});
  Slot(node, "authorInstitution", {InstitutionXon(author)});
  if (!author.role.empty()) Slot(node, "authorRole", {CodedValue(author.role)});
  if (!author.specialty.empty()) Slot(node, "authorSpecialty", {CodedValue(author.specialty)});
  return node;
}

xmlNode* RimWriter::NodeClassification(xmlNode* parent, std::string_view node_id,
                                       std::string_view classified) {
  xmlNode* node = Element(parent, rim_, "Classification");
  SetAttribute(node, "id", NextId("cl"));
  SetAttribute(node, "classificationNode", node_id);
  SetAttribute(node, "classifiedObject", classified);
  return node;
}

xmlNode* RimWriter::ExternalIdentifier(xmlNode* parent, std::string_view scheme,
                                       std::string_view registry_object, std::string_view value,
                                       std::string_view name) {
  xmlNode* node = Element(parent, rim_, "ExternalIdentifier");
  SetAttribute(node, "id", NextId("ei"));
  SetAttribute(node, "identificationScheme", scheme);
  SetAttribute(node, "registryObject", registry_object);
  SetAttribute(node, "value", value);
  Name(node, name);
  return node;
}

xmlNode* RimWriter::Association(xmlNode* parent, std::string_view type, std::string_view source,
                                std::string_view target) {
  xmlNode* node = Element(parent, rim_, "Association");
  SetAttribute(node, "id", NextId("as"));
  SetAttribute(node, "objectType",
               "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association");
  SetAttribute(node, "associationType", type);
  SetAttribute(node, "sourceObject", source);
  SetAttribute(node, "targetObject", target);
  return node;
}

std::string RimWriter::Serialize() const {
  xmlChar* buffer = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(doc_.get(), &buffer, &size, "UTF-8", 1);
  std::string out(reinterpret_cast<const char*>(buffer), size > 0 ? static_cast<size_t>(size) : 0);
  xmlFree(buffer);
  return out;
}

std::string RimWriter::NextId(std::string_view prefix) {
  return absl::StrCat(std::string(prefix), next_id_++);
}

}  // namespace navette::adapters::dmp::xds
