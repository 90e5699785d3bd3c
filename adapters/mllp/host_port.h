// "host:port" or "[v6]:port" split into its parts, for the MLLP destination
// and its probe. Adapters never depend on engine/, so this does not call
// engine/config's ParseListenAddress; the engine has already checked the
// address with it, and this only splits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace navette::adapters::mllp {

absl::Status SplitHostPort(std::string_view text, std::string& host, uint16_t& port);

}  // namespace navette::adapters::mllp
