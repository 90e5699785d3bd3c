// The simulator program's admin endpoint: plain HTTP on the DMP endpoint's
// host (loopback by default), for an operator or a test to see what the
// simulated DMP holds and to make it misbehave. No authentication: it is a
// test tool, and it never shows document bytes.
//
//   GET    /health                200 "ok"
//   GET    /documents[?patient=]  JSON array of the registered entries (no
//                                 bytes); `patient` an INS CX, matched on
//                                 matricule and OID so that a CX with or
//                                 without the CX.7 date finds the same entries
//   POST   /faults                body: one canned answer a line
//                                 (dmp_fault_injection.h spellings); all
//                                 queued, or none and 400 naming the line
//   GET    /faults                {"queued": n}
//   DELETE /faults                {"cleared": n}
//
// Threading: httplib's pool; the registry and the fault queue lock for
// themselves, and outlive the server (the caller owns them).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/dmp-sim/dmp_fault_injection.h"
#include "tests/dmp-sim/dmp_registry.h"
#include "tests/dmp-sim/serving_thread.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace navette::testing::dmp_sim {

// The canned answers of a POST /faults body, blank lines skipped;
// InvalidArgument naming the first bad line (1-based) and its spelling.
absl::StatusOr<std::vector<CannedAnswer>> ParseFaultLines(std::string_view body);

// The JSON of GET /documents.
std::string DocumentsJson(const std::vector<StoredEntry>& entries);

class SimAdminServer {
 public:
  SimAdminServer(DmpRegistry& registry, FaultQueue& faults, std::string host, int port);
  ~SimAdminServer();
  SimAdminServer(const SimAdminServer&) = delete;
  SimAdminServer& operator=(const SimAdminServer&) = delete;

  // Binds (port 0: any free port); FailedPrecondition naming host:port.
  absl::Status Start();
  // Idempotent; also run by the destructor.
  void Stop();
  int port() const { return port_; }

 private:
  DmpRegistry& registry_;
  FaultQueue& faults_;
  std::string host_;
  int requested_port_;
  int port_ = -1;
  std::unique_ptr<httplib::Server> server_;
  ServingThread serving_;
};

}  // namespace navette::testing::dmp_sim
