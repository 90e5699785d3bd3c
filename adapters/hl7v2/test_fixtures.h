// Test-only: reads the HL7 v2 sample messages kept in tests/fixtures/hl7/, and
// parses the field paths tests write.
// (their origin is in tests/fixtures/hl7/ORIGIN.md). A test target using this
// defines NAVETTE_FIXTURES_DIR.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "adapters/hl7v2/field_path.h"

namespace navette::adapters::hl7v2::testing {

// The fixture's bytes, unchanged; fails the current test when it is missing.
inline std::string ReadHl7Fixture(std::string_view name) {
  std::string path = std::string(NAVETTE_FIXTURES_DIR) + "/hl7/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open fixture " << path;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// A path written in a test; fails the current test when it does not parse.
inline FieldPath Path(std::string_view text) {
  auto path = FieldPath::Parse(text);
  EXPECT_TRUE(path.ok()) << path.status();
  return path.value_or(FieldPath{});
}

}  // namespace navette::adapters::hl7v2::testing
