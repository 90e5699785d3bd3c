#include "adapters/dmp/vihf/xmlsec_runtime.h"

#include <mutex>

#include <libxml/parser.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmlsec.h>

#include "absl/strings/str_cat.h"
#include "common/libxml_ready.h"

namespace navette::adapters::dmp::vihf {
namespace {

thread_local std::string xmlsec_errors;

// Keeps the last few messages of the failing call; xmlsec logs one line per
// stack frame, the deepest (most useful) first.
void CollectError(const char* /*file*/, int /*line*/, const char* func, const char* error_object,
                  const char* error_subject, int reason, const char* message) {
  if (xmlsec_errors.size() > 2000) return;
  absl::StrAppend(&xmlsec_errors, xmlsec_errors.empty() ? "" : "; ", func ? func : "?",
                  error_object ? absl::StrCat(" object=", error_object) : "",
                  error_subject ? absl::StrCat(" subject=", error_subject) : "", " reason=", reason,
                  message ? absl::StrCat(" (", message, ")") : "");
}

absl::Status Initialise() {
  EnsureLibXmlReady();
  if (xmlSecInit() < 0) return absl::InternalError("xmlsec: xmlSecInit failed");
  if (xmlSecCheckVersion() != 1) {
    return absl::InternalError("xmlsec: the loaded library does not match its headers");
  }
  if (xmlSecCryptoAppInit(nullptr) < 0) {
    return absl::InternalError("xmlsec: OpenSSL application init failed");
  }
  if (xmlSecCryptoInit() < 0) return absl::InternalError("xmlsec: OpenSSL backend init failed");
  xmlSecErrorsSetCallback(CollectError);
  return absl::OkStatus();
}

}  // namespace

absl::Status EnsureXmlSecReady() {
  static std::once_flag once;
  static absl::Status status;
  std::call_once(once, [] { status = Initialise(); });
  return status;
}

std::string TakeXmlSecErrors() {
  std::string errors;
  errors.swap(xmlsec_errors);
  return errors;
}

}  // namespace navette::adapters::dmp::vihf
