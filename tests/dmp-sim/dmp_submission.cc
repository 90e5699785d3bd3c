#include "tests/dmp-sim/dmp_submission.h"

#include <string_view>

namespace navette::testing::dmp_sim {
namespace {

constexpr char kRim[] = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0";
constexpr char kLcm[] = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0";
constexpr char kXdsb[] = "urn:ihe:iti:xds-b:2007";
constexpr char kXop[] = "http://www.w3.org/2004/08/xop/include";

bool Is(const xmlNode* node, std::string_view ns, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         ns == reinterpret_cast<const char*>(node->ns->href) &&
         name == reinterpret_cast<const char*>(node->name);
}

std::string Attribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

std::string Text(const xmlNode* node) {
  xmlChar* value = xmlNodeGetContent(node);
  if (value == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

// rim:Slot/rim:ValueList/rim:Value children of `parent`.
void ReadSlot(const xmlNode* slot, Slots* slots) {
  std::vector<std::string>& values = (*slots)[Attribute(slot, "name")];
  for (const xmlNode* list = slot->children; list != nullptr; list = list->next) {
    if (!Is(list, kRim, "ValueList")) continue;
    for (const xmlNode* value = list->children; value != nullptr; value = value->next) {
      if (Is(value, kRim, "Value")) values.push_back(Text(value));
    }
  }
}

RimObject ReadObject(const xmlNode* node) {
  RimObject object;
  object.id = Attribute(node, "id");
  object.lid = Attribute(node, "lid");
  object.status = Attribute(node, "status");
  object.association_type = Attribute(node, "associationType");
  object.source = Attribute(node, "sourceObject");
  object.target = Attribute(node, "targetObject");
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (Is(child, kRim, "Slot")) {
      ReadSlot(child, &object.slots);
    } else if (Is(child, kRim, "Classification")) {
      RimClassification classification;
      classification.scheme = Attribute(child, "classificationScheme");
      classification.node_representation = Attribute(child, "nodeRepresentation");
      for (const xmlNode* slot = child->children; slot != nullptr; slot = slot->next) {
        if (Is(slot, kRim, "Slot")) ReadSlot(slot, &classification.slots);
      }
      if (auto found = classification.slots.find("codingScheme");
          found != classification.slots.end() && !found->second.empty()) {
        classification.coding_scheme = found->second.front();
      }
      object.classifications.push_back(std::move(classification));
    } else if (Is(child, kRim, "ExternalIdentifier")) {
      object.external_ids[Attribute(child, "identificationScheme")].push_back(
          Attribute(child, "value"));
    }
  }
  return object;
}

}  // namespace

std::string RimObject::Slot(const std::string& name) const {
  auto found = slots.find(name);
  if (found == slots.end() || found->second.empty()) return "";
  return found->second.front();
}

std::vector<const RimClassification*> RimObject::ClassifiedBy(const std::string& scheme) const {
  std::vector<const RimClassification*> found;
  for (const RimClassification& classification : classifications) {
    if (classification.scheme == scheme) found.push_back(&classification);
  }
  return found;
}

Submission ReadSubmission(const xmlNode* request) {
  Submission submission;
  const xmlNode* submit = Is(request, kLcm, "SubmitObjectsRequest") ? request : nullptr;
  for (const xmlNode* child = request->children; child != nullptr; child = child->next) {
    if (Is(child, kLcm, "SubmitObjectsRequest")) submit = child;
    if (Is(child, kXdsb, "Document")) {
      std::string href;
      for (const xmlNode* include = child->children; include != nullptr; include = include->next) {
        if (Is(include, kXop, "Include")) href = Attribute(include, "href");
      }
      submission.documents[Attribute(child, "id")] = href;
    }
  }
  if (submit == nullptr) return submission;
  for (const xmlNode* list = submit->children; list != nullptr; list = list->next) {
    if (!Is(list, kRim, "RegistryObjectList")) continue;
    for (const xmlNode* node = list->children; node != nullptr; node = node->next) {
      if (Is(node, kRim, "ExtrinsicObject")) submission.entries.push_back(ReadObject(node));
      if (Is(node, kRim, "RegistryPackage")) submission.packages.push_back(ReadObject(node));
      if (Is(node, kRim, "Association")) submission.associations.push_back(ReadObject(node));
    }
  }
  return submission;
}

}  // namespace navette::testing::dmp_sim
