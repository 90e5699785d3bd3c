#include "adapters/tls/peer_allow_list.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include <fmt/format.h>

namespace navette::adapters::tls {
namespace {

std::string Trimmed(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// The parts of a subject as written: "/C=FR/CN=x" split on '/', anything
// else on the commas not escaped with a backslash; escapes removed.
std::vector<std::string> SubjectParts(std::string_view text) {
  const bool slashed = !text.empty() && text.front() == '/';
  const char separator = slashed ? '/' : ',';
  if (slashed) text.remove_prefix(1);
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      parts.back().push_back(text[++i]);
    } else if (text[i] == separator) {
      parts.emplace_back();
    } else {
      parts.back().push_back(text[i]);
    }
  }
  return parts;
}

// OpenSSL's short name of an attribute, upper case ("CN", "EMAILADDRESS"),
// whether written short or long, in any case; empty if OpenSSL knows none.
std::string AttributeName(const std::string& written) {
  int nid = OBJ_txt2nid(written.c_str());
  if (nid == NID_undef) nid = OBJ_txt2nid(Upper(written).c_str());
  if (nid == NID_undef) nid = OBJ_txt2nid(Lower(written).c_str());
  if (nid == NID_undef) return {};
  return Upper(OBJ_nid2sn(nid));
}

std::string Utf8(const ASN1_STRING* value) {
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, value);
  if (size < 0) return {};
  std::string text(reinterpret_cast<char*>(utf8), static_cast<size_t>(size));
  OPENSSL_free(utf8);
  return text;
}

// The address's bytes (4 or 16), or empty when `text` is not an address.
std::string AddressBytes(const std::string& text) {
  unsigned char bytes[16];
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return std::string(bytes, bytes + 4);
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) return std::string(bytes, bytes + 16);
  return {};
}

struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};

}  // namespace

absl::StatusOr<PeerAllowList> PeerAllowList::Parse(const std::vector<std::string>& entries) {
  PeerAllowList list;
  for (size_t index = 0; index < entries.size(); ++index) {
    const std::string entry = Trimmed(entries[index]);
    auto refused = [&](std::string_view why) {
      return absl::InvalidArgumentError(
          fmt::format("allowed_clients[{}] '{}': {}", index, entries[index], why));
    };
    const size_t colon = entry.find(':');
    const size_t equals = entry.find('=');
    if (colon != std::string::npos && (equals == std::string::npos || colon < equals)) {
      const std::string type = Lower(entry.substr(0, colon));
      const std::string value = Trimmed(std::string_view(entry).substr(colon + 1));
      if (value.empty()) return refused("nothing after the ':'");
      if (type == "dns") {
        list.alt_names_.push_back({GEN_DNS, Lower(value)});
      } else if (type == "email") {
        list.alt_names_.push_back({GEN_EMAIL, Lower(value)});
      } else if (type == "uri") {
        list.alt_names_.push_back({GEN_URI, value});
      } else if (type == "ip") {
        std::string bytes = AddressBytes(value);
        if (bytes.empty()) return refused("not an IPv4 or IPv6 address");
        list.alt_names_.push_back({GEN_IPADD, std::move(bytes)});
      } else {
        return refused("a subjectAltName is written DNS:, IP:, email: or URI:");
      }
      continue;
    }
    Subject subject;
    for (const std::string& part : SubjectParts(entry)) {
      const size_t at = part.find('=');
      if (at == std::string::npos) {
        return refused(fmt::format(
            "'{}' is not attribute=value (a subject such as CN=x,O=y, or DNS:/IP:/email:/URI:)",
            Trimmed(part)));
      }
      const std::string written = Trimmed(std::string_view(part).substr(0, at));
      std::string name = AttributeName(written);
      if (name.empty()) return refused(fmt::format("unknown attribute '{}'", written));
      subject.emplace_back(std::move(name), Trimmed(std::string_view(part).substr(at + 1)));
    }
    std::sort(subject.begin(), subject.end());
    list.subjects_.push_back(std::move(subject));
  }
  return list;
}

bool PeerAllowList::Allows(X509* certificate) const {
  if (empty()) return true;
  if (!subjects_.empty()) {
    Subject subject;
    const X509_NAME* name = X509_get_subject_name(certificate);
    for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
      const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
      const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
      subject.emplace_back(Upper(nid == NID_undef ? "?" : OBJ_nid2sn(nid)),
                           Utf8(X509_NAME_ENTRY_get_data(entry)));
    }
    std::sort(subject.begin(), subject.end());
    if (std::find(subjects_.begin(), subjects_.end(), subject) != subjects_.end()) return true;
  }
  if (alt_names_.empty()) return false;
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  if (names == nullptr) return false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    int type = 0;
    const ASN1_STRING* value =
        static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(name, &type));
    if (value == nullptr) continue;
    std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<size_t>(ASN1_STRING_length(value)));
    if (type == GEN_DNS || type == GEN_EMAIL) text = Lower(std::move(text));
    for (const AltName& allowed : alt_names_) {
      if (allowed.type == type && allowed.value == text) return true;
    }
  }
  return false;
}

std::string SubjectText(X509* certificate) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (bio == nullptr) return "?";
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0,
                     XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string("(empty subject)");
}

}  // namespace navette::adapters::tls
