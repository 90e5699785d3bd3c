// A man in the middle between navette and the DMP simulator, for the
// end-to-end rejection tests: it terminates navette's mutual TLS as the DMP
// would (the test CA's server pair, navette's client certificate
// required), applies the test's change to the request body, and forwards
// it to the simulator over its own mutual TLS (the establishment's TLS
// pair, which the test owns), answering with what the simulator answered.
// It lets a test make navette's correct request into the one the DMP must
// refuse (an altered signature, a wrong INS key, a code outside its value
// set, a VIHF re-signed with the TLS key) and see how navette takes the
// DMP's real refusal. Test-only: nothing of it is in the engine.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "adapters/dmp/transport/dmp_tls.h"
#include "tests/dmp-sim/serving_thread.h"

namespace httplib {
class SSLServer;
}  // namespace httplib

namespace navette::testing {

struct DmpProxyOptions {
  std::string certificate_path;  // the proxy's server pair (for 127.0.0.1)
  std::string key_path;
  std::string client_ca_path;  // navette's client certificate must chain to it
  std::string upstream;        // the simulator's base URL, https://127.0.0.1:<port>
  adapters::dmp::transport::DmpTls upstream_tls;
};

class DmpTamperingProxy {
 public:
  // The request body (as sent: MTOM or SOAP) in, the body to forward out.
  using Tamper = std::function<std::string(std::string body)>;

  explicit DmpTamperingProxy(DmpProxyOptions options);
  ~DmpTamperingProxy();
  DmpTamperingProxy(const DmpTamperingProxy&) = delete;
  DmpTamperingProxy& operator=(const DmpTamperingProxy&) = delete;

  absl::Status Start();
  void Stop();
  int port() const { return port_; }
  // Applied to every request from now on; none: forwarded unchanged.
  void set_tamper(Tamper tamper);

 private:
  DmpProxyOptions options_;
  std::mutex mutex_;
  Tamper tamper_;  // guarded by mutex_
  std::unique_ptr<httplib::SSLServer> server_;
  dmp_sim::ServingThread serving_;
  int port_ = -1;
};

// Tampers that make a request the DMP must refuse.
namespace tamper {
// Flips one character of the VIHF's ds:SignatureValue.
std::string AlterSignature(std::string body);
// Changes the INS key (last two digits) of the submission's patientId and
// of the VIHF's resource-id alike (the VIHF then needs signing again).
std::string WrongInsKey(std::string body);
// Makes the DocumentEntry's classCode a code outside JDV_J06.
std::string ClassCodeOutsideValueSet(std::string body);
// Replaces the VIHF's signature with one by `key_path`/`certificate_path`
// (the TLS pair); the body unchanged when re-signing fails.
DmpTamperingProxy::Tamper ResignVihfWith(std::string key_path, std::string certificate_path);
}  // namespace tamper

}  // namespace navette::testing
