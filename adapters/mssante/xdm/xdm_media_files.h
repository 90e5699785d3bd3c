// The two files at the root of an XDM media that are for people, not
// software (IHE ITI TF-1 §16): INDEX.HTM, which a browser opens to see the
// documents, and README.TXT, which says who made the media with what.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace navette::adapters::mssante::xdm {

struct IndexLine {
  std::string title;  // the document's title (may be empty: the path is shown)
  std::string path;   // relative to the media root, e.g. IHE_XDM/SUBSET01/DOC.XML
  std::string mime_type;
};

// A small HTML5 page, UTF-8, every text HTML-escaped, one link per document
// in the order given; CRLF lines.
std::string IndexHtm(const std::vector<IndexLine>& documents);

// CRLF lines: what the media is, the sender, the software, the creation
// date (`created`, UTC, ISO 8601) and the number of documents. Line breaks
// and other control characters in `sender` and `software` become spaces:
// they cannot add lines of their own.
std::string ReadmeTxt(std::string_view sender, std::string_view software, absl::Time created,
                      size_t document_count);

}  // namespace navette::adapters::mssante::xdm
