#include "tests/dmp-sim/sim_pki.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"

namespace navette::testing::dmp_sim {
namespace {

namespace fs = std::filesystem;

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

constexpr int kKeyBits = 2048;
constexpr long kValiditySeconds = 365L * 24 * 60 * 60;
// notBefore a little in the past: a peer whose clock is behind ours must
// not see a certificate from the future.
constexpr long kBackdateSeconds = 5 * 60;

struct Extension {
  int nid;
  const char* value;
};

// One certificate and its key, as written in the directory.
struct PairSpec {
  const char* cert_file;
  const char* key_file;
  std::vector<std::pair<const char*, const char*>> subject;
  std::vector<Extension> extensions;
};

const PairSpec kCa = {kCaCertFile,
                      kCaKeyFile,
                      {{"C", "FR"}, {"O", "navette dmp-sim"}, {"CN", "navette dmp-sim CA"}},
                      {{NID_basic_constraints, "critical,CA:TRUE"},
                       {NID_key_usage, "critical,keyCertSign,cRLSign"},
                       {NID_subject_key_identifier, "hash"}}};

const PairSpec kLeaves[] = {
    {kServerCertFile,
     kServerKeyFile,
     {{"C", "FR"}, {"O", "navette dmp-sim"}, {"CN", "localhost"}},
     {{NID_basic_constraints, "CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid"}}},
    {kAuthCertFile,
     kAuthKeyFile,
     {{"C", "FR"}, {"O", "CH NAVETTE TEST"}, {"OU", "10B0127189"}, {"CN", "DMP AUTH_CLI navette"}},
     {{NID_basic_constraints, "CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
      {NID_ext_key_usage, "clientAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid"}}},
    {kSignCertFile,
     kSignKeyFile,
     {{"C", "FR"}, {"O", "CH NAVETTE TEST"}, {"OU", "10B0127189"}, {"CN", "DMP SIGN navette"}},
     {{NID_basic_constraints, "CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature,nonRepudiation"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid"}}},
};

absl::Status Failed(const fs::path& file, absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat(file.string(), ": ", what));
}

absl::StatusOr<CertPtr> ReadCertificate(const fs::path& file) {
  BioPtr bio(BIO_new_file(file.c_str(), "r"));
  if (bio == nullptr) return Failed(file, "cannot be read");
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) return Failed(file, "is not a PEM certificate");
  return cert;
}

absl::StatusOr<KeyPtr> ReadKey(const fs::path& file) {
  BioPtr bio(BIO_new_file(file.c_str(), "r"));
  if (bio == nullptr) return Failed(file, "cannot be read");
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) return Failed(file, "is not an unencrypted PEM private key");
  return key;
}

// Through `<file>.tmp` and a rename, so that `file` is either absent or
// whole; created with `mode` whatever the umask adds.
absl::Status WriteFile(const fs::path& file, std::string_view bytes, mode_t mode) {
  const fs::path temporary = fs::path(file).concat(".tmp");
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Failed(temporary, std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0;
  for (size_t written = 0; ok && written < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ::fsync(fd) == 0 && ok;
  const int saved_errno = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(temporary.c_str(), file.c_str()) != 0) {
    const std::string reason = std::strerror(ok ? errno : saved_errno);
    ::unlink(temporary.c_str());
    return Failed(file, absl::StrCat("cannot be written: ", reason));
  }
  return absl::OkStatus();
}

std::string PemOf(const std::function<int(BIO*)>& write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || write(bio.get()) != 1) return "";
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size > 0 ? static_cast<size_t>(size) : 0);
}

absl::StatusOr<KeyPtr> NewRsaKey() {
  KeyPtr key(EVP_RSA_gen(kKeyBits));
  if (key == nullptr) return absl::InternalError("RSA key generation failed");
  return key;
}

// A random positive 128-bit serial: a pair made again after a partial
// deletion must not repeat a serial the CA already used.
bool SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return false;
  bytes[0] &= 0x7F;
  std::unique_ptr<BIGNUM, decltype(&BN_free)> number(BN_bin2bn(bytes, sizeof(bytes), nullptr),
                                                     BN_free);
  return number != nullptr && BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert));
}

// `issuer` / `issuer_key` null: self-signed.
absl::StatusOr<CertPtr> NewCertificate(const PairSpec& spec, EVP_PKEY* key, X509* issuer,
                                       EVP_PKEY* issuer_key) {
  CertPtr cert(X509_new());
  bool ok = cert != nullptr && X509_set_version(cert.get(), 2) && SetRandomSerial(cert.get()) &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds) &&
            X509_set_pubkey(cert.get(), key);
  X509_NAME* name = ok ? X509_get_subject_name(cert.get()) : nullptr;
  for (const auto& [field, value] : spec.subject) {
    ok = ok && X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(value), -1, -1, 0);
  }
  X509* signer = issuer != nullptr ? issuer : cert.get();
  ok = ok && X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  X509V3_CTX context;
  X509V3_set_ctx(&context, signer, cert.get(), nullptr, nullptr, 0);
  for (const Extension& wanted : spec.extensions) {
    X509_EXTENSION* extension =
        ok ? X509V3_EXT_conf_nid(nullptr, &context, wanted.nid, wanted.value) : nullptr;
    ok = extension != nullptr && X509_add_ext(cert.get(), extension, -1);
    X509_EXTENSION_free(extension);
  }
  ok = ok && X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0;
  if (!ok) return absl::InternalError(absl::StrCat("cannot make ", spec.cert_file));
  return cert;
}

struct Pair {
  CertPtr cert;
  KeyPtr key;
};

// The pair of `spec` in `dir`, reused or made (key file first, certificate
// last). `issuer` null: the CA itself.
absl::StatusOr<Pair> EnsurePair(const fs::path& dir, const PairSpec& spec, const Pair* issuer,
                                std::vector<std::string>* created) {
  const fs::path cert_file = dir / spec.cert_file;
  const fs::path key_file = dir / spec.key_file;
  Pair pair;
  if (fs::exists(cert_file)) {
    absl::StatusOr<CertPtr> cert = ReadCertificate(cert_file);
    if (!cert.ok()) return cert.status();
    if (!fs::exists(key_file)) return Failed(key_file, "is missing (its certificate exists)");
    absl::StatusOr<KeyPtr> key = ReadKey(key_file);
    if (!key.ok()) return key.status();
    if (X509_check_private_key(cert->get(), key->get()) != 1) {
      return Failed(key_file, absl::StrCat("is not the key of ", spec.cert_file));
    }
    if (issuer != nullptr && X509_verify(cert->get(), issuer->key.get()) != 1) {
      return Failed(cert_file, absl::StrCat("was not issued by ", kCaCertFile,
                                            "; remove the directory's files to make a new PKI"));
    }
    pair.cert = *std::move(cert);
    pair.key = *std::move(key);
    return pair;
  }
  absl::StatusOr<KeyPtr> key = NewRsaKey();
  if (!key.ok()) return key.status();
  absl::StatusOr<CertPtr> cert =
      NewCertificate(spec, key->get(), issuer != nullptr ? issuer->cert.get() : nullptr,
                     issuer != nullptr ? issuer->key.get() : nullptr);
  if (!cert.ok()) return cert.status();
  EVP_PKEY* raw_key = key->get();
  X509* raw_cert = cert->get();
  const std::string key_pem = PemOf([raw_key](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, raw_key, nullptr, nullptr, 0, nullptr, nullptr);
  });
  const std::string cert_pem =
      PemOf([raw_cert](BIO* bio) { return PEM_write_bio_X509(bio, raw_cert); });
  if (key_pem.empty() || cert_pem.empty()) {
    return absl::InternalError(absl::StrCat("cannot encode ", spec.cert_file));
  }
  if (absl::Status written = WriteFile(key_file, key_pem, 0600); !written.ok()) return written;
  if (absl::Status written = WriteFile(cert_file, cert_pem, 0644); !written.ok()) return written;
  created->push_back(spec.key_file);
  created->push_back(spec.cert_file);
  pair.cert = *std::move(cert);
  pair.key = *std::move(key);
  return pair;
}

}  // namespace

absl::StatusOr<SimulatorPki> EnsureSimulatorPki(const fs::path& dir_argument) {
  std::error_code error;
  SimulatorPki pki;
  pki.dir = fs::absolute(dir_argument, error).lexically_normal();
  if (error) return Failed(dir_argument, error.message());
  if (!fs::exists(pki.dir)) {
    fs::create_directories(pki.dir, error);
    // The directory holds private keys: only its owner may look inside.
    if (!error) fs::permissions(pki.dir, fs::perms::owner_all, error);
    if (error) return Failed(pki.dir, absl::StrCat("cannot be created: ", error.message()));
  } else if (!fs::is_directory(pki.dir)) {
    return Failed(pki.dir, "is not a directory");
  }
  absl::StatusOr<Pair> ca = EnsurePair(pki.dir, kCa, nullptr, &pki.created);
  if (!ca.ok()) return ca.status();
  for (const PairSpec& leaf : kLeaves) {
    absl::StatusOr<Pair> pair = EnsurePair(pki.dir, leaf, &*ca, &pki.created);
    if (!pair.ok()) return pair.status();
  }
  return pki;
}

}  // namespace navette::testing::dmp_sim
