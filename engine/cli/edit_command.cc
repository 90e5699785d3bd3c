// `navette messages edit ID [--file F]`: an operator's correction of a
// message, through POST /v1/messages/{id}/edit (operator role, audited with
// the fields changed). Without --file the message's text is fetched (a
// payload view, audited like `messages show`), written one segment a line
// to a private temporary file (0600, removed whatever happens) and opened
// in $EDITOR (default vi); it is sent only if the operator changed it.
// Segment ends go back to CR (NormalizeSegmentTerminators) on the way out.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "adapters/mllp/client.h"
#include "common/printable.h"
#include "engine/cli/admin_client.h"
#include "engine/cli/commands.h"
#include "proto/admin.pb.h"

namespace navette::engine::cli {
namespace {

constexpr char kCommand[] = "navette messages edit";

// A temporary file that is removed when it goes out of scope.
class TempFile {
 public:
  TempFile() = default;
  ~TempFile() {
    if (!path_.empty()) std::filesystem::remove(path_, ignored_);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  // Creates it (mkstemp: mode 0600, only its owner can read the patient
  // data it holds) with `text`; false with `error` set on failure.
  bool Create(const std::string& text, std::string& error) {
    const char* dir = std::getenv("TMPDIR");
    std::string pattern = fmt::format("{}/navette-edit-XXXXXX.hl7", dir && *dir ? dir : "/tmp");
    const int fd = mkstemps(pattern.data(), 4);
    if (fd < 0) {
      error =
          fmt::format("cannot create a temporary file in {}: {}", pattern, std::strerror(errno));
      return false;
    }
    path_ = pattern;
    size_t written = 0;
    while (written < text.size()) {
      const ssize_t n = write(fd, text.data() + written, text.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = fmt::format("cannot write {}: {}", path_, std::strerror(errno));
        close(fd);
        return false;
      }
      written += static_cast<size_t>(n);
    }
    if (close(fd) != 0) {
      error = fmt::format("cannot write {}: {}", path_, std::strerror(errno));
      return false;
    }
    return true;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::error_code ignored_;
};

bool ReadFile(const std::string& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = fmt::format("cannot read {}: {}", path, std::strerror(errno));
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

// One segment a line, as an editor shows text.
std::string ForEditor(const std::string& raw) {
  std::string text = adapters::mllp::NormalizeSegmentTerminators(raw);
  for (char& c : text) {
    if (c == '\r') c = '\n';
  }
  return text;
}

// Runs $EDITOR (a command line, e.g. "code -w", read by the shell as git
// does) on `path`; false with `error` when it cannot run or fails.
bool RunEditor(const std::string& path, std::string& error) {
  const char* editor = std::getenv("EDITOR");
  const std::string command = editor && *editor ? editor : "vi";
  const pid_t child = fork();
  if (child < 0) {
    error = fmt::format("cannot start the editor: {}", std::strerror(errno));
    return false;
  }
  if (child == 0) {
    // The path is an argument, never part of the shell's text.
    const std::string script = command + " \"$1\"";
    execl("/bin/sh", "sh", "-c", script.c_str(), "sh", path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      error = fmt::format("lost the editor: {}", std::strerror(errno));
      return false;
    }
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = fmt::format(
        "the editor ({}) failed ({}): nothing sent", command,
        WIFEXITED(status) ? fmt::format("exit {}", WEXITSTATUS(status)) : std::string("killed"));
    return false;
  }
  return true;
}

}  // namespace

int RunMessagesEdit(const EditOptions& options) {
  const AdminClient client = AdminClient::FromOptions(options.admin);
  std::string text;
  std::string error;
  if (!options.file.empty()) {
    if (!ReadFile(options.file, text, error)) {
      std::cerr << kCommand << ": " << error << "\n";
      return 1;
    }
  } else {
    admin::MessageDetail detail;
    absl::Status fetched = client.Get("/v1/messages/" + UrlEncode(options.id), detail);
    if (!fetched.ok()) {
      std::cerr << kCommand << ": " << fetched.message() << "\n";
      return 1;
    }
    if (!detail.payload_withheld().empty()) {
      std::cerr << kCommand << ": the message's text is not shown to you ("
                << Printable(detail.payload_withheld()) << "): edit a copy with --file\n";
      return 1;
    }
    const std::string before = ForEditor(detail.raw());
    TempFile file;
    if (!file.Create(before, error) || !RunEditor(file.path(), error) ||
        !ReadFile(file.path(), text, error)) {
      std::cerr << kCommand << ": " << error << "\n";
      return 1;
    }
    if (ForEditor(text) == before) {
      std::cerr << kCommand << ": the message was not changed: nothing sent\n";
      return 1;
    }
  }
  admin::EditRequest request;
  request.set_raw(adapters::mllp::NormalizeSegmentTerminators(text));
  admin::EditResponse response;
  absl::Status status =
      client.Post("/v1/messages/" + UrlEncode(options.id) + "/edit", request, response);
  if (!status.ok()) {
    std::cerr << kCommand << ": " << status.message() << "\n";
    return 1;
  }
  std::cout << fmt::format(
      "{} edited into {} ({}): the original is kept, superseded; {} is routed with the current "
      "routes\n",
      Printable(response.edited_from()), Printable(response.id()), Printable(response.changes()),
      Printable(response.id()));
  return 0;
}

}  // namespace navette::engine::cli
