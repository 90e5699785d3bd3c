#include "tests/support/schematron.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

namespace navette::testing {
namespace {

namespace fs = std::filesystem;

struct Compiled {
  unsigned bit;
  const char* name;  // as failures name it
  const char* file;  // under NAVETTE_SCHEMATRON_XSL_DIR
};
constexpr Compiled kCompiled[] = {
    {Schematron::kLdlSes, "LDL-SES", "ldl_ses.xsl"},
    {Schematron::kCrBio, "CR-BIO", "cr_bio.xsl"},
    {Schematron::kCrImg, "CR-IMG", "cr_img.xsl"},
    {Schematron::kHeader, "header", "header.xsl"},
};

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Quoted(const fs::path& path) { return "'" + path.string() + "'"; }

// A folder under the system's temp directory, removed with this object.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "navette-schematron-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct XPathContextDeleter {
  void operator()(xmlXPathContext* context) const { xmlXPathFreeContext(context); }
};
struct XPathObjectDeleter {
  void operator()(xmlXPathObject* object) const { xmlXPathFreeObject(object); }
};

std::string Collapsed(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string Attribute(xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

// Reads one SVRL report into `report`: the failed asserts and successful
// reports whose role is error (or fatal) or absent. The ANS rules leave the
// role out of many mandatory-section asserts; their "warning" and "info" are
// advice, not non-conformity.
bool ReadSvrl(const fs::path& svrl, const char* name, SchematronReport& report) {
  const std::string text = ReadAll(svrl);
  std::unique_ptr<xmlDoc, DocDeleter> doc(xmlReadMemory(text.data(), static_cast<int>(text.size()),
                                                        "svrl.xml", nullptr, XML_PARSE_NONET));
  if (doc == nullptr) {
    report.error = std::string(name) + ": no SVRL report in " + svrl.string();
    return false;
  }
  std::unique_ptr<xmlXPathContext, XPathContextDeleter> context(xmlXPathNewContext(doc.get()));
  xmlXPathRegisterNs(context.get(), reinterpret_cast<const xmlChar*>("svrl"),
                     reinterpret_cast<const xmlChar*>("http://purl.oclc.org/dsdl/svrl"));
  std::unique_ptr<xmlXPathObject, XPathObjectDeleter> found(xmlXPathEvalExpression(
      reinterpret_cast<const xmlChar*>("//svrl:failed-assert | //svrl:successful-report"),
      context.get()));
  if (found == nullptr) return false;
  const xmlNodeSet* nodes = found->nodesetval;
  for (int i = 0; nodes != nullptr && i < nodes->nodeNr; ++i) {
    xmlNode* node = nodes->nodeTab[i];
    const std::string role = Attribute(node, "role");
    if (!role.empty() && role != "error" && role != "fatal") continue;
    std::string message;
    for (xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (child->type != XML_ELEMENT_NODE || xmlStrcmp(child->name, BAD_CAST "text") != 0) continue;
      xmlChar* content = xmlNodeGetContent(child);
      message = Collapsed(reinterpret_cast<const char*>(content));
      xmlFree(content);
    }
    report.failures.push_back(std::string(name) + ": " + message + " [at " +
                              Attribute(node, "location") + "]");
  }
  return true;
}

// Why the harness cannot run here, or "".
std::string Unavailable() {
  const std::string java = NAVETTE_JAVA;
  const std::string saxon = NAVETTE_SAXON_JAR;
  const std::string how =
      " (scripts/install-deps.sh installs default-jre-headless, "
      "libsaxonhe-java and python3-lxml; then reconfigure)";
  if (java.empty() || !fs::exists(java))
    return "java was not found when the build was configured" + how;
  if (saxon.empty() || !fs::exists(saxon))
    return "Saxon HE was not found when the build was configured" + how;
  if (std::string(NAVETTE_SCHEMATRON_XSL_DIR).empty()) {
    return "the ISO Schematron XSLT files were not found when the build was configured" + how;
  }
  return "";
}

}  // namespace

std::vector<SchematronReport> RunSchematronOnFiles(unsigned schematrons,
                                                   const std::vector<fs::path>& files) {
  std::vector<SchematronReport> reports(files.size());
  auto fail_all = [&](const std::string& why) {
    ADD_FAILURE() << "schematron harness cannot run: " << why;
    for (SchematronReport& report : reports) {
      report.ran = false;
      report.error = why;
      report.failures.clear();
    }
    return reports;
  };
  if (const std::string why = Unavailable(); !why.empty()) return fail_all(why);
  if (schematrons == 0) return fail_all("no schematron asked for");
  TempDir temp;
  if (temp.path().empty()) return fail_all("cannot create a temporary directory");
  // Saxon transforms a whole folder with one compiled stylesheet; the copies
  // get plain names (the corpus's have spaces and accents).
  const fs::path in = temp.path() / "in";
  fs::create_directories(in);
  for (size_t i = 0; i < files.size(); ++i) {
    std::error_code error;
    fs::copy_file(files[i], in / (std::to_string(i) + ".xml"), error);
    if (error) return fail_all("cannot read " + files[i].string() + ": " + error.message());
  }
  for (const Compiled& compiled : kCompiled) {
    if ((schematrons & compiled.bit) == 0) continue;
    const fs::path xsl = fs::path(NAVETTE_SCHEMATRON_XSL_DIR) / compiled.file;
    if (!fs::exists(xsl)) {
      return fail_all(xsl.string() + " is missing: build the navette_schematrons target");
    }
    const fs::path out = temp.path() / compiled.file;
    const fs::path log = temp.path() / (std::string(compiled.file) + ".log");
    fs::create_directories(out);
    const std::string command = Quoted(NAVETTE_JAVA) + " -cp " + Quoted(NAVETTE_SAXON_JAR) +
                                " net.sf.saxon.Transform -s:" + Quoted(in) +
                                " -xsl:" + Quoted(xsl) + " -o:" + Quoted(out) + " 2>" + Quoted(log);
    const int status = std::system(command.c_str());
    if (status != 0) {
      return fail_all(std::string(compiled.name) + ": Saxon exited with status " +
                      std::to_string(status) + ": " + ReadAll(log));
    }
    for (size_t i = 0; i < files.size(); ++i) {
      SchematronReport& report = reports[i];
      if (!ReadSvrl(out / (std::to_string(i) + ".xml"), compiled.name, report)) {
        return fail_all(report.error.empty() ? std::string(compiled.name) + ": unreadable SVRL"
                                             : report.error);
      }
    }
  }
  for (SchematronReport& report : reports) report.ran = true;
  return reports;
}

SchematronReport RunSchematron(unsigned schematrons, std::string_view document) {
  const size_t start = document.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (start != std::string_view::npos && document[start] == '<') {
    TempDir temp;
    const fs::path file = temp.path() / "document.xml";
    std::ofstream(file, std::ios::binary)
        .write(document.data(), static_cast<std::streamsize>(document.size()));
    return RunSchematronOnFiles(schematrons, {file}).front();
  }
  return RunSchematronOnFiles(schematrons, {fs::path(document)}).front();
}

}  // namespace navette::testing
