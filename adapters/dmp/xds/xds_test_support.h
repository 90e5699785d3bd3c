// Test helpers: the corpus fixtures, the submission set the tests send, and
// XPath over a built request (prefixes rim, lcm, xdsb, xop).
#pragma once

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "adapters/dmp/xds/document_metadata.h"

namespace navette::adapters::dmp::xds::testing {

// The corpus CR-BIO N3 (ANS TestContenuCDA-3-0, tests/fixtures/cda/MANIFEST.md).
inline constexpr char kCrBio[] = "cda/corpus/BIO-CR-BIO_2024.01_TSH_1.xml";
inline constexpr char kCrBioN1[] = "cda/corpus/BIO-CR-BIO_2021.01_CDA-R2-Niveau-1.xml";

inline std::string ReadFixture(const std::string& relative) {
  std::ifstream in(std::string(NAVETTE_FIXTURES_DIR) + "/" + relative, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

inline SubmissionSet TestSubmissionSet() {
  SubmissionSet set;
  set.source_id = "1.2.250.1.999.1.1.7898";
  set.unique_id = "1.2.250.1.999.1.1.7898.1.42";
  set.time = absl::FromCivil(absl::CivilSecond(2026, 3, 2, 10, 15, 30), absl::UTCTimeZone());
  set.content_type = {"04", "Hospitalisation de jour", "1.2.250.1.213.2.2"};
  set.allow_test_ins = true;  // the corpus patient carries the test NIR OID
  return set;
}

// The string values `xpath` selects (attributes and elements alike), in
// document order; empty when the XML does not parse.
inline std::vector<std::string> Select(const std::string& xml, const std::string& xpath) {
  std::vector<std::string> values;
  xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "t.xml", nullptr,
                              XML_PARSE_NONET | XML_PARSE_HUGE);
  if (doc == nullptr) return values;
  xmlXPathContext* context = xmlXPathNewContext(doc);
  const std::pair<const char*, const char*> prefixes[] = {
      {"rim", "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"},
      {"lcm", "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"},
      {"xdsb", "urn:ihe:iti:xds-b:2007"},
      {"xop", "http://www.w3.org/2004/08/xop/include"}};
  for (const auto& [prefix, href] : prefixes) {
    xmlXPathRegisterNs(context, reinterpret_cast<const xmlChar*>(prefix),
                       reinterpret_cast<const xmlChar*>(href));
  }
  xmlXPathObject* result =
      xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), context);
  if (result != nullptr && result->nodesetval != nullptr) {
    for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
      xmlChar* text = xmlNodeGetContent(result->nodesetval->nodeTab[i]);
      values.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
      xmlFree(text);
    }
  }
  xmlXPathFreeObject(result);
  xmlXPathFreeContext(context);
  xmlFreeDoc(doc);
  return values;
}

// The one value `xpath` selects, or "<n matches>" so that a failing
// expectation says how many there were.
inline std::string One(const std::string& xml, const std::string& xpath) {
  std::vector<std::string> values = Select(xml, xpath);
  if (values.size() == 1) return values[0];
  return "<" + std::to_string(values.size()) + " matches>";
}

}  // namespace navette::adapters::dmp::xds::testing
