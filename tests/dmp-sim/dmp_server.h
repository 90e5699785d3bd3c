// The simulated DMP on a real HTTPS port (cpp-httplib over OpenSSL), for
// tests: the national service exists only nationally.
//
//   POST /DocumentRepository_Service   ITI-41 Provide and Register (MTOM)
//   POST /DocumentRegistry_Service     ITI-57 Update Document Set
//
// TLS as the DMP has it (fr-specs §3.2): 1.2 at least, and mutual — a
// client without a certificate chaining to `client_ca_path` is refused
// during the handshake (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT),
// before any HTTP. Only 127.0.0.1 by default.
//
// Each request: a canned answer if one is queued (dmp_fault_injection.h),
// else CheckRequest (dmp_request_checks.h) then the registry update
// (dmp_transactions.h). HTTP status: 200 with a RegistryResponse (Success or
// Failure), 400 with a Sender fault, 500 with a Receiver fault (SOAP 1.2
// HTTP binding).
//
// Threading: httplib's pool serves requests concurrently; the registry and
// the fault queue lock for themselves; the policy is read-only after
// construction.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "tests/dmp-sim/dmp_fault_injection.h"
#include "tests/dmp-sim/dmp_registry.h"
#include "tests/dmp-sim/dmp_request_checks.h"
#include "tests/dmp-sim/serving_thread.h"

namespace httplib {
class SSLServer;
struct Request;
struct Response;
}  // namespace httplib

namespace navette::testing::dmp_sim {

inline constexpr char kRepositoryPath[] = "/DocumentRepository_Service";
inline constexpr char kRegistryPath[] = "/DocumentRegistry_Service";

struct DmpServerOptions {
  std::string certificate_path;  // the server's PEM certificate (chain)
  std::string key_path;          // its PEM key
  std::string client_ca_path;    // PEM CA(s) a client certificate must chain to
  SimulatorPolicy policy;
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port, see port()
  // Told one line per request that reached the checks (the transaction and
  // its answer, each lenient-mode warning on a line of its own), from a
  // serving thread; may be called concurrently. Unset: nothing is said.
  std::function<void(const std::string&)> on_answer;
};

class DmpServer {
 public:
  explicit DmpServer(DmpServerOptions options);
  ~DmpServer();
  DmpServer(const DmpServer&) = delete;
  DmpServer& operator=(const DmpServer&) = delete;

  // Loads the TLS material and binds; on return the port accepts
  // connections (they wait in the listen backlog until the serving thread
  // takes them). FailedPrecondition names the file or the bind that failed.
  absl::Status Start();
  // Idempotent; also run by the destructor.
  void Stop();

  int port() const { return port_; }
  DmpRegistry& registry() { return registry_; }
  FaultQueue& faults() { return faults_; }
  // Requests that reached a handler (a refused handshake never does).
  int requests() const { return requests_.load(); }

 private:
  void Handle(Transaction transaction, const httplib::Request& request,
              httplib::Response& response);

  DmpServerOptions options_;
  DmpRegistry registry_;
  FaultQueue faults_;
  std::atomic<int> requests_{0};
  std::unique_ptr<httplib::SSLServer> server_;
  ServingThread serving_;
  int port_ = -1;
};

}  // namespace navette::testing::dmp_sim
