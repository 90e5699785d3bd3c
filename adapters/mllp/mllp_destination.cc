#include "adapters/mllp/mllp_destination.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "adapters/hl7v2/ack.h"
#include "adapters/hl7v2/message_view.h"
#include "adapters/mllp/client.h"
#include "adapters/mllp/frame.h"
#include "adapters/mllp/host_port.h"
#include "adapters/tls/tls_context.h"
#include "common/fmt_absl.h"
#include "kinds/registry.h"

namespace navette::adapters::mllp {
namespace {

using Outcome = DeliveryResult::Outcome;

// Longest piece of peer text (error text, control id) kept in a detail.
constexpr size_t kMaxTextBytes = 100;

// Peer text made fit for a one-line history entry: control characters become
// spaces, and the text is cut (on a UTF-8 character boundary) to about
// kMaxTextBytes.
std::string OneLine(std::string_view text) {
  std::string line;
  line.reserve(std::min(text.size(), kMaxTextBytes));
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    line.push_back(byte < 0x20 || byte == 0x7f ? ' ' : c);
  }
  const size_t first = line.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  line.erase(0, first);
  line.erase(line.find_last_not_of(' ') + 1);
  if (line.size() <= kMaxTextBytes) return line;
  size_t cut = kMaxTextBytes;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  line.resize(cut);
  line += "...";
  return line;
}

std::chrono::milliseconds ToMilliseconds(const google::protobuf::Duration& duration) {
  return std::chrono::milliseconds(duration.seconds() * 1000 + duration.nanos() / 1'000'000);
}

Outcome ToOutcome(navette::config::MllpDestination::Failure failure, Outcome unspecified) {
  switch (failure) {
    case navette::config::MllpDestination::TRANSIENT:
      return Outcome::kTransient;
    case navette::config::MllpDestination::PERMANENT:
      return Outcome::kPermanent;
    default:
      return unspecified;
  }
}

// True when nothing arrived on a connection while it sat idle: neither the
// peer's close (receivers drop idle connections) nor stray bytes, which
// would be read as the next message's ACK. Reading with no wait costs one
// recv; stray bytes short of a whole frame pass unseen here, but then the
// ACK that follows does not parse or does not carry our MSH-10, and the
// attempt fails transient.
bool StillOpenAndQuiet(MllpClient& client) {
  absl::StatusOr<std::string> stray = client.ReadFrame(std::chrono::milliseconds(0));
  return !stray.ok() && stray.status().code() == absl::StatusCode::kDeadlineExceeded;
}

DeliveryResult Result(Outcome outcome, std::string detail) {
  return {outcome, std::move(detail), {}};
}

// The MSH-10 the receiver reads, and echoes in MSA-2: the bytes of the
// message as sent, in its own character set. The envelope's header holds the
// received message's, decoded to UTF-8, which differs for a Latin-1 message
// with an accented control id, and for a message a route made anew (a
// business acknowledgement has its own MSH-10). Only the MSH segment is
// read: no need to split a (possibly large) message on every attempt.
std::string SentControlId(const navette::Envelope& envelope) {
  const std::string_view raw = envelope.raw();
  const std::string_view msh = raw.substr(0, raw.find_first_of("\r\n"));
  absl::StatusOr<hl7v2::MessageView> view = hl7v2::MessageView::Parse(msh);
  if (view.ok()) {
    if (std::optional<std::string_view> field = view->Field(0, 10)) return std::string(*field);
  }
  return envelope.hl7().control_id();
}

}  // namespace

absl::StatusOr<std::shared_ptr<SSL_CTX>> ClientTls(const navette::config::MllpDestination& config) {
  auto context = tls::MakeClientContext(config.tls(), "tls");
  if (!context.ok()) return kinds::SettingErrorFromText(context.status(), "tls");
  return std::shared_ptr<SSL_CTX>(context->release(), SSL_CTX_free);
}

absl::StatusOr<std::unique_ptr<MllpDestination>> MllpDestination::Create(
    const navette::config::MllpDestination& config, uint32_t max_in_flight) {
  Settings settings;
  if (absl::Status split = SplitHostPort(config.address(), settings.host, settings.port);
      !split.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("mllp.address '{}': {}", config.address(), split.message()));
  }
  settings.connect_timeout = ToMilliseconds(config.connect_timeout());
  settings.ack_timeout = ToMilliseconds(config.ack_timeout());
  // Zero would fail every attempt without reaching the peer.
  if (settings.connect_timeout.count() <= 0 || settings.ack_timeout.count() <= 0) {
    return absl::InvalidArgumentError(
        "mllp.connect_timeout and mllp.ack_timeout must be at least 1ms");
  }
  settings.on_ae = ToOutcome(config.on_ae(), Outcome::kTransient);
  settings.on_ar = ToOutcome(config.on_ar(), Outcome::kPermanent);
  settings.max_idle = std::max<uint32_t>(max_in_flight, 1);
  if (config.has_tls()) {
    auto tls = ClientTls(config);
    if (!tls.ok()) return tls.status();
    settings.tls = std::move(*tls);
  }
  return std::unique_ptr<MllpDestination>(new MllpDestination(std::move(settings)));
}

MllpDestination::MllpDestination(Settings settings) : settings_(std::move(settings)) {
  idle_.reserve(settings_.max_idle);
}

MllpDestination::~MllpDestination() = default;

DeliveryResult MllpDestination::Deliver(const DeliveryRequest& request) {
  const navette::Envelope& envelope = request.message->envelope();
  absl::StatusOr<std::unique_ptr<MllpClient>> client =
      SendOnSomeConnection(EncodeFrame(envelope.raw()));
  if (!client.ok()) return DeliveryResult::Transient(std::string(client.status().message()));
  return AwaitAck(std::move(*client), SentControlId(envelope));
}

// A message is sent again on a fresh connection only when the pooled one
// could not have delivered it:
// - the connection was found closed (or out of step) before anything was
//   sent on it;
// - or sending failed with the connection lost. SendRaw fails only while
//   bytes of the frame are still unsent, so the peer never got the frame's
//   end block (<FS><CR>) and cannot have taken the message.
// Once the whole frame is sent, a lost connection may mean the peer took it
// and died before answering: that attempt fails, and the engine retries.
absl::StatusOr<std::unique_ptr<MllpClient>> MllpDestination::SendOnSomeConnection(
    const std::string& frame) {
  if (std::unique_ptr<MllpClient> pooled = TakeIdle()) {
    if (StillOpenAndQuiet(*pooled)) {
      absl::Status sent = pooled->SendRaw(frame);
      if (sent.ok()) return pooled;
      // A send timeout means a live peer that stopped reading: connecting
      // again would not help, and would wait as long once more.
      if (sent.code() != absl::StatusCode::kUnavailable) {
        return absl::Status(sent.code(), fmt::format("sending to {}:{}: {}", settings_.host,
                                                     settings_.port, sent.message()));
      }
    }
  }  // the pooled connection, dead, is closed here
  absl::StatusOr<std::unique_ptr<MllpClient>> fresh = Connect();
  if (!fresh.ok()) return fresh.status();
  if (absl::Status sent = (*fresh)->SendRaw(frame); !sent.ok()) {
    return absl::Status(sent.code(), fmt::format("sending to {}:{}: {}", settings_.host,
                                                 settings_.port, sent.message()));
  }
  return fresh;
}

// Returning early without ReturnIdle closes the connection: every path that
// may leave bytes of this exchange unread in the stream does so.
DeliveryResult MllpDestination::AwaitAck(std::unique_ptr<MllpClient> client,
                                         const std::string& control_id) {
  absl::StatusOr<std::string> frame = client->ReadFrame(settings_.ack_timeout);
  if (!frame.ok()) {
    switch (frame.status().code()) {
      case absl::StatusCode::kDeadlineExceeded:
        return DeliveryResult::Transient(fmt::format("no ACK from {}:{} within {}ms",
                                                     settings_.host, settings_.port,
                                                     settings_.ack_timeout.count()));
      case absl::StatusCode::kUnavailable:
        return DeliveryResult::Transient(
            fmt::format("{}:{} closed the connection before the ACK: {}", settings_.host,
                        settings_.port, frame.status().message()));
      default:  // broken framing, oversized frame
        return DeliveryResult::Transient(
            fmt::format("invalid ACK frame from {}:{}: {}", settings_.host, settings_.port,
                        OneLine(std::string(frame.status().message()))));
    }
  }
  absl::StatusOr<hl7v2::AckResult> ack = hl7v2::ParseAck(*frame);
  if (!ack.ok()) {
    return DeliveryResult::Transient(
        fmt::format("unparseable ACK: {}", OneLine(std::string(ack.status().message()))));
  }
  if (ack->control_id != control_id) {
    return DeliveryResult::Transient(
        fmt::format("ACK for another message (MSA-2 '{}', sent MSH-10 '{}')",
                    OneLine(ack->control_id), OneLine(control_id)));
  }

  const std::string& code = ack->code;
  auto refusal = [&] {
    std::string text = OneLine(ack->text);
    if (text.empty() && ack->condition_code != 0) {
      text = fmt::format("condition {}", ack->condition_code);
    }
    return text.empty() ? code : fmt::format("{}: {}", code, text);
  };
  if (code == "AA" || code == "CA") {
    ReturnIdle(std::move(client));
    return DeliveryResult::Delivered(code);
  }
  if (code == "AE" || code == "CE") {
    ReturnIdle(std::move(client));
    return Result(settings_.on_ae, refusal());
  }
  if (code == "AR" || code == "CR") {
    ReturnIdle(std::move(client));
    return Result(settings_.on_ar, refusal());
  }
  return DeliveryResult::Transient(fmt::format("ACK with unknown code '{}'", OneLine(code)));
}

std::unique_ptr<MllpClient> MllpDestination::TakeIdle() {
  std::lock_guard lock(idle_mutex_);
  if (idle_.empty()) return nullptr;
  // Most recently used first: the least likely to have been dropped by the
  // peer's idle timeout.
  std::unique_ptr<MllpClient> client = std::move(idle_.back());
  idle_.pop_back();
  return client;
}

void MllpDestination::ReturnIdle(std::unique_ptr<MllpClient> client) {
  std::lock_guard lock(idle_mutex_);
  // More callers than max_in_flight would leave more connections: keep no
  // more than the engine can use at once.
  if (idle_.size() < settings_.max_idle) idle_.push_back(std::move(client));
}

absl::StatusOr<std::unique_ptr<MllpClient>> MllpDestination::Connect() const {
  return MllpClient::Connect(settings_.host, settings_.port, settings_.connect_timeout,
                             settings_.tls.get());
}

}  // namespace navette::adapters::mllp
