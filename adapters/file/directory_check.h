// Whether a file destination's directory can be used by this process: one
// rule for `navette check` (a dry run: nothing is created) and for `serve`
// (which then creates it), so that both refuse the same directory with the
// same words, as a kinds::SettingError on "directory":
//
//   the directory...                                  message
//   ------------------------------------------------  -------------------------------------------
//   exists, is a directory we may write and search    (ok)
//   exists, but we may not write or search it         "cannot write in D: Permission denied"
//   is missing, and its nearest existing ancestor A   (ok: it can be created)
//     is a directory we may write and search
//   ... A is a directory we may not write or search   "cannot create D: Permission denied (in A)"
//   ... A (or D itself) is not a directory            "cannot create D: A is not a directory"
//   creating it fails anyway (a race, a full disk)    "cannot create D: <reason>" (serve only)
#pragma once

#include <filesystem>

#include "absl/status/status.h"

namespace navette::adapters::file {

// Checks without creating anything.
absl::Status CheckDirectory(const std::filesystem::path& directory);

// Checks as CheckDirectory, then creates the directory and its missing
// parents.
absl::Status CreateDirectory(const std::filesystem::path& directory);

}  // namespace navette::adapters::file
