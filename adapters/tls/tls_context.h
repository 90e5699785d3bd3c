// OpenSSL contexts for the TLS navette speaks itself (not through libcurl):
// the listeners (MLLP sources, the admin API) from a config::TlsServer, and
// the MLLP client (destinations, `navette send`) from a config::Tls.
//
// Both: TLS 1.2 or later, never less; certificate verification always on.
// A listener with client_ca_file requires a client certificate chaining to
// it and, with allowed_clients, carrying one of those identities
// (peer_allow_list.h); a client that fails either is refused during the
// handshake, and HandshakeRefusal says why.
//
// Every error names the setting at fault after `prefix`, the path of the
// tls block as the user wrote it ("tls", "engine.admin.tls"):
// "tls.cert_file: cannot read /etc/navette/mllp.pem: No such file or
// directory", so that `check` places it at that key.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "proto/config.pb.h"

namespace navette::adapters::tls {

struct SslCtxFree {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// The TLS 1.2 cipher list when `ciphers` is not set: ECDHE key exchange
// (forward secrecy) with AEAD ciphers only.
inline constexpr char kDefaultTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

absl::StatusOr<SslCtxPtr> MakeServerContext(const config::TlsServer& settings,
                                            std::string_view prefix);

absl::StatusOr<SslCtxPtr> MakeClientContext(const config::Tls& settings, std::string_view prefix);

// Makes `ssl` (of a client context) send `host` as SNI when it is a name and
// verify that the server's certificate is for `host` (a DNS name, or an IP
// address against the certificate's IP subjectAltNames).
absl::Status ExpectServer(SSL* ssl, const std::string& host);

// Why the handshake of `ssl` failed, for a log line: what the verification
// of the peer's certificate found (with its subject), else OpenSSL's reason
// `library_reason` ("peer did not return a certificate"), with a hint when
// the peer did not speak TLS at all. Never anything the peer sent but its
// certificate's subject.
std::string HandshakeRefusal(SSL* ssl, std::string_view library_reason);

// "TLSv1.3, client CN=lab,O=CHU" / "TLSv1.2": what a log line says of an
// established connection.
std::string SessionSummary(SSL* ssl);

}  // namespace navette::adapters::tls
