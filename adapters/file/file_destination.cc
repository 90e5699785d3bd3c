#include "adapters/file/file_destination.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "store/message_id.h"

namespace navette::adapters::file {
namespace {

// Closes the descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::string ErrnoText(int error) { return std::strerror(error); }

// Transient: every failure here is about the local disk (full, read-only,
// permissions), which an operator can fix; the message itself is never at
// fault.
DeliveryResult Failed(std::string_view what, const std::filesystem::path& path, int error) {
  return DeliveryResult::Transient(fmt::format("{} {}: {}", what, path.string(), ErrnoText(error)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileDestination>> FileDestination::Create(
    const navette::config::FileDestination& config, const std::filesystem::path& base_dir) {
  std::filesystem::path directory(config.directory());
  if (directory.is_relative()) directory = base_dir / directory;
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return absl::UnavailableError(
        fmt::format("cannot create directory {}: {}", directory.string(), error.message()));
  }
  const std::string suffix = config.suffix().empty() ? ".hl7" : config.suffix();
  return std::unique_ptr<FileDestination>(new FileDestination(directory, suffix));
}

DeliveryResult FileDestination::Deliver(const DeliveryRequest& request) {
  const std::string name = store::FormatMessageId(request.message_id) + suffix_;
  const std::filesystem::path final_path = directory_ / name;
  // One temporary name per message: concurrent deliveries of different
  // messages never share one, and a leftover from a crash is overwritten.
  const std::filesystem::path temp_path = directory_ / ("." + name + ".tmp");
  const std::string& bytes = request.message->envelope().raw();

  Fd fd(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (fd.get() < 0) return Failed("cannot create", temp_path, errno);
  // Whatever fails before the rename, the temporary file goes away.
  struct RemoveUnlessRenamed {
    const std::filesystem::path& path;
    bool renamed = false;
    ~RemoveUnlessRenamed() {
      if (!renamed) ::unlink(path.c_str());
    }
  } cleanup{temp_path};
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Failed("cannot write", temp_path, errno);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return Failed("cannot fsync", temp_path, errno);
  if (::close(fd.release()) != 0) return Failed("cannot close", temp_path, errno);
  if (::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    return Failed("cannot rename into", final_path, errno);
  }
  cleanup.renamed = true;
  Fd dir(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) return Failed("cannot fsync", directory_, errno);
  return DeliveryResult::Delivered(fmt::format("wrote {} ({} bytes)", name, bytes.size()));
}

}  // namespace navette::adapters::file
