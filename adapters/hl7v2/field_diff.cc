#include "adapters/hl7v2/field_diff.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace navette::adapters::hl7v2 {
namespace {

// Segment indexes of each id, in message order; ids in order of first
// appearance.
struct Occurrences {
  std::vector<std::string> ids;
  std::map<std::string, std::vector<size_t>, std::less<>> of;
};

Occurrences OccurrencesOf(const MessageView& view) {
  Occurrences out;
  for (size_t i = 0; i < view.segment_count(); ++i) {
    const std::string id(view.segment(i).id);
    auto& indexes = out.of[id];
    if (indexes.empty()) out.ids.push_back(id);
    indexes.push_back(i);
  }
  return out;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += fmt::format("{}{}", out.empty() ? "" : ", ", name);
  return out;
}

}  // namespace

std::vector<std::string_view> SegmentFields(const MessageView& view, size_t index) {
  std::vector<std::string_view> out;
  const std::string_view text = view.segment(index).text;
  const char separator = view.delimiters().field;
  if (view.segment(index).id == "MSH") out.push_back(text.substr(3, 1));
  size_t start = 4;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

absl::StatusOr<std::string> FieldChangeSummary(std::string_view before, std::string_view after) {
  auto old_view = MessageView::Parse(before);
  if (!old_view.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("the message before the edit: {}", std::string(old_view.status().message())));
  }
  auto new_view = MessageView::Parse(after);
  if (!new_view.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("the edited message: {}", std::string(new_view.status().message())));
  }
  const Occurrences old_segments = OccurrencesOf(*old_view);
  const Occurrences new_segments = OccurrencesOf(*new_view);
  std::vector<std::string> ids = new_segments.ids;
  for (const std::string& id : old_segments.ids) {
    if (!new_segments.of.contains(id)) ids.push_back(id);
  }
  static const std::vector<size_t> kNone;
  std::vector<std::string> changed, added, removed;
  for (const std::string& id : ids) {
    auto old_found = old_segments.of.find(id);
    auto new_found = new_segments.of.find(id);
    const auto& olds = old_found == old_segments.of.end() ? kNone : old_found->second;
    const auto& news = new_found == new_segments.of.end() ? kNone : new_found->second;
    const bool numbered = olds.size() > 1 || news.size() > 1;
    for (size_t k = 0; k < std::max(olds.size(), news.size()); ++k) {
      const std::string segment = numbered ? fmt::format("{}[{}]", id, k + 1) : id;
      if (k >= olds.size()) {
        added.push_back(segment);
        continue;
      }
      if (k >= news.size()) {
        removed.push_back(segment);
        continue;
      }
      const auto a = SegmentFields(*old_view, olds[k]);
      const auto b = SegmentFields(*new_view, news[k]);
      for (size_t n = 0; n < std::max(a.size(), b.size()); ++n) {
        const std::string_view x = n < a.size() ? a[n] : std::string_view();
        const std::string_view y = n < b.size() ? b[n] : std::string_view();
        if (x != y) changed.push_back(fmt::format("{}-{}", segment, n + 1));
      }
    }
  }
  std::vector<std::string> parts;
  if (!changed.empty()) parts.push_back(Joined(changed) + " changed");
  if (!added.empty()) parts.push_back(Joined(added) + " added");
  if (!removed.empty()) parts.push_back(Joined(removed) + " removed");
  std::string summary;
  for (const std::string& part : parts) {
    summary += fmt::format("{}{}", summary.empty() ? "" : "; ", part);
  }
  return summary;
}

}  // namespace navette::adapters::hl7v2
