// `navette check --connect` for an http destination: a TCP connection to the
// URL's host and port and, for https, the TLS handshake with the same
// verification and files as deliveries (tls.ca_file, the client certificate
// and key), within http.connect_timeout; no request is sent (libcurl's
// CURLOPT_CONNECT_ONLY).
//
// With TLS 1.3, a server that refuses our client certificate says so only
// after the handshake, when a request is sent: the probe cannot see it.
#pragma once

#include "kinds/registry.h"
#include "proto/config.pb.h"

namespace navette::adapters::http {

// Details: "TLS handshake with 10.0.0.5:443 ok", "connected to
// 10.0.0.5:80", "cannot connect to 10.0.0.5:443: Connection refused",
// "TLS handshake with 10.0.0.5:443 failed: <libcurl's words>",
// "cannot resolve dmp.example: ...".
kinds::ProbeResult ProbeHttp(const navette::config::HttpDestination& config);

}  // namespace navette::adapters::http
