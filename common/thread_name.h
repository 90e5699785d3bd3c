// Names the calling thread (visible in top -H, perf and gdb), truncated to
// the 15 characters Linux allows.
#pragma once

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

namespace navette {

inline void SetThreadName(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

// Lowers the calling thread's scheduling priority. Work that can wait (the
// router, deliveries) yields the CPU to the threads on the acknowledgement
// path (sources, ingress), so that a sender's ACK is not delayed by work done
// after it. Raising priority needs privileges; lowering does not.
inline void LowerThreadPriority(int nice_increment) {
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  const int current = ::getpriority(PRIO_PROCESS, tid);
  ::setpriority(PRIO_PROCESS, tid, current + nice_increment);
}

}  // namespace navette
