#include "adapters/mssante/xdm/xdm_package.h"

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <openssl/evp.h>
#include <zip.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "adapters/dmp/xds/cda_metadata.h"
#include "adapters/dmp/xds/xds_schema.h"
#include "adapters/dmp/xds/xds_test_support.h"
#include "adapters/dmp/xds/xds_values.h"

namespace navette::adapters::mssante::xdm {
namespace {

namespace xds = ::navette::adapters::dmp::xds;
using xds::testing::One;
using xds::testing::Select;

// The corpus LDL-SES (lettre de liaison à la sortie, tests/fixtures/cda).
constexpr char kLdlSes[] = "cda/corpus/LDL-SES_2022.01.xml";
constexpr char kSubset[] = "IHE_XDM/SUBSET01/";

// A small but well-formed PDF: only its bytes matter here.
constexpr char kPdf[] =
    "%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    "2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    "trailer <</Root 1 0 R>>\n%%EOF\n";

// SHA-1 straight from OpenSSL, not through the code under test.
std::string OpenSslSha1(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha1(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

// The archive as another program reads it: every entry's name in central
// directory order, and its bytes (consistency checked on open).
struct Unzipped {
  std::vector<std::string> names;
  std::map<std::string, std::string> files;
};

Unzipped Unzip(const std::string& zip) {
  Unzipped out;
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(zip.data(), zip.size(), 0, &error);
  EXPECT_NE(source, nullptr);
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  EXPECT_NE(archive, nullptr) << zip_error_strerror(&error);
  zip_error_fini(&error);
  if (archive == nullptr) {
    zip_source_free(source);
    return out;
  }
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const std::string name = zip_get_name(archive, static_cast<zip_uint64_t>(i), 0);
    out.names.push_back(name);
    zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
    EXPECT_NE(file, nullptr) << name;
    if (file == nullptr) continue;
    std::string bytes;
    char chunk[4096];
    zip_int64_t got = 0;
    while ((got = zip_fread(file, chunk, sizeof chunk)) > 0)
      bytes.append(chunk, static_cast<size_t>(got));
    EXPECT_EQ(got, 0) << name;
    zip_fclose(file);
    out.files[name] = bytes;
  }
  zip_close(archive);
  return out;
}

// The href and the text of each link of an HTML page, parsed by libxml2's
// HTML parser (as a browser would, not by searching the text).
std::vector<std::pair<std::string, std::string>> Links(const std::string& html) {
  std::vector<std::pair<std::string, std::string>> links;
  htmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(html.size()), "INDEX.HTM", "UTF-8",
                                  HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  if (doc == nullptr) return links;
  xmlXPathContext* context = xmlXPathNewContext(doc);
  xmlXPathObject* result = xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>("//a"), context);
  for (int i = 0;
       result != nullptr && result->nodesetval != nullptr && i < result->nodesetval->nodeNr; ++i) {
    xmlNode* a = result->nodesetval->nodeTab[i];
    xmlChar* href = xmlGetProp(a, reinterpret_cast<const xmlChar*>("href"));
    xmlChar* text = xmlNodeGetContent(a);
    links.emplace_back(href ? reinterpret_cast<const char*>(href) : "",
                       text ? reinterpret_cast<const char*>(text) : "");
    xmlFree(href);
    xmlFree(text);
  }
  xmlXPathFreeObject(result);
  xmlXPathFreeContext(context);
  xmlFreeDoc(doc);
  return links;
}

std::string EntrySlot(const std::string& xml, const std::string& uuid, const std::string& slot) {
  return One(xml, absl::StrCat("//rim:ExtrinsicObject[@id='", uuid, "']/rim:Slot[@name='", slot,
                               "']/rim:ValueList/rim:Value"));
}

class XdmPackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string cda = xds::testing::ReadFixture(kLdlSes);
    ASSERT_FALSE(cda.empty());
    absl::StatusOr<xds::DocumentMetadata> metadata = xds::ReadCdaMetadata(cda);
    ASSERT_TRUE(metadata.ok()) << metadata.status();
    ASSERT_FALSE(metadata->title.empty());

    XdmDocument pdf;
    pdf.metadata = *metadata;
    pdf.metadata.unique_id = metadata->unique_id + ".99";
    pdf.metadata.title = "Lettre de liaison (copie <PDF> & signée)";
    pdf.metadata.mime_type = "application/pdf";
    pdf.metadata.format = {"urn:ihe:iti:xds-sd:pdf:2008", "PDF", "1.3.6.1.4.1.19376.1.2.3"};
    pdf.bytes = kPdf;

    input_.documents = {{*metadata, cda}, pdf};
    input_.set = xds::testing::TestSubmissionSet();
    input_.sender = "etablissement@hopital.mssante.fr";
    input_.software = "navette 1.4.0";
  }

  XdmPackage Build() {
    absl::StatusOr<XdmPackage> package = BuildXdmPackage(input_);
    EXPECT_TRUE(package.ok()) << package.status();
    return package.ok() ? *package : XdmPackage{};
  }

  std::string Refusal() {
    absl::StatusOr<XdmPackage> package = BuildXdmPackage(input_);
    EXPECT_EQ(package.status().code(), absl::StatusCode::kInvalidArgument) << package.status();
    return std::string(package.status().message());
  }

  XdmInput input_;
};

TEST_F(XdmPackageTest, ZipHoldsTheXdmLayoutInOrder) {
  const XdmPackage package = Build();
  // "Lettre de liaison à la sortie de l'établissement de santé" for both.
  ASSERT_EQ(package.file_names, (std::vector<std::string>{"LETTRE_D.XML", "LETTRE_D.PDF"}));
  const Unzipped zip = Unzip(package.zip);
  EXPECT_EQ(zip.names, (std::vector<std::string>{
                           "INDEX.HTM", "README.TXT", "IHE_XDM/", "IHE_XDM/SUBSET01/",
                           "IHE_XDM/SUBSET01/METADATA.XML", "IHE_XDM/SUBSET01/LETTRE_D.XML",
                           "IHE_XDM/SUBSET01/LETTRE_D.PDF"}));
  EXPECT_EQ(zip.files.at("IHE_XDM/SUBSET01/METADATA.XML"), package.metadata_xml);
  for (size_t i = 0; i < input_.documents.size(); ++i) {
    EXPECT_EQ(zip.files.at(kSubset + package.file_names[i]), input_.documents[i].bytes);
  }
  // The same input, the same entries: only the fresh entryUUIDs differ.
  EXPECT_EQ(Unzip(Build().zip).names, zip.names);
}

TEST_F(XdmPackageTest, MetadataIsASubmitObjectsRequestTheSchemaAccepts) {
  const XdmPackage package = Build();
  absl::StatusOr<std::shared_ptr<const xds::XdsSchema>> schema =
      xds::XdsSchema::Shared(NAVETTE_XDS_SCHEMA_DIR);
  ASSERT_TRUE(schema.ok()) << schema.status();
  EXPECT_TRUE((*schema)->Validate(package.metadata_xml).ok())
      << (*schema)->Validate(package.metadata_xml) << "\n"
      << package.metadata_xml;
  EXPECT_EQ(Select(package.metadata_xml,
                   "/lcm:SubmitObjectsRequest/rim:RegistryObjectList/"
                   "rim:RegistryPackage")
                .size(),
            1u);
  EXPECT_EQ(Select(package.metadata_xml, "//rim:ExtrinsicObject/@id"), package.entry_uuids);
  EXPECT_EQ(One(package.metadata_xml,
                "//rim:RegistryPackage/rim:ExternalIdentifier[rim:Name/rim:LocalizedString/"
                "@value='XDSSubmissionSet.uniqueId']/@value"),
            input_.set.unique_id);
}

TEST_F(XdmPackageTest, UriHashAndSizeSlotsDescribeTheFilesInTheZip) {
  const XdmPackage package = Build();
  const Unzipped zip = Unzip(package.zip);
  ASSERT_EQ(package.entry_uuids.size(), 2u);
  EXPECT_NE(package.entry_uuids[0], package.entry_uuids[1]);
  for (size_t i = 0; i < package.entry_uuids.size(); ++i) {
    const std::string& uuid = package.entry_uuids[i];
    EXPECT_TRUE(xds::IsEntryUuid(uuid)) << uuid;
    const std::string uri = EntrySlot(package.metadata_xml, uuid, "URI");
    EXPECT_EQ(uri, package.file_names[i]);
    ASSERT_EQ(zip.files.count(kSubset + uri), 1u) << uri;
    const std::string& bytes = zip.files.at(kSubset + uri);
    EXPECT_EQ(EntrySlot(package.metadata_xml, uuid, "hash"), OpenSslSha1(bytes));
    EXPECT_EQ(EntrySlot(package.metadata_xml, uuid, "size"), std::to_string(bytes.size()));
    EXPECT_EQ(One(package.metadata_xml,
                  absl::StrCat("//rim:ExtrinsicObject[@id='", uuid, "']/@mimeType")),
              input_.documents[i].metadata.mime_type);
  }
}

TEST_F(XdmPackageTest, EveryDocumentIsAnOriginalMemberOfTheSubmissionSet) {
  const XdmPackage package = Build();
  const std::string& xml = package.metadata_xml;
  const std::string set_id = One(xml, "//rim:RegistryPackage/@id");
  const std::string members =
      "//rim:Association[@associationType="
      "'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember']";
  EXPECT_EQ(Select(xml, members + "/@targetObject"), package.entry_uuids);
  EXPECT_EQ(Select(xml, members + "/@sourceObject"), (std::vector<std::string>{set_id, set_id}));
  EXPECT_EQ(Select(xml, members + "/rim:Slot[@name='SubmissionSetStatus']/rim:ValueList/rim:Value"),
            (std::vector<std::string>{"Original", "Original"}));
  EXPECT_TRUE(Select(xml, "//rim:Association[contains(@associationType, 'RPLC')]").empty());
}

TEST_F(XdmPackageTest, AReplacementCarriesAnRplcAssociation) {
  const std::string replaced = xds::NewEntryUuid();
  input_.documents[1].replaced_entry_uuid = replaced;
  const XdmPackage package = Build();
  const std::string rplc =
      "//rim:Association[@associationType='urn:ihe:iti:2007:AssociationType:RPLC']";
  EXPECT_EQ(One(package.metadata_xml, rplc + "/@sourceObject"), package.entry_uuids[1]);
  EXPECT_EQ(One(package.metadata_xml, rplc + "/@targetObject"), replaced);
  absl::StatusOr<std::shared_ptr<const xds::XdsSchema>> schema =
      xds::XdsSchema::Shared(NAVETTE_XDS_SCHEMA_DIR);
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE((*schema)->Validate(package.metadata_xml).ok());

  // The replaced version's uniqueId is not its entryUUID.
  input_.documents[1].replaced_entry_uuid = input_.documents[0].metadata.unique_id;
  const std::string refusal = Refusal();
  EXPECT_TRUE(absl::StrContains(refusal, "XDM document 2")) << refusal;
  EXPECT_TRUE(absl::StrContains(refusal, "entryUUID")) << refusal;
}

TEST_F(XdmPackageTest, RefusesWhatTheDmpWouldRefuseNamingDocumentAndField) {
  input_.documents[1].metadata.type = {};
  std::string refusal = Refusal();
  EXPECT_TRUE(absl::StrContains(refusal, "XDM document 2")) << refusal;
  EXPECT_TRUE(absl::StrContains(refusal, "typeCode")) << refusal;

  SetUp();
  input_.documents[0].metadata.unique_id += "^EXT1";
  refusal = Refusal();
  EXPECT_TRUE(absl::StrContains(refusal, "XDM document 1")) << refusal;
  EXPECT_TRUE(absl::StrContains(refusal, "XDSDocumentEntry.uniqueId")) << refusal;

  SetUp();
  input_.set.source_id = "not-an-oid";
  EXPECT_TRUE(absl::StrContains(Refusal(), "XDSSubmissionSet.sourceId"));

  SetUp();
  input_.set.allow_test_ins = false;  // the corpus patient has the test INS OID
  EXPECT_TRUE(absl::StrContains(Refusal(), "patientId"));
}

TEST_F(XdmPackageTest, RefusesWhatIsNotOneSubmissionSet) {
  input_.documents[1].metadata.patient.ins = "100000000000042";
  std::string refusal = Refusal();
  EXPECT_TRUE(absl::StrContains(refusal, "XDM document 2")) << refusal;
  EXPECT_TRUE(absl::StrContains(refusal, "patientId")) << refusal;
  EXPECT_FALSE(absl::StrContains(refusal, "100000000000042")) << "no INS in errors";

  SetUp();
  input_.documents[1].metadata.unique_id = input_.documents[0].metadata.unique_id;
  refusal = Refusal();
  EXPECT_TRUE(absl::StrContains(refusal, "XDSDocumentEntry.uniqueId")) << refusal;

  SetUp();
  input_.documents[1].bytes.clear();
  EXPECT_TRUE(absl::StrContains(Refusal(), "XDM document 2: no bytes"));

  input_.documents.clear();
  EXPECT_TRUE(absl::StrContains(Refusal(), "no document"));
}

TEST_F(XdmPackageTest, NamesAreUniqueWithinTheSubsetAndNeverMetadataXml) {
  input_.documents[1].metadata.mime_type = "text/xml";  // same title stem, same extension
  XdmDocument third = input_.documents[1];
  third.metadata.unique_id += ".1";
  third.metadata.title = "Metadata";
  XdmDocument fourth = third;
  fourth.metadata.unique_id += ".2";
  fourth.metadata.title.clear();
  input_.documents.push_back(third);
  input_.documents.push_back(fourth);
  const XdmPackage package = Build();
  EXPECT_EQ(package.file_names, (std::vector<std::string>{"LETTRE_D.XML", "LETTRE_1.XML",
                                                          "METADAT1.XML", "DOC0004.XML"}));
  const Unzipped zip = Unzip(package.zip);
  EXPECT_EQ(zip.names.size(), 5u + 4u);
  EXPECT_EQ(zip.files.at("IHE_XDM/SUBSET01/METADATA.XML"), package.metadata_xml);
}

TEST_F(XdmPackageTest, IndexLinksEachDocumentUnderItsEscapedTitle) {
  const XdmPackage package = Build();
  const std::string index = Unzip(package.zip).files.at("INDEX.HTM");
  EXPECT_FALSE(absl::StrContains(index, "<PDF>")) << "the title must be escaped";
  const auto links = Links(index);
  ASSERT_EQ(links.size(), 2u) << index;
  for (size_t i = 0; i < links.size(); ++i) {
    EXPECT_EQ(links[i].first, kSubset + package.file_names[i]);
    EXPECT_EQ(links[i].second, input_.documents[i].metadata.title);
  }
}

TEST_F(XdmPackageTest, ReadmeNamesSenderSoftwareAndDateOnCrlfLines) {
  input_.software = "navette 1.4.0\r\nForged: line";
  const std::string readme = Unzip(Build().zip).files.at("README.TXT");
  EXPECT_TRUE(absl::StrContains(readme, "Sender: etablissement@hopital.mssante.fr\r\n")) << readme;
  EXPECT_TRUE(absl::StrContains(readme, "Software: navette 1.4.0  Forged: line\r\n")) << readme;
  EXPECT_TRUE(absl::StrContains(readme, "2026-03-02T10:15:30Z")) << readme;  // the set's time
  ASSERT_TRUE(absl::EndsWith(readme, "\r\n"));
  for (size_t at = readme.find('\n'); at != std::string::npos; at = readme.find('\n', at + 1)) {
    EXPECT_EQ(readme[at - 1], '\r') << "a bare LF at " << at;
  }
  EXPECT_FALSE(absl::StrContains(readme, "\r\nForged"));
}

}  // namespace
}  // namespace navette::adapters::mssante::xdm
