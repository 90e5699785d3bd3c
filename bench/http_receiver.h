// `navette_bench receive`: an HTTP receiver that answers 200 to every POST
// and reports how fast messages arrive, for the backlog benchmark.
#pragma once

namespace navette::bench {

struct ReceiveOptions {
  int port = 18580;
  int messages = 1000000;  // stop after this many
  int threads = 16;
};
// Listens until `messages` requests were answered; prints the rate from the
// first to the last. Returns the process exit code.
int RunReceive(const ReceiveOptions& options);

}  // namespace navette::bench
