// Ingress: the engine end of the bus. Receives Publish frames on a ROUTER
// socket, commits every publish waiting on the socket in one synced batch
// (group commit: while one batch is being fsynced, the next one gathers), and
// only then answers each with a Confirm. A publish that could not be committed
// is answered with an error, never with an id.
//
// Retransmissions: a message from the same source with the same MSH-10 and
// the same bytes (SHA-256) as one committed within the retransmission window
// is confirmed with the original's id and not routed again. The same MSH-10
// with different bytes is a new message (producers do reuse control ids).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "absl/status/status.h"
#include "store/message_id.h"
#include "store/store.h"

namespace navette::engine {

inline constexpr char kIngressInprocEndpoint[] = "inproc://navette-ingress";

class Metrics;

struct IngressOptions {
  size_t max_batch = 512;
  std::chrono::microseconds retransmission_window = std::chrono::hours(24);
  std::vector<std::string> extra_binds;  // e.g. tcp://127.0.0.1:5571
  Metrics* metrics = nullptr;            // optional; must outlive the ingress
};

struct IngressStats {
  std::atomic<uint64_t> committed{0};
  std::atomic<uint64_t> retransmissions{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> failures{0};
};

class Ingress {
 public:
  Ingress(zmq::context_t& context, store::Store& store, store::MessageIdGenerator& ids,
          IngressOptions options, std::function<void()> on_commit);
  ~Ingress();

  absl::Status Start();
  void Stop();
  const IngressStats& stats() const { return stats_; }

 private:
  struct Received {
    std::string identity;  // ROUTER identity frame of the sending DEALER
    uint64_t correlation = 0;
    navette::Envelope envelope;
  };
  void Run();
  void CommitBatch(std::vector<Received>& batch);
  void Reply(const std::string& identity, const std::string& payload);

  zmq::context_t& context_;
  store::Store& store_;
  store::MessageIdGenerator& ids_;
  const IngressOptions options_;
  std::function<void()> on_commit_;
  zmq::socket_t socket_;  // used by the ingress thread only once started
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  IngressStats stats_;
};

}  // namespace navette::engine
