// What the MSSanté end-to-end tests read of a mail Postfix delivered: its
// headers (Subject decoded from its RFC 2047 words), its text and its
// attachments, parsed with GMime as a mail client would; and the entries
// of an IHE_XDM.ZIP, read back with libzip.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace navette::testing {

struct ReadAttachment {
  std::string file_name;
  std::string media_type;
  std::string bytes;  // decoded
};

struct ReadMail {
  bool ok = false;
  std::string error;
  std::string subject;                         // decoded, UTF-8
  std::string raw_subject;                     // as on the wire
  std::map<std::string, std::string> headers;  // first of each name, lower-case names
  std::string text;                            // the text/plain part, decoded
  std::vector<ReadAttachment> attachments;
};

ReadMail ReadDeliveredMail(std::string_view raw);

// name -> bytes; `error` set when the archive does not open.
std::map<std::string, std::string> Unzip(std::string_view zip, std::string* error);

}  // namespace navette::testing
