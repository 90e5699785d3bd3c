#include "adapters/file/directory_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "kinds/registry.h"

namespace navette::adapters::file {
namespace {

constexpr std::string_view kField = "directory";

}  // namespace

absl::Status CheckDirectory(const std::filesystem::path& directory) {
  const std::filesystem::path wanted = std::filesystem::absolute(directory).lexically_normal();
  // From the directory up to the first component that exists: the one whose
  // permissions decide. ENOTDIR means a component above is not a directory:
  // keep going up to name it.
  std::filesystem::path at = wanted;
  while (true) {
    struct stat info {};
    if (::stat(at.c_str(), &info) == 0) {
      if (!S_ISDIR(info.st_mode)) {
        return kinds::SettingError(kField, fmt::format("cannot create {}: {} is not a directory",
                                                       directory.string(), at.string()));
      }
      if (::access(at.c_str(), W_OK | X_OK) == 0) return absl::OkStatus();
      const int error = errno;
      if (at == wanted) {
        return kinds::SettingError(kField, fmt::format("cannot write in {}: {}", directory.string(),
                                                       std::strerror(error)));
      }
      return kinds::SettingError(kField,
                                 fmt::format("cannot create {}: {} (in {})", directory.string(),
                                             std::strerror(error), at.string()));
    }
    const int error = errno;
    if ((error != ENOENT && error != ENOTDIR) || at == at.parent_path()) {
      return kinds::SettingError(
          kField, fmt::format("cannot create {}: {}", directory.string(), std::strerror(error)));
    }
    at = at.parent_path();
  }
}

absl::Status CreateDirectory(const std::filesystem::path& directory) {
  if (absl::Status usable = CheckDirectory(directory); !usable.ok()) return usable;
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return kinds::SettingError(
        kField, fmt::format("cannot create {}: {}", directory.string(), error.message()));
  }
  return absl::OkStatus();
}

}  // namespace navette::adapters::file
