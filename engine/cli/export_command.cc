// `navette messages export`: a selection of messages, as received, written
// for another tool or another engine: one ID.hl7 file per message, or one HL7
// batch file (FHS, BHS, the messages, BTS, FTS). The bytes are the message's
// own (its charset unchanged); only a missing final segment terminator is
// added in a batch, where the next segment must start on its own.
//
// Nothing is left half-written: every file is written under a .part name and
// renamed when whole, and an existing file is never replaced (the export
// stops before writing anything when one is in the way).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>

#include <fmt/format.h>

#include "engine/cli/admin_client.h"
#include "engine/cli/commands.h"
#include "proto/admin.pb.h"

namespace navette::engine::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kPageSize = 1000;  // GET /v1/export's largest page

// Now as an HL7 DTM, UTC: YYYYMMDDHHMMSS+0000.
std::string Hl7Now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d%H%M%S+0000", &utc);
  return text;
}

// The batch file of `messages` (oldest first), segments ended by CR.
std::string Hl7Batch(const std::vector<admin::ExportedMessage>& messages) {
  const std::string now = Hl7Now();
  std::string batch = fmt::format("FHS|^~\\&|NAVETTE||||{}\rBHS|^~\\&|NAVETTE||||{}\r", now, now);
  for (const admin::ExportedMessage& message : messages) {
    std::string_view raw = message.raw();
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    batch.append(raw);
    batch.push_back('\r');
  }
  batch += fmt::format("BTS|{}\rFTS|1\r", messages.size());
  return batch;
}

// Writes `bytes` to `path` through `path`.part; fails if `path` exists.
absl::Status WriteNew(const fs::path& path, std::string_view bytes) {
  std::error_code error;
  if (fs::exists(path, error)) {
    return absl::AlreadyExistsError(
        fmt::format("{} already exists (never replaced)", path.string()));
  }
  fs::path part = path;
  part += ".part";
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      fs::remove(part, error);
      return absl::InternalError(fmt::format("cannot write {}", part.string()));
    }
  }
  // link() + unlink rather than rename: link refuses an existing target, so
  // a file that appeared meanwhile is not replaced either. A filesystem
  // without hard links (a mounted Windows share) gets the rename, the name
  // having been checked free above.
  fs::create_hard_link(part, path, error);
  if (error && error != std::errc::file_exists) {
    error.clear();
    fs::rename(part, path, error);
  }
  std::error_code ignored;
  fs::remove(part, ignored);
  if (error) {
    return absl::InternalError(fmt::format("cannot create {}: {}", path.string(), error.message()));
  }
  return absl::OkStatus();
}

// Every page of GET /v1/export for `options`, up to its limit (a page never
// holds more than asked); `more` tells whether the limit stopped the export
// while the engine had a next page.
absl::StatusOr<std::vector<admin::ExportedMessage>> Fetch(const ExportOptions& options,
                                                          bool& more) {
  std::vector<admin::ExportedMessage> messages;
  SearchOptions search = options.search;
  const AdminClient client = AdminClient::FromOptions(options.admin);
  more = false;
  while (true) {
    auto filters = SearchQuery(search);
    if (!filters.ok()) return filters.status();
    const int wanted = std::min(kPageSize, options.limit - static_cast<int>(messages.size()));
    admin::ExportResponse page;
    absl::Status got = client.Get(fmt::format("/v1/export?limit={}{}", wanted, *filters), page);
    if (!got.ok()) return got;
    for (admin::ExportedMessage& message : *page.mutable_messages()) {
      messages.push_back(std::move(message));
    }
    if (page.next_cursor().empty()) break;
    if (static_cast<int>(messages.size()) >= options.limit) {
      more = true;
      break;
    }
    search.before = page.next_cursor();
  }
  return messages;
}

}  // namespace

int RunMessagesExport(const ExportOptions& options) {
  bool more = false;
  auto fetched = Fetch(options, more);
  if (!fetched.ok()) {
    std::cerr << "navette messages export: " << fetched.status().message() << "\n";
    return absl::IsInvalidArgument(fetched.status()) ? 2 : 1;
  }
  std::vector<admin::ExportedMessage>& messages = *fetched;
  std::reverse(messages.begin(), messages.end());  // oldest first
  if (messages.empty()) {
    std::cerr << "navette messages export: no message matches; nothing written\n";
    return 1;
  }

  std::string written_to;
  if (!options.batch_file.empty()) {
    if (absl::Status wrote = WriteNew(options.batch_file, Hl7Batch(messages)); !wrote.ok()) {
      std::cerr << "navette messages export: " << wrote.message() << "\n";
      return 1;
    }
    written_to = fmt::format("the batch file {}", options.batch_file);
  } else {
    const fs::path directory = options.directory;
    std::error_code error;
    fs::create_directories(directory, error);
    if (error) {
      std::cerr << fmt::format("navette messages export: cannot create {}: {}\n",
                               directory.string(), error.message());
      return 1;
    }
    // Every name checked before the first is written: an export stopped by
    // a file in the way writes nothing.
    for (const admin::ExportedMessage& message : messages) {
      if (fs::exists(directory / (message.id() + ".hl7"), error)) {
        std::cerr << fmt::format(
            "navette messages export: {} already exists (never replaced); nothing written\n",
            (directory / (message.id() + ".hl7")).string());
        return 1;
      }
    }
    for (const admin::ExportedMessage& message : messages) {
      if (absl::Status wrote = WriteNew(directory / (message.id() + ".hl7"), message.raw());
          !wrote.ok()) {
        std::cerr << "navette messages export: " << wrote.message() << "\n";
        return 1;
      }
    }
    written_to = fmt::format("{} (one ID.hl7 file each)", directory.string());
  }
  std::cerr << fmt::format("exported {} message{} to {}, oldest first\n", messages.size(),
                           messages.size() == 1 ? "" : "s", written_to);
  if (more) {
    std::cerr << fmt::format(
        "more messages may match: the newest {} were exported (raise --limit, or add --before {} "
        "for the older ones)\n",
        options.limit, messages.front().id());
  }
  return 0;
}

}  // namespace navette::engine::cli
