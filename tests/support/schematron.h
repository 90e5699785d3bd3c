// The ANS schematrons run on a CDA, for tests: the ISO Schematron files of
// tests/fixtures/schematrons compiled to XSLT 2.0 once per build (the
// navette_schematrons target, tests/support/schematron/compile_schematron.sh)
// and run by Saxon HE on the document. See docs/cda-validation.md.
//
//   SchematronReport report = RunSchematron(Schematron::kLdlSes | Schematron::kHeader, xml);
//   ASSERT_TRUE(report.ran) << report.error;
//   EXPECT_THAT(report.failures, IsEmpty());
//
// When the harness cannot run (java, Saxon or the compiled stylesheets are
// missing, Saxon fails) the call also records a GoogleTest failure, so that
// no test passes silently without the tool: scripts/install-deps.sh installs
// default-jre-headless, libsaxonhe-java and python3-lxml.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace navette::testing {

// Which schematrons to run; or them together.
struct Schematron {
  enum : unsigned {
    kLdlSes = 1u << 0,  // CI-SIS_LDL-SES_2022.01.sch (lettre de liaison de sortie)
    kCrBio = 1u << 1,   // CI-SIS_BIO-CR-BIO_2024.01.sch
    kCrImg = 1u << 2,   // CI-SIS_IMG-CR-IMG_2024.01.sch
    kHeader = 1u << 3,  // profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch
  };
};

struct SchematronReport {
  bool ran = false;   // every schematron asked for ran to its end
  std::string error;  // why not, when !ran
  // One line per failed-assert or successful-report whose role is error or
  // absent (warnings and infos are not failures):
  // "<schematron>: <text> [at <location>]".
  std::vector<std::string> failures;
};

// `document` is a CDA's text (it starts with '<') or the path of a file.
SchematronReport RunSchematron(unsigned schematrons, std::string_view document);

// The same on several files, each schematron compiled once for all of them
// (the header schematron alone takes seconds to load): one report per file,
// in order.
std::vector<SchematronReport> RunSchematronOnFiles(unsigned schematrons,
                                                   const std::vector<std::filesystem::path>& files);

}  // namespace navette::testing
