// The interface every outbound adapter implements (file, and later http,
// mllp, dmp, mssante). The engine's delivery workers call Deliver() for each
// queued task and record the outcome; an adapter never touches the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <google/protobuf/any.pb.h>

#include "proto/identity.pb.h"
#include "proto/store.pb.h"

namespace navette::adapters {

struct DeliveryRequest {
  uint64_t message_id = 0;
  std::string route;
  const navette::store::StoredMessage* message = nullptr;
  uint32_t attempt = 0;  // attempts already made before this one
  // The receipts the message's deliveries already returned (other
  // destinations, or this one before a replay), e.g. the DMP's entryUUID a
  // replacement must name. Valid for the call only.
  std::span<const navette::store::DeliveryReceipt> receipts{};
  // The patient's identity as the route's attach_ins step found it in the
  // identity store (status, INS, DMP consent); null when the route has no
  // such step. Valid for the call only.
  const navette::identity::Identity* identity = nullptr;
};

struct DeliveryResult {
  enum class Outcome {
    kDelivered,
    kTransient,  // worth retrying: the peer or a resource is unavailable
    kPermanent,  // retrying cannot help: the peer refused this message
  };
  Outcome outcome = Outcome::kDelivered;
  // The peer's answer in short, kept in the history: never health data.
  std::string detail;
  // For kTransient: the peer asked to wait at least this long before the
  // next attempt (HTTP Retry-After); zero when it did not say.
  std::chrono::milliseconds retry_after{0};
  // For kDelivered: what the peer returned that later steps and destinations
  // of the message need (the kind's own receipt message, packed). The store
  // keeps it as a DeliveryReceipt in the outcome's atomic batch. Identifiers
  // the peer returned only, never health data.
  // For kPermanent: the peer's refusal in the same typed form (a DmpReceipt
  // not accepted), from which a negative business acknowledgement is built
  // (engine/business_acks.h); not kept as a DeliveryReceipt, since nothing
  // was delivered for later destinations to name.
  std::optional<google::protobuf::Any> receipt = std::nullopt;
  // For kDelivered with a receipt about a document: the document's setId.
  // The store also keeps the receipt under it, so that a later message
  // about the same document (a replacement, a deletion) finds what the
  // peer returned for the earlier versions (DocumentHistory::Receipts).
  std::string receipt_document_key = {};
  // What the engine's log may say of a failure when `detail` may quote the
  // peer's text (which can name the patient): the history keeps `detail`,
  // the log this. Empty: `detail` is safe to log.
  std::string log_detail = {};
  // For kTransient and kPermanent: `receipt` records what the attempt did
  // achieve (the recipients an MSSanté submission reached). The store keeps
  // it like a delivered one, so that the next attempt (a retry, a replay)
  // reads it in DeliveryRequest::receipts and does not do it again.
  bool partial_receipt = false;

  static DeliveryResult Delivered(std::string detail,
                                  std::optional<google::protobuf::Any> receipt = std::nullopt,
                                  std::string receipt_document_key = {}) {
    return {Outcome::kDelivered,
            std::move(detail),
            {},
            std::move(receipt),
            std::move(receipt_document_key)};
  }
  static DeliveryResult Transient(std::string detail, std::chrono::milliseconds retry_after = {}) {
    return {Outcome::kTransient, std::move(detail), retry_after};
  }
  static DeliveryResult Permanent(std::string detail,
                                  std::optional<google::protobuf::Any> receipt = std::nullopt) {
    return {Outcome::kPermanent, std::move(detail), {}, std::move(receipt)};
  }
};

class Destination {
 public:
  virtual ~Destination() = default;
  // Called from the destination's attempt threads concurrently, up to the
  // destination's `delivery.max_in_flight` at once: an adapter keeps one
  // connection per concurrent caller and reuses it across calls.
  virtual DeliveryResult Deliver(const DeliveryRequest& request) = 0;

  // Delivers several messages, one result per request in the same order. The
  // default delivers them one by one; an adapter that can share the cost of
  // durability across messages (one flush for many files) overrides it.
  virtual std::vector<DeliveryResult> DeliverBatch(std::span<const DeliveryRequest> requests) {
    std::vector<DeliveryResult> results;
    results.reserve(requests.size());
    for (const DeliveryRequest& request : requests) results.push_back(Deliver(request));
    return results;
  }
};

}  // namespace navette::adapters
