// Maildirs as Postfix's virtual(8) writes them and Dovecot reads them: a
// message is one file, written in tmp/ and renamed into new/; Dovecot moves
// it to cur/ (adding ":2,<flags>" to its name) once an IMAP client has seen
// it. The harness reads them as root and writes them as the mail user.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace navette::testing::mail {

// Creates `maildir`/{tmp,new,cur}, and the directories between `base` and
// it, owned by `uid`:`gid`. Empty on success, else what failed.
std::string MakeMaildir(const std::filesystem::path& base, const std::filesystem::path& maildir,
                        uid_t uid, gid_t gid);

// The messages in new/ and cur/, oldest first (by the time their file was
// written, then by name). A message that Dovecot renames while it is read
// is read again under its new name. Empty if the Maildir does not exist.
std::vector<std::string> ReadMaildir(const std::filesystem::path& maildir);

// Writes `raw` as a new message of `maildir` (tmp/, then rename into new/),
// owned by `uid`:`gid`, under a name unique to this process and `sequence`.
// Empty on success, else what failed.
std::string DeliverToMaildir(const std::filesystem::path& maildir, std::string_view raw, uid_t uid,
                             gid_t gid, unsigned sequence);

}  // namespace navette::testing::mail
