#include "adapters/tls/tls_context.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

#include "adapters/tls/peer_allow_list.h"
#include "adapters/tls/tls_files.h"

namespace navette::adapters::tls {
namespace {

// The allowed_clients of a server context, owned by it: freed with it.
void FreeAllowList(void* /*parent*/, void* list, CRYPTO_EX_DATA* /*data*/, int /*index*/,
                   long /*argl*/, void* /*argp*/) {
  delete static_cast<PeerAllowList*>(list);
}

// Why this connection's client certificate was refused, set by
// VerifyClient and read by HandshakeRefusal; freed with the SSL.
void FreeRefusal(void* /*parent*/, void* text, CRYPTO_EX_DATA* /*data*/, int /*index*/,
                 long /*argl*/, void* /*argp*/) {
  delete static_cast<std::string*>(text);
}

int AllowListIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeAllowList);
  return index;
}

int RefusalIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeRefusal);
  return index;
}

void SetRefusal(SSL* ssl, std::string text) {
  delete static_cast<std::string*>(SSL_get_ex_data(ssl, RefusalIndex()));
  SSL_set_ex_data(ssl, RefusalIndex(), new std::string(std::move(text)));
}

// OpenSSL's verification, then the allow-list on the client's own
// certificate (depth 0). A refusal is recorded with the certificate's
// subject, which is the one thing worth logging about it.
int VerifyClient(int preverified, X509_STORE_CTX* store) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  X509* certificate = X509_STORE_CTX_get_current_cert(store);
  const int depth = X509_STORE_CTX_get_error_depth(store);
  if (!preverified) {
    if (ssl != nullptr && certificate != nullptr) {
      const char* why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
      SetRefusal(
          ssl, depth == 0
                   ? fmt::format("client certificate {} refused: {}", SubjectText(certificate), why)
                   : fmt::format("client certificate refused: {} (at {} in its chain)", why,
                                 SubjectText(certificate)));
    }
    return 0;
  }
  if (depth != 0 || ssl == nullptr) return 1;
  const auto* allowed = static_cast<const PeerAllowList*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), AllowListIndex()));
  if (allowed == nullptr || allowed->Allows(certificate)) return 1;
  SetRefusal(ssl, fmt::format("client certificate {} is not in allowed_clients",
                              SubjectText(certificate)));
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

absl::Status SetVersionAndCiphers(SSL_CTX* context, const std::string& min_version,
                                  const std::string& ciphers, const std::string& ciphersuites,
                                  std::string_view prefix) {
  int version = TLS1_2_VERSION;
  if (min_version == "1.3") {
    version = TLS1_3_VERSION;
  } else if (!min_version.empty() && min_version != "1.2") {
    return SettingRefused(fmt::format("{}.min_version", prefix),
                          fmt::format("'{}' is neither 1.2 nor 1.3", min_version));
  }
  SSL_CTX_set_min_proto_version(context, version);
  const std::string& list = ciphers.empty() ? std::string(kDefaultTls12Ciphers) : ciphers;
  if (SSL_CTX_set_cipher_list(context, list.c_str()) != 1) {
    ERR_clear_error();
    return SettingRefused(fmt::format("{}.ciphers", prefix),
                          fmt::format("OpenSSL knows none of the ciphers in '{}'", list));
  }
  if (!ciphersuites.empty() && SSL_CTX_set_ciphersuites(context, ciphersuites.c_str()) != 1) {
    ERR_clear_error();
    return SettingRefused(
        fmt::format("{}.ciphersuites", prefix),
        fmt::format("OpenSSL knows none of the TLS 1.3 suites in '{}'", ciphersuites));
  }
  return absl::OkStatus();
}

// The certificate and key a side presents: checked by tls_files for
// messages that name the file, then loaded with the chain that follows the
// certificate.
absl::Status UseCertificate(SSL_CTX* context, const std::string& cert_file,
                            const std::string& key_file, std::string_view prefix) {
  const std::string cert_setting = fmt::format("{}.cert_file", prefix);
  const std::string key_setting = fmt::format("{}.key_file", prefix);
  auto pair = LoadPemPair({.cert_setting = cert_setting,
                           .cert_path = cert_file,
                           .key_setting = key_setting,
                           .key_path = key_file});
  if (!pair.ok()) return pair.status();
  if (SSL_CTX_use_certificate_chain_file(context, cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(context) != 1) {
    const std::string reason = ERR_reason_error_string(ERR_peek_last_error()) != nullptr
                                   ? ERR_reason_error_string(ERR_peek_last_error())
                                   : "unknown error";
    ERR_clear_error();
    return SettingRefused(cert_setting, fmt::format("OpenSSL cannot use {} with {}: {}", cert_file,
                                                    key_file, reason));
  }
  return absl::OkStatus();
}

absl::Status TrustCas(SSL_CTX* context, const std::string& ca_file, std::string_view setting) {
  if (auto first = ReadPemCertificate(setting, ca_file); !first.ok()) return first.status();
  if (SSL_CTX_load_verify_locations(context, ca_file.c_str(), nullptr) != 1) {
    ERR_clear_error();
    return SettingRefused(setting, fmt::format("OpenSSL cannot load the CAs in {}", ca_file));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SslCtxPtr> MakeServerContext(const config::TlsServer& settings,
                                            std::string_view prefix) {
  if (settings.cert_file().empty() || settings.key_file().empty()) {
    return SettingRefused(
        fmt::format("{}.{}", prefix, settings.cert_file().empty() ? "cert_file" : "key_file"),
        "a listener's certificate and its key are both required");
  }
  if (!settings.allowed_clients().empty() && settings.client_ca_file().empty()) {
    return SettingRefused(fmt::format("{}.allowed_clients", prefix),
                          "needs client_ca_file: without it clients are not asked for a "
                          "certificate, so there would be nothing to check");
  }
  auto allowed =
      PeerAllowList::Parse({settings.allowed_clients().begin(), settings.allowed_clients().end()});
  if (!allowed.ok()) {
    return SettingRefused(fmt::format("{}.allowed_clients", prefix),
                          std::string(allowed.status().message()));
  }
  SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  if (context == nullptr) return absl::InternalError("cannot create an OpenSSL context");
  SSL_CTX_set_options(context.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (auto set = SetVersionAndCiphers(context.get(), settings.min_version(), settings.ciphers(),
                                      settings.ciphersuites(), prefix);
      !set.ok()) {
    return set;
  }
  if (auto used = UseCertificate(context.get(), settings.cert_file(), settings.key_file(), prefix);
      !used.ok()) {
    return used;
  }
  if (!settings.client_ca_file().empty()) {
    const std::string setting = fmt::format("{}.client_ca_file", prefix);
    if (auto trusted = TrustCas(context.get(), settings.client_ca_file(), setting); !trusted.ok()) {
      return trusted;
    }
    // Tells clients which CAs are accepted, so that one holding several
    // certificates picks the right one.
    SSL_CTX_set_client_CA_list(context.get(),
                               SSL_load_client_CA_file(settings.client_ca_file().c_str()));
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       VerifyClient);
    // Resumed sessions keep the verified client; OpenSSL requires a context id
    // for them when clients are verified.
    static constexpr unsigned char kSessionContext[] = "navette";
    SSL_CTX_set_session_id_context(context.get(), kSessionContext, sizeof kSessionContext - 1);
    if (!allowed->empty()) {
      SSL_CTX_set_ex_data(context.get(), AllowListIndex(), new PeerAllowList(std::move(*allowed)));
    }
  }
  return context;
}

absl::StatusOr<SslCtxPtr> MakeClientContext(const config::Tls& settings, std::string_view prefix) {
  SslCtxPtr context(SSL_CTX_new(TLS_client_method()));
  if (context == nullptr) return absl::InternalError("cannot create an OpenSSL context");
  if (auto set = SetVersionAndCiphers(context.get(), "", "", "", prefix); !set.ok()) return set;
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  if (settings.ca_file().empty()) {
    SSL_CTX_set_default_verify_paths(context.get());
  } else if (auto trusted =
                 TrustCas(context.get(), settings.ca_file(), fmt::format("{}.ca_file", prefix));
             !trusted.ok()) {
    return trusted;
  }
  if (settings.cert_file().empty() != settings.key_file().empty()) {
    return SettingRefused(
        fmt::format("{}.{}", prefix, settings.cert_file().empty() ? "cert_file" : "key_file"),
        "a client certificate needs both cert_file and key_file");
  }
  if (!settings.cert_file().empty()) {
    if (auto used =
            UseCertificate(context.get(), settings.cert_file(), settings.key_file(), prefix);
        !used.ok()) {
      return used;
    }
  }
  return context;
}

absl::Status ExpectServer(SSL* ssl, const std::string& host) {
  unsigned char address[16];
  const bool is_address = inet_pton(AF_INET, host.c_str(), address) == 1 ||
                          inet_pton(AF_INET6, host.c_str(), address) == 1;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  const bool set = is_address ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1
                              : (SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 &&
                                 SSL_set1_host(ssl, host.c_str()) == 1);
  if (!set) {
    ERR_clear_error();
    return absl::InvalidArgumentError(fmt::format("cannot verify a TLS server named '{}'", host));
  }
  return absl::OkStatus();
}

std::string HandshakeRefusal(SSL* ssl, std::string_view library_reason) {
  if (const auto* refusal = static_cast<const std::string*>(SSL_get_ex_data(ssl, RefusalIndex()))) {
    return *refusal;
  }
  const long verified = SSL_get_verify_result(ssl);
  if (verified != X509_V_OK) {
    return fmt::format("peer's certificate refused: {}", X509_verify_cert_error_string(verified));
  }
  const std::string reason(library_reason);
  for (std::string_view plain : {"wrong version number", "http request", "unknown protocol",
                                 "packet length too long", "record layer failure"}) {
    if (reason.find(plain) != std::string::npos) {
      return reason + " (the peer does not speak TLS: configured for plain TCP?)";
    }
  }
  return reason;
}

std::string SessionSummary(SSL* ssl) {
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer == nullptr) return SSL_get_version(ssl);
  return fmt::format("{}, certificate {}", SSL_get_version(ssl), SubjectText(peer));
}

}  // namespace navette::adapters::tls
