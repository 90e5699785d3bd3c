// A ZIP archive built in memory with libzip (zip_source_buffer_create /
// zip_open_from_source): no temporary file, so a package holding health data
// never touches the disk.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace navette::adapters::mssante::xdm {

struct ZipEntry {
  std::string name;             // '/'-separated; ending in '/' for a directory
  std::string_view bytes = {};  // must outlive the WriteZip call; ignored for a directory
};

// The archive's bytes, its entries in the order given (the central directory
// lists them so), each dated `mtime` (clamped to 1980, the first DOS date).
// Internal, with libzip's reason, when libzip fails.
absl::StatusOr<std::string> WriteZip(const std::vector<ZipEntry>& entries, absl::Time mtime);

}  // namespace navette::adapters::mssante::xdm
