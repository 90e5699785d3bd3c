// Names the calling thread (visible in top -H, perf and gdb), truncated to
// the 15 characters Linux allows.
#pragma once

#include <pthread.h>

#include <string>

namespace navette {

inline void SetThreadName(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace navette
