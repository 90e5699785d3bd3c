// xmlsec1 (with its OpenSSL backend) and libxml2 set up once per process.
//
// xmlSecInit/xmlSecCryptoInit touch process-wide tables, so they run under
// std::call_once the first time any VIHF signer or verifier needs them and
// are never shut down (the process may sign until exit). After that, each
// signature or verification uses its own xmlSecDSigCtx and key copy, which
// is what xmlsec supports concurrently.
//
// xmlsec reports failures through one global callback; navette's keeps them
// in a per-thread buffer so a status can say what xmlsec said for this call.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace navette::adapters::dmp::vihf {

// OK once xmlsec is ready; the same error on every call if it cannot be.
absl::Status EnsureXmlSecReady();

// xmlsec's messages on this thread since the last call, joined by "; ", and
// cleared.
std::string TakeXmlSecErrors();

}  // namespace navette::adapters::dmp::vihf
