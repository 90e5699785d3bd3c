// What a libcurl failure says of TLS, for the transports that classify it
// (adapters/dmp/transport/dmp_client.cc,
// adapters/mssante/transport/mail_connection.cc): a handshake that failed,
// and among those a client certificate the server refused.
#pragma once

#include <curl/curl.h>

#include <string_view>

namespace navette::adapters::tls {

// The libcurl codes of a failed TLS setup or handshake (server
// verification, CURLE_PEER_FAILED_VERIFICATION, is not one: callers say it
// apart).
bool IsTlsFailure(CURLcode code);

// The server refused the client's certificate: CURLE_SSL_CLIENTCERT, or one
// of the TLS alerts a server sends for it (OpenSSL's texts, as libcurl
// passes them on in `error_text`), whether the alert comes in the handshake
// (TLS 1.2) or on the first read after it (TLS 1.3).
bool CertificateRefused(CURLcode code, std::string_view error_text);

}  // namespace navette::adapters::tls
