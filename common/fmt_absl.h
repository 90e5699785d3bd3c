// Lets fmt and spdlog format absl::string_view (what absl::Status::message()
// returns). Debian builds abseil with its own string_view type rather than
// std::string_view, which fmt does not know.
#pragma once

#include <string_view>

#include <fmt/format.h>

#include "absl/strings/string_view.h"

template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(absl::string_view text, FormatContext& context) const {
    return fmt::formatter<std::string_view>::format(std::string_view(text.data(), text.size()),
                                                    context);
  }
};
