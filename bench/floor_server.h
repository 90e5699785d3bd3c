// The floor the engine's intake is measured against (issue 19): the least a
// server must do to acknowledge HL7 over MLLP durably. It frames MLLP, reads
// MSH-10 for the ACK, commits what arrived while the previous commit was
// syncing as one synced RocksDB write, and only then answers AA; nothing is
// parsed, routed or delivered.
//
// One thread does the sockets (epoll), one commits: while a batch syncs, the
// socket thread keeps reading, so that the next batch is whatever came in
// meanwhile (group commit, as the engine's ingress does). With --files, two
// more threads write each acknowledged message to a durable file.
#pragma once

#include <string>

namespace navette::bench {

struct FloorOptions {
  int port = 12576;
  std::string dir;  // the RocksDB directory (deleted before and after)
  // When set, each message is also delivered, after its ACK, to a file of
  // its own in this directory (floor_files.h); the count written is kept in
  // `<files>.delivered`. Deleted before, left after.
  std::string files;
};

// Serves until SIGINT or SIGTERM; prints one line of counts at the end.
int RunFloor(const FloorOptions& options);

}  // namespace navette::bench
