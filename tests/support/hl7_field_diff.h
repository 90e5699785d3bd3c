// Test-only: compares two HL7 v2 messages field by field, so that a test can
// say "as the ANS sample, apart from ids and times" and name what differs,
// values included (the engine's own FieldChangeSummary names fields only).
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "adapters/hl7v2/field_diff.h"
#include "adapters/hl7v2/message_view.h"

namespace navette::testing {

// The differences between `expected` and `actual` ("OBX[2]-4: expected
// '801234567897', got ''"), fields named in `ignored` ("MSH-7", "EVN-2")
// left out. Segments are compared in order; trailing empty fields do not
// count. Both must parse; an empty result means they match.
inline std::vector<std::string> Hl7FieldDifferences(std::string_view expected,
                                                    std::string_view actual,
                                                    const std::set<std::string>& ignored) {
  using adapters::hl7v2::MessageView;
  std::vector<std::string> differences;
  auto want = MessageView::Parse(expected);
  auto got = MessageView::Parse(actual);
  if (!want.ok() || !got.ok()) {
    differences.push_back(fmt::format("unreadable: expected {}, actual {}",
                                      want.status().ToString(), got.status().ToString()));
    return differences;
  }
  // Fields split as the edit summary splits them (adapters/hl7v2/field_diff.h),
  // as strings for the messages below.
  auto fields = [](const MessageView& view, size_t index) {
    std::vector<std::string> out;
    for (std::string_view field : adapters::hl7v2::SegmentFields(view, index)) {
      out.emplace_back(field);
    }
    return out;
  };
  if (want->segment_count() != got->segment_count()) {
    differences.push_back(
        fmt::format("expected {} segments, got {}", want->segment_count(), got->segment_count()));
  }
  std::map<std::string, int> seen;
  const size_t count = std::min(want->segment_count(), got->segment_count());
  for (size_t i = 0; i < count; ++i) {
    const std::string id(want->segment(i).id);
    const int occurrence = ++seen[id];
    if (got->segment(i).id != want->segment(i).id) {
      differences.push_back(fmt::format("segment {}: expected {}, got {}", i + 1, id,
                                        std::string(got->segment(i).id)));
      continue;
    }
    const std::vector<std::string> a = fields(*want, i);
    const std::vector<std::string> b = fields(*got, i);
    for (size_t n = 0; n < std::max(a.size(), b.size()); ++n) {
      const std::string name = fmt::format("{}-{}", id, n + 1);
      if (ignored.count(name) != 0) continue;
      const std::string& x = n < a.size() ? a[n] : std::string();
      const std::string& y = n < b.size() ? b[n] : std::string();
      if (x != y) {
        differences.push_back(
            fmt::format("{}[{}]-{}: expected '{}', got '{}'", id, occurrence, n + 1, x, y));
      }
    }
  }
  return differences;
}

}  // namespace navette::testing
