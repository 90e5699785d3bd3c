#include "adapters/http/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "kinds/registry.h"

namespace navette::adapters::http {
namespace {

struct FreeBio {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct FreeX509 {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct FreeKey {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Bio = std::unique_ptr<BIO, FreeBio>;
using Certificate = std::unique_ptr<X509, FreeX509>;
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;

// Never asks for a passphrase on the terminal (OpenSSL's default does): an
// encrypted key is refused instead, since the engine could not unlock it.
int NoPassphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return -1; }

struct CloseFile {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// The file's bytes, or the reason it cannot be read.
absl::Status ReadWhole(std::string_view field, const std::string& path, std::string& text) {
  auto refused = [&](int error) {
    return kinds::SettingError(field,
                               fmt::format("cannot read {}: {}", path, std::strerror(error)));
  };
  std::unique_ptr<std::FILE, CloseFile> file(std::fopen(path.c_str(), "rb"));
  if (!file) return refused(errno);
  char buffer[16 * 1024];
  size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) text.append(buffer, read);
  // A directory opens on Linux and fails on the first read, with EISDIR.
  if (std::ferror(file.get())) return refused(errno);
  return absl::OkStatus();
}

Bio MemoryBio(const std::string& text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// The first PEM certificate in the file.
absl::Status ReadCertificate(std::string_view field, const std::string& path,
                             Certificate& certificate) {
  std::string text;
  if (absl::Status read = ReadWhole(field, path, text); !read.ok()) return read;
  Bio bio = MemoryBio(text);
  certificate.reset(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();  // what OpenSSL left on this thread's queue is ours to drop
  if (certificate == nullptr) {
    return kinds::SettingError(field, fmt::format("{} holds no PEM certificate", path));
  }
  return absl::OkStatus();
}

absl::Status ReadKey(std::string_view field, const std::string& path, Key& key) {
  std::string text;
  if (absl::Status read = ReadWhole(field, path, text); !read.ok()) return read;
  Bio bio = MemoryBio(text);
  key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return kinds::SettingError(
        field,
        fmt::format("{} holds no PEM private key (an encrypted key is not supported)", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTlsFiles(const navette::config::Tls& tls) {
  if (!tls.ca_file().empty()) {
    Certificate ca;
    if (absl::Status read = ReadCertificate("tls.ca_file", tls.ca_file(), ca); !read.ok()) {
      return read;
    }
  }
  if (tls.cert_file().empty() != tls.key_file().empty()) {
    return tls.key_file().empty()
               ? kinds::SettingError("tls.cert_file",
                                     "a client certificate needs its key (tls.key_file)")
               : kinds::SettingError("tls.key_file",
                                     "a client key needs its certificate (tls.cert_file)");
  }
  if (tls.cert_file().empty()) return absl::OkStatus();
  Certificate certificate;
  if (absl::Status read = ReadCertificate("tls.cert_file", tls.cert_file(), certificate);
      !read.ok()) {
    return read;
  }
  Key key;
  if (absl::Status read = ReadKey("tls.key_file", tls.key_file(), key); !read.ok()) return read;
  const bool matches = X509_check_private_key(certificate.get(), key.get()) == 1;
  ERR_clear_error();
  if (!matches) {
    return kinds::SettingError(
        "tls.key_file",
        fmt::format("{} is not the key of the certificate in {}", tls.key_file(), tls.cert_file()));
  }
  return absl::OkStatus();
}

}  // namespace navette::adapters::http
