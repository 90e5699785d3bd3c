// Documents benchmark: what the document work of issue 13 costs per
// document, by document size, on one thread.
//
//   navette_documents_bench [--seconds S] [--fixtures DIR] [--schemas DIR]
//
// For each workload it repeats the operation for at least S seconds (default
// 2) and prints documents per second (wall clock) and the CPU time per
// document (CLOCK_PROCESS_CPUTIME_ID, the whole process: one thread works).
// Workloads:
//   letter PDF      RenderLetterPdf on structured letters of 1, 4 and 11 pages
//   decode+parse    base64 decode of an OBX-5 of the ANS sample ORU (CR-BIO,
//                   N1 and N3) and its libxml2 parse, as a source reads it
//   XSD validation  CdaSchema::Validate (CDA_extended.xsd, compiled once) of
//                   the same CDA documents
//   contract        the CI-SIS contract mapping a profiled source runs on
//                   each message (an MDM carrying a PDF letter, an ORU
//                   carrying a 300 KB CR-BIO N3)
//   contract+build+xsd  the same, then build_cda (the N1 of the letter; the
//                   CR-BIO completed with its INS) and the XSD validation
// Bytes: the PDF produced, the CDA read, or the HL7 message. It prints
// figures; it is not a test.
#include <libxml/parser.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "bench/documents_pipeline.h"
#include "routes/cda/cda_schema.h"
#include "routes/cda/letter_pdf.h"

namespace {

namespace fs = std::filesystem;
using navette::document::Section;

// The ANS sample ORU^R01 carrying a CR-BIO as N1 and N3, both base64
// (tests/fixtures/hl7/corpus, copied from ansforge-hl7V2-exemples). The
// corpus's INIT variant of this message is not among the fixtures; the
// replacement carries the same two documents.
constexpr char kCrBioMessage[] =
    "hl7/corpus/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Remplacement_ORU/"
    "message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7";

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Row {
  std::string workload;
  std::string document;
  size_t bytes;  // the document's size (input for parse/validate, output PDF for letters)
  int iterations;
  double per_second;
  double cpu_ms;
  std::string note;
};

// Runs `once` for at least `seconds` (and 3 times) and measures it.
Row Measure(std::string workload, std::string document, size_t bytes, double seconds,
            const std::function<std::string()>& once) {
  std::string note = once();  // warm-up: the schema, the fonts, the caches
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuSeconds();
  int iterations = 0;
  double elapsed = 0;
  while (iterations < 3 || elapsed < seconds) {
    once();
    ++iterations;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double cpu = CpuSeconds() - cpu_start;
  return Row{std::move(workload),  std::move(document),     bytes,          iterations,
             iterations / elapsed, cpu / iterations * 1000, std::move(note)};
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The base64 text of each XML ED OBX-5 (^TEXT^XML^Base64^<data>) of
// `message`: its CDA documents, not its base64 mail bodies.
std::vector<std::string> Base64Parts(const std::string& message) {
  std::vector<std::string> parts;
  const std::vector<std::string> segments = absl::StrSplit(message, absl::ByAnyChar("\r\n"));
  for (const std::string& segment : segments) {
    if (segment.rfind("OBX|", 0) != 0) continue;
    const std::vector<std::string> fields = absl::StrSplit(segment, '|');
    if (fields.size() < 6 || fields[2] != "ED") continue;
    const std::vector<std::string> components = absl::StrSplit(fields[5], '^');
    if (components.size() >= 5 && components[2] == "XML" && components[3] == "Base64")
      parts.push_back(components[4]);
  }
  return parts;
}

std::vector<Section> LetterSections(int paragraphs) {
  constexpr char kParagraph[] =
      "Le patient a présenté une fièvre à 39 °C au deuxième jour, traitée par paracétamol ; "
      "l’échographie a montré un épanchement modéré et un œdème des membres inférieurs. "
      "L’évolution a été favorable après la reprise du traitement diurétique.";
  std::vector<Section> sections;
  for (int i = 0; i < paragraphs; i += 4) {
    Section& section = sections.emplace_back();
    section.set_title(fmt::format("Section {} : évolution et conduite à tenir", i / 4 + 1));
    std::string text;
    for (int p = i; p < std::min(paragraphs, i + 4); ++p) text += std::string(kParagraph) + "\n\n";
    section.set_text(text);
  }
  return sections;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  fs::path fixtures = NAVETTE_FIXTURES_DIR;
  fs::path schemas = navette::routes::cda::DefaultSchemaDir();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") {
      seconds = std::stod(argv[i + 1]);
    } else if (flag == "--fixtures") {
      fixtures = argv[i + 1];
    } else if (flag == "--schemas") {
      schemas = argv[i + 1];
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S] [--fixtures DIR] [--schemas DIR]\n", argv[0]);
      return 2;
    }
  }
  std::vector<Row> rows;
  std::string one_page_letter;

  // Letters of 1, 4 and 11 pages.
  for (const int paragraphs : {6, 24, 80}) {
    const std::vector<Section> sections = LetterSections(paragraphs);
    navette::routes::cda::LetterPdfInput input;
    input.hospital_name = "Centre Hospitalier Général de Saint-Étienne";
    input.header_lines = {"Service de cardiologie — Pôle médecine", "FINESS 420000000"};
    input.title = "Lettre de liaison à la sortie d’un établissement de soins";
    input.patient_line = "Patient : MARTIN Françoise, née le 28/03/1949";
    input.author_line = "Dr Hélène LEFÈVRE";
    input.date_line = "Saint-Étienne, le 3 décembre 2026";
    input.creation_date = "2026-12-03T10:15:00+01:00";
    input.sections = sections;
    std::string pdf;
    rows.push_back(Measure("letter PDF", "", 0, seconds, [&]() -> std::string {
      auto rendered = navette::routes::cda::RenderLetterPdf(input);
      if (!rendered.ok()) return rendered.status().ToString();
      pdf = *std::move(rendered);
      return "";
    }));
    // Cairo opens each page object with "<< /Type /Page %".
    size_t pages = 0;
    for (size_t at = pdf.find("/Type /Page %"); at != std::string::npos;
         at = pdf.find("/Type /Page %", at + 1))
      ++pages;
    rows.back().document = fmt::format("letter, {} page{}", pages, pages == 1 ? "" : "s");
    rows.back().bytes = pdf.size();
    if (one_page_letter.empty()) one_page_letter = pdf;
  }

  // The CR-BIO documents of the sample ORU.
  const std::string message = ReadFile(fixtures / kCrBioMessage);
  const std::vector<std::string> encoded = Base64Parts(message);
  if (encoded.empty()) {
    std::fprintf(stderr, "no base64 document in %s\n", (fixtures / kCrBioMessage).c_str());
    return 1;
  }
  auto schema = navette::routes::cda::CdaSchema::Shared(schemas);
  for (const std::string& base64 : encoded) {
    std::string xml;
    absl::Base64Unescape(base64, &xml);
    const std::string name =
        xml.find("structuredBody") != std::string::npos ? "CR-BIO N3" : "CR-BIO N1";
    rows.push_back(Measure("decode+parse", name, xml.size(), seconds, [&]() -> std::string {
      std::string decoded;
      if (!absl::Base64Unescape(base64, &decoded)) return "base64 does not decode";
      xmlDocPtr doc = xmlReadMemory(decoded.data(), static_cast<int>(decoded.size()), "cda.xml",
                                    nullptr, XML_PARSE_NONET);
      if (doc == nullptr) return "not XML";
      xmlFreeDoc(doc);
      return "";
    }));
    if (!schema.ok()) {
      rows.push_back(Row{"XSD validation", name, xml.size(), 0, 0, 0, schema.status().ToString()});
      continue;
    }
    rows.push_back(Measure("XSD validation", name, xml.size(), seconds, [&]() -> std::string {
      absl::Status valid = (*schema)->Validate(xml);
      return valid.ok() ? "valid" : std::string(valid.message().substr(0, 60));
    }));
  }

  // The pipeline of a profiled source and a build_cda route: contract
  // mapping alone, then mapping + build_cda + validation, on the MDM of a
  // PDF letter and on the ORU of a 300 KB CR-BIO N3 to complete.
  const std::vector<navette::bench::PipelineInput> pipeline_inputs = {
      navette::bench::PdfLetterMessage(one_page_letter),
      navette::bench::CrBioMessage(
          message, ReadFile(fixtures / "cda/corpus/BIO-CR-BIO_2024.01_CR-2nde-intention-PDF.xml"))};
  for (const navette::bench::PipelineInput& input : pipeline_inputs) {
    rows.push_back(Measure("contract", input.name, input.message.size(), seconds,
                           [&] { return navette::bench::RunContract(input); }));
    rows.push_back(Measure("contract+build+xsd", input.name, input.message.size(), seconds, [&] {
      navette::bench::PipelineStages stages = navette::bench::RunPipeline(input, schemas);
      if (!stages.contract_error.empty()) return "contract: " + stages.contract_error;
      if (!stages.build_error.empty()) return "build_cda: " + stages.build_error;
      if (!stages.validation_error.empty()) return "xsd: " + stages.validation_error;
      return fmt::format("CDA of {} bytes, valid", stages.cda_bytes);
    }));
  }

  fmt::print("{:<20} {:<18} {:>10} {:>7} {:>10} {:>12}  {}\n", "workload", "document", "bytes",
             "runs", "docs/s", "CPU ms/doc", "note");
  for (const Row& row : rows) {
    fmt::print("{:<20} {:<18} {:>10} {:>7} {:>10.1f} {:>12.2f}  {}\n", row.workload, row.document,
               row.bytes, row.iterations, row.per_second, row.cpu_ms, row.note);
  }
  fmt::print(
      "(one thread; {} s per workload at least; bytes: the PDF produced, the CDA read, or the HL7 "
      "message)\n",
      seconds);
  return 0;
}
