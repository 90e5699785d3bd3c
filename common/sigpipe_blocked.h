// Blocks SIGPIPE on this thread while it lives and swallows those raised
// meanwhile. OpenSSL writes to its sockets with write(2), which raises
// SIGPIPE on a connection the peer closed; MSG_NOSIGNAL cannot be passed
// through it. A process that ignores SIGPIPE (`navette serve`) needs none
// of this; a library call in any other process (the CLI, a test) does.
// SIGPIPE from a write is sent to the writing thread, so only that thread's
// own are swallowed.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <ctime>

namespace navette {

class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~SigpipeBlocked() {
    const timespec zero{};
    while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_;
  sigset_t previous_;
};

}  // namespace navette
