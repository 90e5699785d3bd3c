// libxml2 must be initialised once, before any two threads use it: its
// first xmlInitParser() is not itself thread-safe (libxml2 2.9), and two
// threads racing through it each make the global mutexes, one of which
// leaks. Every entry point of a library that may be the process's first
// libxml2 user calls this; the static below is shared by all of them (an
// inline function's statics are one per program) and initialised once,
// thread-safely, by the C++ runtime.
#pragma once

#include <libxml/parser.h>

namespace navette {

inline void EnsureLibXmlReady() {
  static const bool ready = [] {
    xmlInitParser();
    return true;
  }();
  (void)ready;
}

}  // namespace navette
