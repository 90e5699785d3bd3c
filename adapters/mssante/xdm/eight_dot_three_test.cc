#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "adapters/mssante/xdm/xdm_package.h"

namespace navette::adapters::mssante::xdm {
namespace {

std::string Name(std::string_view hint, std::string_view extension) {
  std::set<std::string> taken;
  return EightDotThreeName(hint, extension, &taken);
}

// ISO 9660 level 1: d-characters, 1-8 + optional '.' + 1-3.
bool IsLevelOne(const std::string& name) {
  static const std::regex kLevelOne("[A-Z0-9_]{1,8}(\\.[A-Z0-9_]{1,3})?");
  return std::regex_match(name, kLevelOne);
}

TEST(EightDotThreeNameTest, CutsAFrenchTitleToEightCharacters) {
  EXPECT_EQ(Name("Compte rendu d'hospitalisation", "xml"), "COMPTE_R.XML");
  EXPECT_EQ(Name("CR hospi", "XML"), "CR_HOSPI.XML");
  // A cut that ends on a separator drops it.
  EXPECT_EQ(Name("Lettre de liaison", "pdf"), "LETTRE_D.PDF");
  EXPECT_EQ(Name("Bilan  --  sanguin", "pdf"), "BILAN_SA.PDF");
  EXPECT_EQ(Name("Fiche1 A", "xml"), "FICHE1_A.XML");
  EXPECT_EQ(Name("Synthese ", "xml"), "SYNTHESE.XML");
  EXPECT_EQ(Name("Bilan X", "txt"), "BILAN_X.TXT");
}

TEST(EightDotThreeNameTest, StripsDiacritics) {
  EXPECT_EQ(Name("Échographie", "xml"), "ECHOGRAP.XML");
  EXPECT_EQ(Name("à l'hôpital", "xml"), "A_L_HOPI.XML");
  EXPECT_EQ(Name("Cœur", "xml"), "COEUR.XML");
  EXPECT_EQ(Name("Ça ïç ÿ", "xml"), "CA_IC_Y.XML");
  EXPECT_EQ(Name("Straße", "xml"), "STRASSE.XML");
  EXPECT_EQ(Name("Łódź", "xml"), "LODZ.XML");
  // Decomposed (NFD) text: the combining accent is dropped, not a separator.
  EXPECT_EQ(Name("E\xCC\x81tude", "xml"), "ETUDE.XML");
}

TEST(EightDotThreeNameTest, LeavesOnlyLevelOneCharacters) {
  const std::string hints[] = {"",
                               "   ",
                               "'''",
                               "日本語の文書",
                               "Résultats 😀 d'analyses",
                               "a\xFF\xFE\xC3",  // invalid UTF-8
                               "x.y.z",
                               "\xE2\x80\x99quote\xE2\x80\x99",
                               "____abc____",
                               "0123456789ABCDEF"};
  for (const std::string& hint : hints) {
    for (const char* extension : {"xml", "jpeg", "", ".pdf", "é"}) {
      const std::string name = Name(hint, extension);
      EXPECT_TRUE(IsLevelOne(name)) << "\"" << hint << "\" \"" << extension << "\" -> " << name;
    }
  }
  EXPECT_EQ(Name("", "xml"), "DOC.XML");
  EXPECT_EQ(Name("日本語", "xml"), "DOC.XML");
  EXPECT_EQ(Name("Notes", "jpeg"), "NOTES.JPE");
  EXPECT_EQ(Name("Notes", ""), "NOTES");
  EXPECT_EQ(Name("Notes", ".pdf"), "NOTES.PDF");
}

TEST(EightDotThreeNameTest, AddsTheSmallestFreeNumericSuffix) {
  std::set<std::string> taken;
  EXPECT_EQ(EightDotThreeName("Compte rendu d'hospitalisation", "xml", &taken), "COMPTE_R.XML");
  EXPECT_EQ(EightDotThreeName("Compte rendu d'hospitalisation", "xml", &taken), "COMPTE_1.XML");
  // Another extension is another name.
  EXPECT_EQ(EightDotThreeName("Compte rendu d'hospitalisation", "pdf", &taken), "COMPTE_R.PDF");
  EXPECT_EQ(EightDotThreeName("Compte rendu des urgences", "xml", &taken), "COMPTE_2.XML");
  for (int n = 3; n <= 9; ++n) EightDotThreeName("compte-rendu", "xml", &taken);
  EXPECT_EQ(EightDotThreeName("Compte rendu", "xml", &taken), "COMPTE10.XML");
  EXPECT_EQ(taken.size(), 12u);
  for (const std::string& name : taken) EXPECT_TRUE(IsLevelOne(name)) << name;

  std::set<std::string> short_stems = {"CR.XML"};
  EXPECT_EQ(EightDotThreeName("CR", "xml", &short_stems), "CR1.XML");
  EXPECT_EQ(EightDotThreeName("CR", "xml", &short_stems), "CR2.XML");
  EXPECT_EQ(short_stems.count("CR2.XML"), 1u);
}

}  // namespace
}  // namespace navette::adapters::mssante::xdm
