#include "routes/cda/cda_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback_listener.h"

namespace navette::routes::cda {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(NAVETTE_FIXTURES_DIR) / "cda" / "corpus";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::shared_ptr<const CdaSchema> Schema() {
  auto schema = CdaSchema::Shared(DefaultSchemaDir());
  EXPECT_TRUE(schema.ok()) << schema.status();
  return schema.ok() ? *schema : nullptr;
}

// The LDL-SES example with `from` replaced by `to` (once).
std::string EditedLdlSes(const std::string& from, const std::string& to) {
  std::string xml = ReadFile(kCorpus / "LDL-SES_2022.01.xml");
  const size_t at = xml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) xml.replace(at, from.size(), to);
  return xml;
}

std::string WithoutRecordTarget() {
  std::string xml = ReadFile(kCorpus / "LDL-SES_2022.01.xml");
  const size_t begin = xml.find("<recordTarget");
  const size_t end = xml.find("</recordTarget>");
  EXPECT_NE(begin, std::string::npos);
  EXPECT_NE(end, std::string::npos);
  xml.erase(begin, end + std::string("</recordTarget>").size() - begin);
  return xml;
}

TEST(CdaSchemaTest, EveryClinicalDocumentOfTheCorpusValidates) {
  auto schema = Schema();
  ASSERT_NE(schema, nullptr);
  int documents = 0;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    if (entry.path().extension() != ".xml") continue;
    const std::string xml = ReadFile(entry.path());
    ASSERT_THAT(xml, HasSubstr("ClinicalDocument")) << entry.path();
    EXPECT_TRUE(schema->Validate(xml).ok())
        << entry.path().filename() << ": " << schema->Validate(xml);
    ++documents;
  }
  // The 12 ExemplesCDA documents and the 6 distinct CDAs of the HL7 v2 samples.
  EXPECT_EQ(documents, 18);
}

TEST(CdaSchemaTest, MissingRecordTargetIsNamedWithItsLine) {
  const absl::Status status = Schema()->Validate(WithoutRecordTarget());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("recordTarget"));
  EXPECT_THAT(std::string(status.message()), ::testing::ContainsRegex("line [0-9]+: Element"));
}

TEST(CdaSchemaTest, UnknownAttributeIsNamed) {
  const absl::Status status = Schema()->Validate(EditedLdlSes("<typeId ", "<typeId bogus=\"1\" "));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("typeId"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("'bogus'"));
}

TEST(CdaSchemaTest, ErrorsAreCappedAndTheRestCounted) {
  // Every <id> of the document gets an attribute the schema does not allow.
  std::string xml = ReadFile(kCorpus / "LDL-SES_2022.01.xml");
  int edits = 0;
  for (size_t at = xml.find("<id "); at != std::string::npos; at = xml.find("<id ", at + 1)) {
    xml.insert(at + 4, "bogus=\"1\" ");
    ++edits;
  }
  ASSERT_GT(edits, 3);
  const absl::Status status = Schema()->Validate(xml, /*max_errors=*/2);
  const std::string message(status.message());
  size_t lines = 0;
  for (size_t at = message.find("line "); at != std::string::npos;
       at = message.find("line ", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 2u) << message;
  EXPECT_THAT(message, HasSubstr(" more"));
}

TEST(CdaSchemaTest, NotXmlIsSaidSo) {
  const absl::Status status = Schema()->Validate("<ClinicalDocument xmlns=\"urn:hl7-org:v3\">");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("not well-formed"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("line 1"));
}

TEST(CdaSchemaTest, ADoctypeWithAnExternalEntityIsRefusedWithoutFetching) {
  navette::testing::LoopbackListener listener;
  ASSERT_TRUE(listener.ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(listener.port());
  std::string xml = ReadFile(kCorpus / "LDL-SES_2022.01.xml");
  const size_t root = xml.find("<ClinicalDocument");
  ASSERT_NE(root, std::string::npos);
  xml.insert(root, "<!DOCTYPE ClinicalDocument SYSTEM \"" + url +
                       "/cda.dtd\" [\n<!ENTITY leak SYSTEM \"" + url + "/secret\">\n]>\n");
  const size_t title = xml.find("<title>");
  ASSERT_NE(title, std::string::npos);
  xml.insert(title + 7, "&leak;");

  const absl::Status status = Schema()->Validate(xml);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("DOCTYPE"));
  // Validate has returned: a fetch would already sit in the listener's
  // queue (the kernel completes the handshake before any accept).
  EXPECT_EQ(listener.BytesUntilClosed(std::chrono::milliseconds(0)), -1);
}

TEST(CdaSchemaTest, ThreadsValidateAtOnceWithTheirOwnErrors) {
  auto schema = Schema();
  ASSERT_NE(schema, nullptr);
  const std::string valid = ReadFile(kCorpus / "LDL-SES_2022.01.xml");
  const std::string no_patient = WithoutRecordTarget();
  const std::string bad_attribute = EditedLdlSes("<typeId ", "<typeId bogus=\"1\" ");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 10; ++round) {
        switch ((t + round) % 3) {
          case 0:
            if (!schema->Validate(valid).ok()) ++wrong;
            break;
          case 1: {
            const std::string message(schema->Validate(no_patient).message());
            if (message.find("recordTarget") == std::string::npos ||
                message.find("bogus") != std::string::npos) {
              ++wrong;
            }
            break;
          }
          default: {
            const std::string message(schema->Validate(bad_attribute).message());
            if (message.find("bogus") == std::string::npos ||
                message.find("recordTarget") != std::string::npos) {
              ++wrong;
            }
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(CdaSchemaTest, SharedCompilesOncePerDirectory) {
  auto first = CdaSchema::Shared(DefaultSchemaDir());
  auto again = CdaSchema::Shared(DefaultSchemaDir() / "." / "");
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->get(), again->get());
  auto own = CdaSchema::Load(DefaultSchemaDir());
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_NE(own->get(), first->get());
}

TEST(CdaSchemaTest, AMissingOrBrokenSchemaIsNamed) {
  const fs::path dir =
      fs::temp_directory_path() / ("cda-schema-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto missing = CdaSchema::Load(dir);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("CDA_extended.xsd"));
  std::ofstream(dir / "CDA_extended.xsd")
      << "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n"
         "<xs:element name=\"a\" type=\"nowhere\"/></xs:schema>\n";
  auto broken = CdaSchema::Load(dir);
  EXPECT_FALSE(broken.ok());
  EXPECT_THAT(std::string(broken.status().message()), HasSubstr("line 2"));
  EXPECT_THAT(std::string(broken.status().message()), Not(HasSubstr("libxml2 gave no reason")));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace navette::routes::cda
