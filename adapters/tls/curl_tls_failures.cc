#include "adapters/tls/curl_tls_failures.h"

namespace navette::adapters::tls {

bool IsTlsFailure(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return true;
    default:
      return false;
  }
}

bool CertificateRefused(CURLcode code, std::string_view error_text) {
  if (code == CURLE_SSL_CLIENTCERT) return true;
  for (std::string_view alert :
       {"alert certificate required", "alert bad certificate", "alert unknown ca",
        "alert certificate unknown", "alert certificate expired", "alert certificate revoked",
        "alert unsupported certificate", "alert access denied"}) {
    if (error_text.find(alert) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace navette::adapters::tls
