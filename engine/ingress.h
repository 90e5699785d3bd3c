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
//
// Every request is answered at once, never left to the adapter's timeout
// (bus_request_reader.h): a publish ingress cannot read (an envelope that is
// not valid) gets an error Confirm marked permanent as soon as it is read (the
// adapter refuses the message, AR); a batch whose commit fails gets an error
// Confirm, not permanent, for each of its publishes (the sender is told to
// send again, AE). Only a request with no readable correlation cannot be
// answered: it is logged and counted (IngressStats::unreadable).
//
// Disk watermark (disk_watch.h): while the data volume is low on space, a
// batch is not committed; its new messages get an error Confirm marked
// intake_paused (AE), counted, and logged once by the watch, not per message.
//
// Endpoints: the in-process one (kIngressInprocEndpoint, the engine's own
// sources), the plain extra ones, then the CURVE ones. libzmq takes a
// socket's options when an endpoint is bound, so the CURVE server options
// are set after the plain endpoints are bound and before the CURVE ones:
// the plain ones (and inproc, which has no handshake at all) stay plain.
// The bus guard (bus_guard.h) answers ZAP for the CURVE endpoints and tells
// of every refused handshake; it runs only when there are some.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "absl/status/status.h"
#include "common/clock.h"
#include "engine/bus_guard.h"
#include "store/message_id.h"
#include "store/store.h"

namespace navette::engine {

inline constexpr char kIngressInprocEndpoint[] = "inproc://navette-ingress";

class DiskWatch;
class IntakeGate;
class Metrics;
class RecentMessages;

struct IngressOptions {
  size_t max_batch = 512;
  std::chrono::microseconds retransmission_window = std::chrono::hours(24);
  // Plain endpoints: ipc://, and loopback tcp:// when the configuration
  // allows it (engine/config/ingress_security.h).
  std::vector<std::string> extra_binds;  // e.g. tcp://127.0.0.1:5571
  // The CURVE endpoints and what they need; no binds: no CURVE endpoint,
  // and no bus guard. (Not an std::optional: GCC 12 warns falsely that a
  // copied one may be uninitialized.)
  struct Curve {
    std::vector<std::string> binds = {};  // e.g. tcp://0.0.0.0:5571
    std::string secret_key = {};          // the engine's, Z85
    std::vector<std::string> authorized_keys = {};
  };
  Curve curve;
  Metrics* metrics = nullptr;  // optional; must outlive the ingress
  // The disk watermark (disk_watch.h); optional, must outlive the ingress.
  // While it says intake is paused, each new message is answered with an
  // error Confirm marked intake_paused (AE) and counted as rejected
  // "disk_low", without a log line of its own; a retransmission of a
  // message already stored is still confirmed, as it costs no write.
  DiskWatch* disk_watch = nullptr;
  // Where each new message committed goes for the router, in memory
  // (recent_messages.h); optional, must outlive the ingress.
  RecentMessages* recent = nullptr;
  // Backpressure (intake_gate.h); optional, must outlive the ingress. While
  // a destination is past its backlog, each batch with new messages waits
  // for it, up to `longest_hold`, before it is committed.
  IntakeGate* intake_gate = nullptr;
  std::chrono::milliseconds longest_hold = std::chrono::seconds(1);
  // The time the retransmission window is measured against (from the
  // original's receipt); must outlive the ingress.
  const Clock* clock = &Clock::System();
};

struct IngressStats {
  std::atomic<uint64_t> committed{0};
  std::atomic<uint64_t> retransmissions{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> refused{0};     // publishes answered with a permanent error
  std::atomic<uint64_t> unreadable{0};  // requests that could not be answered at all
  std::atomic<uint64_t> paused{0};      // publishes refused while intake was paused
  std::atomic<uint64_t> held{0};        // batches held back for a destination's backlog
};

// What ingress needs of the store: the control-id lookup and the synced
// batch write. store::Store is the one in production; a test puts a wrapper
// between them to hold or fail the commit.
class IngressCommitter {
 public:
  virtual ~IngressCommitter() = default;
  virtual absl::StatusOr<std::optional<store::ControlIdEntry>> LookupControlId(
      std::string_view source, std::string_view control_id) const = 0;
  // Returns once the batch is durably written (store::Store::CommitIngress).
  virtual absl::Status CommitIngress(std::span<const store::IngressRecord> records) = 0;
};

class Ingress {
 public:
  Ingress(zmq::context_t& context, store::Store& store, store::MessageIdGenerator& ids,
          IngressOptions options, std::function<void()> on_commit);
  Ingress(zmq::context_t& context, IngressCommitter& committer, store::MessageIdGenerator& ids,
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
  // Takes one request off the socket into `batch`, or answers it at once
  // when it cannot be committed; false when none was waiting.
  bool ReceiveOne(std::vector<Received>& batch);
  void CommitBatch(std::vector<Received>& batch);
  // Answers a batch while intake is paused: the messages `stored` already
  // (retransmissions found in the store) with their id, the others refused.
  void RefuseBatch(const std::vector<Received>& batch,
                   const std::vector<store::IngressRecord>& records,
                   const std::vector<bool>& stored);
  void Reply(const std::string& identity, const std::string& payload);

  zmq::context_t& context_;
  std::unique_ptr<IngressCommitter> own_committer_;  // set when built on a store::Store
  IngressCommitter& store_;
  store::MessageIdGenerator& ids_;
  const IngressOptions options_;
  std::function<void()> on_commit_;
  std::unique_ptr<BusGuard> guard_;  // with CURVE endpoints only
  zmq::socket_t socket_;             // used by the ingress thread only once started
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  IngressStats stats_;
};

}  // namespace navette::engine
