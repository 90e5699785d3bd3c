// What mapping one document's codes found: shared by the HL7 v2 and CDA
// mappers (oru_codes.h, cda_codes.h).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace navette::routes::codes {

struct MappedCodes {
  // The document with its codes mapped, in its own encoding; empty when
  // nothing was mapped (the input goes on unchanged).
  std::string output;
  int mapped = 0;  // codes replaced by their LOINC
  // The distinct local codes the table has no LOINC for, in document order.
  // Lab codes, not patient data: they may go in the history.
  std::vector<std::string> unmapped;

  void AddUnmapped(std::string code) {
    if (std::find(unmapped.begin(), unmapped.end(), code) == unmapped.end()) {
      unmapped.push_back(std::move(code));
    }
  }
};

}  // namespace navette::routes::codes
