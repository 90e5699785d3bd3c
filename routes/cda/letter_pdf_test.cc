// RenderLetterPdf, checked the way a reader sees the letter: poppler renders
// the pages (pdftoppm) and extracts the text back (pdftotext), which must
// give the section titles and the French words exactly.
#include "routes/cda/letter_pdf.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace navette::routes::cda {
namespace {

namespace fs = std::filesystem;
using navette::document::Section;

// A poppler tool from PATH. scripts/install-deps.sh installs poppler-utils:
// a missing tool fails the test rather than skipping what it proves.
std::string Tool(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path == nullptr ? "" : path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  ADD_FAILURE() << name << " not found in PATH (Debian poppler-utils, scripts/install-deps.sh)";
  return "";
}

// Runs `command`, returns its standard output; fails the test on a non-zero exit.
std::string RunTool(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed: " << command;
    return out;
  }
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  EXPECT_EQ(status, 0) << command;
  return out;
}

// Runs of whitespace (line ends, layout padding) as one space.
std::string Squeeze(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

class LetterPdfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           absl::StrCat("letter_pdf_", ::getpid(), "_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& pdf) {
    const fs::path file = dir_ / "letter.pdf";
    std::ofstream(file, std::ios::binary) << pdf;
    return file;
  }
  std::string Text(const fs::path& pdf, int page = 0) {
    const std::string range = page == 0 ? "" : absl::StrCat(" -f ", page, " -l ", page);
    return RunTool(
        absl::StrCat(Tool("pdftotext"), " -layout -enc UTF-8", range, " '", pdf.string(), "' -"));
  }

  fs::path dir_;
};

constexpr char kLongParagraph[] =
    "Le patient a présenté une fièvre à 39 °C au deuxième jour, traitée par paracétamol ; "
    "l’échographie a montré un épanchement modéré et un œdème des membres inférieurs. "
    "L’évolution a été favorable après la reprise du traitement diurétique, "
    "avec une diminution progressive de l’œdème et une meilleure tolérance à l’effort.";

std::vector<Section> FrenchSections() {
  std::vector<Section> sections(4);
  sections[0].set_title("Motif d’hospitalisation");
  sections[0].set_text(
      "Décompensation cardiaque, « dyspnée d’effort » récente.\n\n"
      "Antécédents : hypertension artérielle, cœur pulmonaire chronique.");
  std::string evolution;
  for (int i = 0; i < 14; ++i) absl::StrAppend(&evolution, kLongParagraph, "\n\n");
  sections[1].set_title("Évolution pendant le séjour");
  sections[1].set_text(evolution);
  sections[2].set_title("Traitement de sortie");
  sections[2].set_text(
      "Furosémide 40 mg le matin.\r\nBisoprolol 2,5 mg à jeun.\r\n\r\n"
      "Reçu l’accord du médecin traitant ; contrôle de la kaliémie à J7.");
  sections[3].set_title("Suivi prévu");
  sections[3].set_text("Consultation de contrôle à l’hôpital dans un mois, côté cardiologie.");
  return sections;
}

LetterPdfInput FrenchLetter(const std::vector<Section>& sections) {
  LetterPdfInput input;
  input.hospital_name = "Centre Hospitalier Général de Saint-Étienne-lès-Bains";
  input.header_lines = {"Service de cardiologie — Pôle médecine",
                        "12 rue de l’Hôpital, 42000 Saint-Étienne · FINESS 420000000"};
  input.title = "Lettre de liaison à la sortie d’un établissement de soins";
  input.patient_line = "Patient : MARTIN Françoise, née le 28/03/1949";
  input.author_line = "Dr Hélène LEFÈVRE, cardiologue";
  input.date_line = "Saint-Étienne, le 3 décembre 2026";
  input.sections = sections;
  input.creation_date = "2026-12-03T10:15:00+01:00";
  return input;
}

TEST_F(LetterPdfTest, PagesRenderAndTheFrenchTextComesBack) {
  const std::vector<Section> sections = FrenchSections();
  const LetterPdfInput input = FrenchLetter(sections);
  absl::StatusOr<std::string> pdf = RenderLetterPdf(input);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  ASSERT_EQ(pdf->rfind("%PDF-", 0), 0u);
  const fs::path file = Write(*pdf);

  // The page count the letter announces ("Page 1 / N").
  const std::string all = Squeeze(Text(file));
  const size_t at = all.find("Page 1 / ");
  ASSERT_NE(at, std::string::npos) << all;
  const int pages = std::atoi(all.c_str() + at + 9);
  ASSERT_GE(pages, 2) << "the letter is long enough for two pages";

  // pdftoppm draws one non-empty PNG per page, and no more.
  RunTool(absl::StrCat(Tool("pdftoppm"), " -r 50 -png '", file.string(), "' '",
                       (dir_ / "page").string(), "'"));
  int pngs = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    if (entry.path().extension() != ".png") continue;
    ++pngs;
    std::ifstream png(entry.path(), std::ios::binary);
    char signature[8] = {};
    png.read(signature, 8);
    EXPECT_EQ(std::string(signature + 1, 3), "PNG") << entry.path();
    EXPECT_GT(fs::file_size(entry.path()), 1000u) << entry.path();
  }
  EXPECT_EQ(pngs, pages);

  // Every page: the hospital's header and its number.
  for (int page = 1; page <= pages; ++page) {
    const std::string text = Squeeze(Text(file, page));
    EXPECT_NE(text.find(input.hospital_name), std::string::npos) << "page " << page;
    EXPECT_NE(text.find(Squeeze(input.header_lines[1])), std::string::npos) << "page " << page;
    EXPECT_NE(text.find(absl::StrCat("Page ", page, " / ", pages)), std::string::npos)
        << "page " << page;
  }
  // The front matter, the section titles, the paragraphs word for word.
  for (const std::string* line :
       {&input.title, &input.patient_line, &input.author_line, &input.date_line}) {
    EXPECT_NE(all.find(Squeeze(*line)), std::string::npos) << *line << "\n" << all;
  }
  for (const Section& section : sections)
    EXPECT_NE(all.find(section.title()), std::string::npos) << section.title();
  for (std::string_view expected :
       {"Décompensation cardiaque, « dyspnée d’effort » récente.",
        "Antécédents : hypertension artérielle, cœur pulmonaire chronique.",
        "Furosémide 40 mg le matin. Bisoprolol 2,5 mg à jeun.",
        "Reçu l’accord du médecin traitant ; contrôle de la kaliémie à J7.",
        "Consultation de contrôle à l’hôpital dans un mois, côté cardiologie."}) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << "\n" << all;
  }
  // The long paragraph, cut across pages, comes back whole each time
  // outside the page breaks: at least as many times as it fits whole.
  size_t whole = 0;
  for (size_t pos = all.find(kLongParagraph); pos != std::string::npos;
       pos = all.find(kLongParagraph, pos + 1))
    ++whole;
  EXPECT_GE(whole, 14u - static_cast<size_t>(pages - 1));
  // A section that fits on a page is never cut: its title and its last
  // words share a page.
  std::vector<std::string> page_texts(pages + 1);
  for (int page = 1; page <= pages; ++page) page_texts[page] = Squeeze(Text(file, page));
  for (const auto& [title, last_words] : std::initializer_list<std::pair<std::string, std::string>>{
           {sections[0].title(), "cœur pulmonaire chronique."},
           {sections[2].title(), "kaliémie à J7."},
           {sections[3].title(), "côté cardiologie."}}) {
    int title_page = 0;
    for (int page = 1; page <= pages; ++page)
      if (page_texts[page].find(title) != std::string::npos) title_page = page;
    ASSERT_NE(title_page, 0) << title;
    EXPECT_NE(page_texts[title_page].find(last_words), std::string::npos)
        << title << " cut across pages";
  }
  // The last section ends on the last page.
  EXPECT_NE(Squeeze(Text(file, pages)).find("côté cardiologie."), std::string::npos);

  // The title in the PDF's metadata, and the creation date from the input.
  const std::string info =
      RunTool(absl::StrCat(Tool("pdfinfo"), " -enc UTF-8 '", file.string(), "'"));
  EXPECT_NE(info.find(input.title), std::string::npos) << info;
  // (cairo 1.16 writes the date without its "D:" prefix; poppler reads it.)
  EXPECT_NE(pdf->find("/CreationDate (20261203101500+01'00"), std::string::npos);
}

// Sections shorter than a page, some of which reach a page's foot: each is
// moved whole to the next page rather than cut.
TEST_F(LetterPdfTest, SectionsThatFitAreNotCut) {
  std::vector<Section> sections(12);
  for (size_t i = 0; i < sections.size(); ++i) {
    sections[i].set_title(absl::StrCat("Partie n° ", i + 1));
    std::string text;
    for (size_t p = 0; p < 3 + i % 3; ++p) absl::StrAppend(&text, kLongParagraph, "\n\n");
    absl::StrAppend(&text, "Fin de la partie ", i + 1, ".");
    sections[i].set_text(text);
  }
  absl::StatusOr<std::string> pdf = RenderLetterPdf(FrenchLetter(sections));
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  const fs::path file = Write(*pdf);
  const std::string all = Squeeze(Text(file));
  const size_t at = all.find("Page 1 / ");
  ASSERT_NE(at, std::string::npos) << all;
  const int pages = std::atoi(all.c_str() + at + 9);
  ASSERT_GE(pages, 4);
  std::vector<std::string> page_texts;
  for (int page = 1; page <= pages; ++page) page_texts.push_back(Squeeze(Text(file, page)));
  for (size_t i = 0; i < sections.size(); ++i) {
    const std::string title = absl::StrCat("Partie n° ", i + 1, " ");
    const std::string end = absl::StrCat("Fin de la partie ", i + 1, ".");
    bool together = false;
    for (const std::string& text : page_texts)
      together |= text.find(title) != std::string::npos && text.find(end) != std::string::npos;
    EXPECT_TRUE(together) << title << "cut across pages";
  }
}

TEST_F(LetterPdfTest, SameInputSameBytes) {
  const std::vector<Section> sections = FrenchSections();
  LetterPdfInput undated = FrenchLetter(sections);
  undated.creation_date.clear();
  absl::StatusOr<std::string> first = RenderLetterPdf(FrenchLetter(sections));
  absl::StatusOr<std::string> first_undated = RenderLetterPdf(undated);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(first_undated.ok()) << first_undated.status();
  // Over more than a second, in case anything read the clock.
  const auto until = std::chrono::system_clock::now() + std::chrono::milliseconds(1100);
  while (std::chrono::system_clock::now() < until) {
    absl::StatusOr<std::string> again = RenderLetterPdf(FrenchLetter(sections));
    ASSERT_TRUE(again.ok()) << again.status();
    ASSERT_EQ(*again, *first);
    again = RenderLetterPdf(undated);
    ASSERT_TRUE(again.ok()) << again.status();
    ASSERT_EQ(*again, *first_undated) << "no creation date given";
  }
  LetterPdfInput other = FrenchLetter(sections);
  other.patient_line = "Patient : MARTIN François, né le 28/03/1949";
  EXPECT_NE(*RenderLetterPdf(other), *first);
}

TEST_F(LetterPdfTest, ThreadsRenderTheSameBytes) {
  const std::vector<Section> sections = FrenchSections();
  absl::StatusOr<std::string> expected = RenderLetterPdf(FrenchLetter(sections));
  ASSERT_TRUE(expected.ok()) << expected.status();
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3; ++i) {
        absl::StatusOr<std::string> pdf = RenderLetterPdf(FrenchLetter(sections));
        results[t] = pdf.ok() ? *pdf : pdf.status().ToString();
        if (results[t] != *expected) return;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& result : results) EXPECT_TRUE(result == *expected);
}

TEST_F(LetterPdfTest, InvalidUtf8IsRefusedNamingTheSection) {
  std::vector<Section> sections = FrenchSections();
  sections[2].set_text("Furos\xE9mide 40 mg");  // Latin-1 é
  absl::StatusOr<std::string> pdf = RenderLetterPdf(FrenchLetter(sections));
  ASSERT_EQ(pdf.status().code(), absl::StatusCode::kInvalidArgument) << pdf.status();
  EXPECT_NE(pdf.status().message().find("sections[2].text"), std::string::npos) << pdf.status();
  EXPECT_NE(pdf.status().message().find("Traitement de sortie"), std::string::npos);
  EXPECT_NE(pdf.status().message().find("byte 5"), std::string::npos) << pdf.status();

  sections = FrenchSections();
  sections[0].set_title("Motif \xC3");  // cut sequence
  pdf = RenderLetterPdf(FrenchLetter(sections));
  ASSERT_EQ(pdf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(pdf.status().message().find("sections[0].title"), std::string::npos) << pdf.status();

  LetterPdfInput input = FrenchLetter(FrenchSections());
  input.header_lines.push_back("Fax \xFF");
  pdf = RenderLetterPdf(input);
  ASSERT_EQ(pdf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(pdf.status().message().find("header_lines[2]"), std::string::npos) << pdf.status();
}

TEST_F(LetterPdfTest, NoSectionsStillGivesTheHeader) {
  const LetterPdfInput input = FrenchLetter({});
  absl::StatusOr<std::string> pdf = RenderLetterPdf(input);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  const std::string text = Squeeze(Text(Write(*pdf)));
  EXPECT_NE(text.find(input.hospital_name), std::string::npos) << text;
  EXPECT_NE(text.find(Squeeze(input.header_lines[0])), std::string::npos) << text;
  EXPECT_NE(text.find(input.title), std::string::npos) << text;
  EXPECT_NE(text.find("Page 1 / 1"), std::string::npos) << text;
}

}  // namespace
}  // namespace navette::routes::cda
