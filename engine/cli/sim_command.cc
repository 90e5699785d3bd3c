// `navette sim dmp …`: runs the DMP simulator program, navette-dmp-sim,
// which is built beside the navette binary (both land in the build's bin/).
// It replaces this process (execv) rather than running as a child, so that
// the operator's Ctrl-C and a supervisor's SIGTERM reach the simulator
// itself, and its exit code is the command's.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "engine/cli/commands.h"

namespace navette::engine::cli {

int RunSimDmp(const std::vector<std::string>& arguments) {
  // The real path of this binary, not argv[0] (which may be a bare name
  // found in PATH, or a symbolic link elsewhere).
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    std::cerr << "navette sim dmp: cannot find the navette binary's directory (/proc/self/exe: "
              << error.message() << ")\n";
    return 1;
  }
  const std::filesystem::path simulator = self.parent_path() / "navette-dmp-sim";
  if (::access(simulator.c_str(), X_OK) != 0) {
    std::cerr << "navette sim dmp: " << simulator.string() << ": " << std::strerror(errno)
              << " (the simulator is built with the tests, beside navette: cmake --build "
                 "<build> --target navette-dmp-sim)\n";
    return 1;
  }
  std::vector<std::string> argv_strings = {simulator.string()};
  argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : argv_strings) argv.push_back(argument.data());
  argv.push_back(nullptr);
  ::execv(simulator.c_str(), argv.data());
  // Only on failure.
  std::cerr << "navette sim dmp: cannot run " << simulator.string() << ": " << std::strerror(errno)
            << "\n";
  return 1;
}

}  // namespace navette::engine::cli
