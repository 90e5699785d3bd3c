#include "engine/ingress.h"

#include <algorithm>
#include <map>
#include <variant>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/fmt_absl.h"
#include "common/printable.h"
#include "common/sha256.h"
#include "common/thread_name.h"
#include "engine/bus_request_reader.h"
#include "engine/disk_watch.h"
#include "engine/intake_gate.h"
#include "engine/metrics.h"
#include "engine/patient_ids.h"
#include "engine/recent_messages.h"
#include "proto/bus.pb.h"

namespace navette::engine {
namespace {

// The production committer: the store itself, unchanged.
class StoreCommitter : public IngressCommitter {
 public:
  explicit StoreCommitter(store::Store& store) : store_(store) {}
  absl::StatusOr<std::optional<store::ControlIdEntry>> LookupControlId(
      std::string_view source, std::string_view control_id) const override {
    return store_.LookupControlId(source, control_id);
  }
  absl::Status CommitIngress(std::span<const store::IngressRecord> records) override {
    return store_.CommitIngress(records);
  }

 private:
  store::Store& store_;
};

}  // namespace

Ingress::Ingress(zmq::context_t& context, store::Store& store, store::MessageIdGenerator& ids,
                 IngressOptions options, std::function<void()> on_commit)
    : context_(context),
      own_committer_(std::make_unique<StoreCommitter>(store)),
      store_(*own_committer_),
      ids_(ids),
      options_(std::move(options)),
      on_commit_(std::move(on_commit)) {}

Ingress::Ingress(zmq::context_t& context, IngressCommitter& committer,
                 store::MessageIdGenerator& ids, IngressOptions options,
                 std::function<void()> on_commit)
    : context_(context),
      store_(committer),
      ids_(ids),
      options_(std::move(options)),
      on_commit_(std::move(on_commit)) {}

Ingress::~Ingress() { Stop(); }

absl::Status Ingress::Start() {
  std::string endpoint = kIngressInprocEndpoint;  // the one being bound, for the error
  try {
    socket_ = zmq::socket_t(context_, zmq::socket_type::router);
    socket_.set(zmq::sockopt::sndhwm, 0);
    socket_.set(zmq::sockopt::rcvhwm, 0);
    socket_.set(zmq::sockopt::linger, 0);
    // Fail loudly rather than drop a confirm for a peer that disappeared.
    socket_.set(zmq::sockopt::router_mandatory, 1);
    const bool curve = !options_.curve.binds.empty();
    if (curve) {
      // Before any bind: the monitor must see every connection, and ZAP
      // must answer the first CURVE handshake.
      guard_ = std::make_unique<BusGuard>(
          context_, BusGuardOptions{.authorized_keys = options_.curve.authorized_keys,
                                    .metrics = options_.metrics});
      if (absl::Status started = guard_->Start(socket_); !started.ok()) return started;
    }
    socket_.bind(kIngressInprocEndpoint);
    for (const std::string& plain : options_.extra_binds) {
      endpoint = plain;
      socket_.bind(plain);
    }
    if (curve) {
      socket_.set(zmq::sockopt::curve_server, 1);
      socket_.set(zmq::sockopt::curve_secretkey, options_.curve.secret_key);
      // A ZAP domain makes libzmq ask the guard about every CURVE client.
      socket_.set(zmq::sockopt::zap_domain, std::string(kIngressZapDomain));
      // ZMQ_ZAP_ENFORCE_DOMAIN (a draft option in libzmq 4.3's header, known
      // to the library): a handshake with no ZAP handler to ask is refused
      // instead of let through. The guard is bound before and outlives the
      // socket, so this only guards against a mistake here.
      constexpr int kZapEnforceDomain = 93;
      const int enforce = 1;
      if (zmq_setsockopt(socket_.handle(), kZapEnforceDomain, &enforce, sizeof(enforce)) != 0) {
        spdlog::debug("ingress: libzmq has no ZMQ_ZAP_ENFORCE_DOMAIN");
      }
      for (const std::string& curve_endpoint : options_.curve.binds) {
        endpoint = curve_endpoint;
        socket_.bind(curve_endpoint);
      }
    }
  } catch (const zmq::error_t& error) {
    return absl::UnavailableError(
        fmt::format("ingress: cannot bind {}: {}", endpoint, error.what()));
  }
  thread_ = std::thread([this] {
    SetThreadName("ingress");
    Run();
  });
  return absl::OkStatus();
}

void Ingress::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (socket_.handle() != nullptr) socket_.close();
  // After the socket: no handshake is left to answer.
  if (guard_) guard_->Stop();
}

void Ingress::Run() {
  std::vector<Received> batch;
  batch.reserve(options_.max_batch);
  while (!stopping_) {
    zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
    try {
      // The timeout only bounds how long Stop() waits.
      zmq::poll(items, 1, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& error) {
      if (error.num() == ETERM) return;
      spdlog::error("ingress: poll failed: {}", error.what());
      continue;
    }
    if (!(items[0].revents & ZMQ_POLLIN)) continue;

    // Gather everything already waiting: that is the group in group commit.
    batch.clear();
    while (batch.size() < options_.max_batch && ReceiveOne(batch)) {
    }
    if (!batch.empty()) CommitBatch(batch);
  }
}

bool Ingress::ReceiveOne(std::vector<Received>& batch) {
  zmq::message_t identity, payload;
  if (!socket_.recv(identity, zmq::recv_flags::dontwait)) return false;
  if (!identity.more() || !socket_.recv(payload, zmq::recv_flags::none)) return true;
  while (payload.more()) {  // a well-behaved DEALER sends one frame; drop extras
    zmq::message_t extra;
    if (!socket_.recv(extra, zmq::recv_flags::none)) break;
  }
  BusRequestRead read = ReadBusRequest(payload.to_string_view());
  if (auto* publish = std::get_if<PublishRequest>(&read)) {
    Received& received = batch.emplace_back();
    received.identity = identity.to_string();
    received.correlation = publish->correlation;
    received.envelope = std::move(publish->envelope);
  } else if (auto* refused = std::get_if<RefusedRequest>(&read)) {
    // Nothing to commit: answered now, ahead of the batch, so that the
    // sender hears at once (AR) instead of after the adapter's timeout.
    ++stats_.refused;
    spdlog::warn("ingress: publish {} refused: {}", refused->correlation, refused->reason);
    bus::BusReply reply;
    bus::Confirm* confirm = reply.mutable_confirm();
    confirm->set_correlation(refused->correlation);
    confirm->set_error(refused->reason);
    confirm->set_permanent(true);
    Reply(identity.to_string(), reply.SerializeAsString());
  } else {
    // Without a correlation no Confirm can name this request: its adapter,
    // if any waits, fails it after its confirm timeout (AE). Counted so that
    // it is not silent.
    ++stats_.unreadable;
    spdlog::error("ingress: unreadable bus request, cannot be answered: {}",
                  std::get<UnreadableRequest>(read).reason);
  }
  return true;
}

void Ingress::CommitBatch(std::vector<Received>& batch) {
  const int64_t now = options_.clock->NowMicros();
  std::vector<store::IngressRecord> records(batch.size());
  std::vector<bool> duplicate(batch.size(), false);
  // Duplicates of a message in the store, not of one earlier in this batch.
  std::vector<bool> stored(batch.size(), false);
  // Retransmissions inside this batch: (source, control id) → record index.
  std::map<std::pair<std::string_view, std::string_view>, size_t> in_batch;

  for (size_t i = 0; i < batch.size(); ++i) {
    const navette::Envelope& envelope = batch[i].envelope;
    store::IngressRecord& record = records[i];
    record.content_hash = Sha256(envelope.raw());
    const std::string& control_id = envelope.hl7().control_id();
    if (!control_id.empty() && options_.retransmission_window.count() > 0) {
      auto key = std::make_pair(std::string_view(envelope.source()), std::string_view(control_id));
      auto earlier = in_batch.find(key);
      if (earlier != in_batch.end() &&
          records[earlier->second].content_hash == record.content_hash) {
        record.id = records[earlier->second].id;
        duplicate[i] = true;
        continue;
      }
      if (earlier == in_batch.end()) {
        auto entry = store_.LookupControlId(envelope.source(), control_id);
        if (entry.ok() && entry->has_value() && (*entry)->content_hash() == record.content_hash &&
            now - (*entry)->received_at_us() <= options_.retransmission_window.count()) {
          record.id = (*entry)->message_id();
          duplicate[i] = true;
          stored[i] = true;
          continue;
        }
        if (!entry.ok()) spdlog::error("ingress: {}", entry.status().message());
      }
      in_batch[key] = i;
    }
    record.id = ids_.Next();
    record.envelope = &envelope;
    record.patient = PatientIdsOf(envelope.raw());
  }

  // Read once for the whole batch: an atomic, no system call.
  if (options_.disk_watch != nullptr && options_.disk_watch->intake_paused()) {
    RefuseBatch(batch, records, stored);
    return;
  }
  // New messages wait while a destination is past its backlog; the
  // retransmissions of this batch add nothing to any queue, but a batch is
  // committed as one.
  if (options_.intake_gate != nullptr && options_.intake_gate->held() &&
      std::find(duplicate.begin(), duplicate.end(), false) != duplicate.end()) {
    const std::chrono::duration<double> held =
        options_.intake_gate->WaitForRoom(options_.longest_hold);
    if (held.count() > 0) {
      ++stats_.held;
      if (options_.metrics != nullptr) options_.metrics->IntakeHeld(held.count());
    }
  }
  const auto commit_started = std::chrono::steady_clock::now();
  const absl::Status committed = store_.CommitIngress(records);
  const std::chrono::duration<double> commit_time =
      std::chrono::steady_clock::now() - commit_started;
  spdlog::debug("ingress: batch of {} committed in {} us", batch.size(),
                std::chrono::duration_cast<std::chrono::microseconds>(commit_time).count());
  ++stats_.batches;
  bus::BusReply reply;
  bus::Confirm* confirm = reply.mutable_confirm();
  for (size_t i = 0; i < batch.size(); ++i) {
    confirm->Clear();
    confirm->set_correlation(batch[i].correlation);
    if (committed.ok()) {
      confirm->set_message_id(records[i].id);
      confirm->set_duplicate(duplicate[i]);
    } else {
      confirm->set_error("the engine could not store the message");
    }
    Reply(batch[i].identity, reply.SerializeAsString());
  }
  if (!committed.ok()) {
    stats_.failures += batch.size();
    spdlog::error("ingress: batch of {} not committed: {}", batch.size(), committed.message());
    return;
  }
  if (options_.metrics != nullptr) options_.metrics->IngestCommitted(commit_time.count());
  if (options_.disk_watch != nullptr) {
    uint64_t bytes = 0;
    for (const Received& received : batch) bytes += received.envelope.raw().size();
    options_.disk_watch->Committed(bytes);
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (duplicate[i]) {
      ++stats_.retransmissions;
      spdlog::info("ingress: retransmission acknowledged again id={} source={} control_id={}",
                   store::FormatMessageId(records[i].id), batch[i].envelope.source(),
                   Printable(batch[i].envelope.hl7().control_id()));
    } else {
      ++stats_.committed;
      if (options_.metrics != nullptr) options_.metrics->Received(batch[i].envelope.source());
    }
  }
  // Last use of the batch's envelopes: moved, not copied, to the router.
  if (options_.recent != nullptr) {
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!duplicate[i]) options_.recent->Put(records[i].id, std::move(batch[i].envelope));
    }
  }
  on_commit_();
}

void Ingress::RefuseBatch(const std::vector<Received>& batch,
                          const std::vector<store::IngressRecord>& records,
                          const std::vector<bool>& stored) {
  bus::BusReply reply;
  bus::Confirm* confirm = reply.mutable_confirm();
  for (size_t i = 0; i < batch.size(); ++i) {
    confirm->Clear();
    confirm->set_correlation(batch[i].correlation);
    if (stored[i]) {
      confirm->set_message_id(records[i].id);
      confirm->set_duplicate(true);
      ++stats_.retransmissions;
    } else {
      // Written for the sender (the adapter may put it in the ACK); the
      // watch logged the pause once, so no line per message here.
      confirm->set_error(
          "the engine is not taking messages for now: its data volume is low on free space; "
          "send the message again later");
      confirm->set_intake_paused(true);
      ++stats_.paused;
      if (options_.metrics != nullptr) {
        options_.metrics->Rejected(batch[i].envelope.source(), "disk_low");
      }
    }
    Reply(batch[i].identity, reply.SerializeAsString());
  }
}

void Ingress::Reply(const std::string& identity, const std::string& payload) {
  try {
    socket_.send(zmq::buffer(identity), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(payload), zmq::send_flags::none);
  } catch (const zmq::error_t& error) {
    // The adapter went away; it never got the confirm, so its sender got no
    // AA and will send again. The message itself is committed.
    spdlog::warn("ingress: confirm not delivered to its adapter: {}", error.what());
  }
}

}  // namespace navette::engine
