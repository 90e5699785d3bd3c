// Reads the ebRIM registry objects of an ITI-41 or ITI-57 body
// (lcm:SubmitObjectsRequest, alone or inside
// xdsb:ProvideAndRegisterDocumentSetRequest) into plain values, so that the
// metadata rules (dmp_metadata_checks.h) and the registry updates are
// written against structs, not XPath. The schema check has run before: this
// reader does not re-check the shape, it only collects.
#pragma once

#include <libxml/tree.h>

#include <map>
#include <string>
#include <vector>

namespace navette::testing::dmp_sim {

using Slots = std::map<std::string, std::vector<std::string>>;

struct RimClassification {
  std::string scheme;               // classificationScheme
  std::string node_representation;  // the code
  std::string coding_scheme;        // Slot codingScheme's first value
  Slots slots;                      // (authorInstitution, … for author classifications)
};

// An ExtrinsicObject, RegistryPackage or Association.
struct RimObject {
  std::string id;
  std::string lid;
  std::string status;
  Slots slots;
  std::vector<RimClassification> classifications;
  std::map<std::string, std::vector<std::string>> external_ids;  // scheme → values
  // Associations only.
  std::string association_type;
  std::string source;
  std::string target;

  // The slot's first value, "" when absent.
  std::string Slot(const std::string& name) const;
  // The classifications under `scheme`.
  std::vector<const RimClassification*> ClassifiedBy(const std::string& scheme) const;
};

struct Submission {
  std::vector<RimObject> entries;       // rim:ExtrinsicObject
  std::vector<RimObject> packages;      // rim:RegistryPackage (the SubmissionSet)
  std::vector<RimObject> associations;  // rim:Association
  // xdsb:Document/@id → its xop:Include/@href (ITI-41).
  std::map<std::string, std::string> documents;
};

// `request` is the soap:Body's child element. Unknown elements are skipped.
Submission ReadSubmission(const xmlNode* request);

}  // namespace navette::testing::dmp_sim
