// Which client certificates a listener serves, beyond chaining to its CA:
// the `allowed_clients` of a TlsServer (proto/config.proto). An entry is
//
//   a whole subject   "CN=lab-analyzer,O=CHU Exemple,C=FR"
//                     also "/C=FR/O=CHU Exemple/CN=lab-analyzer" (openssl's
//                     one-line form). Compared as a set of attribute=value
//                     pairs: the order of the attributes, spaces around ','
//                     and '=', and the case of attribute names do not
//                     matter; values are compared exactly. A certificate
//                     whose subject has one attribute more or less does not
//                     match: a partial subject would let any certificate the
//                     CA issued with that CN in.
//   a subjectAltName  "DNS:sgl.chu.local" (case-insensitive), "IP:10.1.2.3"
//                     (IPv4 or IPv6, compared as addresses), "email:x@chu.fr"
//                     (case-insensitive), "URI:spiffe://chu/sgl" (exact).
//
// An empty list allows every certificate (the CA alone decides).
#pragma once

#include <openssl/x509.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace navette::adapters::tls {

class PeerAllowList {
 public:
  // InvalidArgument naming the entry (its index and text) that cannot be read.
  static absl::StatusOr<PeerAllowList> Parse(const std::vector<std::string>& entries);

  bool empty() const { return subjects_.empty() && alt_names_.empty(); }
  bool Allows(X509* certificate) const;

 private:
  // One subject: its attribute=value pairs, attribute names as OpenSSL's
  // short names in upper case, sorted.
  using Subject = std::vector<std::pair<std::string, std::string>>;
  struct AltName {
    int type = 0;            // GEN_DNS, GEN_IPADD, GEN_EMAIL, GEN_URI
    std::string value = {};  // as compared: lower case for DNS and email,
                             // the address's bytes for IP
  };

  std::vector<Subject> subjects_;
  std::vector<AltName> alt_names_;
};

// "CN=lab-analyzer,O=CHU Exemple,C=FR": a certificate's subject as RFC 2253
// writes it (most specific attribute first), a form allowed_clients reads,
// for logs and error messages.
std::string SubjectText(X509* certificate);

}  // namespace navette::adapters::tls
