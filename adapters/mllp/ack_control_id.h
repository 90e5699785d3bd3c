// MSH-10 of the ACKs navette sends: "NAV" followed by a decimal counter that
// starts at the process start time in milliseconds times 1000. Ids are unique
// within the process and, unless a previous run sent more than a thousand
// ACKs per millisecond of uptime, across restarts; they fit the 20 characters
// of MSH-10 until the year 2286.
#pragma once

#include <string>

namespace navette::adapters::mllp {

// Thread-safe.
std::string NextAckControlId();

}  // namespace navette::adapters::mllp
