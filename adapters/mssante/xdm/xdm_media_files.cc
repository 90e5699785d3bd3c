#include "adapters/mssante/xdm/xdm_media_files.h"

#include "absl/strings/str_cat.h"

namespace navette::adapters::mssante::xdm {
namespace {

constexpr char kCrlf[] = "\r\n";

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// One line of README.TXT from a caller's value; "(not given)" when empty.
std::string OneLine(std::string_view text) {
  if (text.empty()) return "(not given)";
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return out;
}

}  // namespace

std::string IndexHtm(const std::vector<IndexLine>& documents) {
  std::string html =
      absl::StrCat("<!DOCTYPE html>", kCrlf, "<html lang=\"fr\">", kCrlf, "<head>", kCrlf,
                   "<meta charset=\"UTF-8\">", kCrlf, "<title>IHE XDM</title>", kCrlf, "</head>",
                   kCrlf, "<body>", kCrlf, "<h1>Documents</h1>", kCrlf, "<ul>", kCrlf);
  for (const IndexLine& document : documents) {
    const std::string& label = document.title.empty() ? document.path : document.title;
    absl::StrAppend(&html, "<li><a href=\"", EscapeHtml(document.path), "\">", EscapeHtml(label),
                    "</a> (", EscapeHtml(document.mime_type), ")</li>", kCrlf);
  }
  absl::StrAppend(&html, "</ul>", kCrlf,
                  "<p>IHE XDM media: the metadata is in IHE_XDM/SUBSET01/METADATA.XML, "
                  "the sender in README.TXT.</p>",
                  kCrlf, "</body>", kCrlf, "</html>", kCrlf);
  return html;
}

std::string ReadmeTxt(std::string_view sender, std::string_view software, absl::Time created,
                      size_t document_count) {
  return absl::StrCat(
      "IHE XDM media (IHE ITI Cross-Enterprise Document Media Interchange)", kCrlf,
      "Sender: ", OneLine(sender), kCrlf, "Software: ", OneLine(software), kCrlf,
      "Created: ", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", created, absl::UTCTimeZone()), kCrlf,
      "Documents: ", document_count, " (IHE_XDM/SUBSET01, listed in INDEX.HTM)", kCrlf);
}

}  // namespace navette::adapters::mssante::xdm
