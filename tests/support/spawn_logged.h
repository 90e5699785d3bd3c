// Starting a helper program for a test (a browser driver, a mail server's
// command): stdin from /dev/null, stdout and stderr into a log file the test
// shows when it fails.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

extern char** environ;

namespace navette::testing {

struct SpawnOptions {
  // The leader of a process group of its own, so that one kill(-pid)
  // reaches every process it starts, even after it died itself.
  bool new_process_group = false;
  // Append to the log rather than truncate it.
  bool append = false;
  // Without the test process's descriptors beyond 0-2 (a daemon would keep
  // them open for its lifetime).
  bool close_inherited = false;
};

// Starts `argv` (argv[0] a full path); its pid, or -1 if it could not start.
inline pid_t SpawnLogged(std::vector<std::string> argv_storage, const std::filesystem::path& log,
                         const SpawnOptions& options = {}) {
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(
      &actions, 1, log.c_str(), O_WRONLY | O_CREAT | (options.append ? O_APPEND : O_TRUNC), 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  if (options.close_inherited) posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  if (options.new_process_group) {
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);  // its own pid as the group id
  }
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ) != 0) pid = -1;
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace navette::testing
