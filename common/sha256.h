// SHA-256 of a byte string (OpenSSL), as raw 32 bytes: retransmission
// detection compares message contents by it, and the configuration version
// is named after it.
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace navette {

// Empty only if OpenSSL itself fails.
inline std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace navette
