// Fuzzes the whole intake: each input is the content of one MLLP frame, sent
// over a persistent loopback connection to the real MLLP source, whose
// messages go over the inproc bus to the real Ingress and a real RocksDB
// store (in a temporary directory). The promise under test: every frame is
// answered with an ACK (AA, AE or AR) within kAnswerWithin, never left to a
// timeout; and the source never hands ingress an envelope it cannot read.
//
// What counts as one answer. The input is the frame content as is, so it may
// hold framing bytes itself. The client decodes the bytes it sends with the
// same FrameDecoder as the server, which says what the server sees:
//   - no framing error: n frames (n >= 1; FS CR inside the content ends a
//     frame, and a VT after it starts another): exactly n ACKs must come, in
//     order, each within kAnswerWithin;
//   - a framing error (a VT inside a frame, FS not followed by CR, a byte
//     outside a frame): the server must close the connection within
//     kAnswerWithin. The frames before the error may or may not be answered
//     (the server drops what it had queued when it closes), but whatever
//     comes must be a valid ACK. The client then connects again.
// Anything else (no ACK in time, an ACK that does not parse or whose MSA-1 is
// not AA/AE/AR, a closed connection without a framing error, a publish that
// ingress could not read) aborts.
//
// The engine is built once per process and torn down at exit; logging is off
// so that the run's output is libFuzzer's.
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "adapters/bus/io_dealer_publisher.h"
#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "adapters/mllp/frame.h"
#include "adapters/mllp/frame_decoder.h"
#include "adapters/mllp/server.h"
#include "engine/ingress.h"
#include "store/message_id.h"
#include "store/store.h"

namespace {

using namespace std::chrono_literals;
using navette::adapters::mllp::DecoderEvent;
using navette::adapters::mllp::FrameDecoder;
using navette::adapters::mllp::MllpClient;

constexpr auto kAnswerWithin = 5s;
// Small, so that the oversize refusal is reached as often as the others.
constexpr size_t kMaxMessageBytes = 4096;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "mllp_intake_fuzzer: %s\n", what.c_str());
  std::abort();
}

void Check(bool invariant, const char* what) {
  if (!invariant) Fail(what);
}

// The engine's intake, wired as `navette serve` wires it. Members are
// destroyed in reverse order: the client, the source, ingress, the store.
class Intake {
 public:
  Intake() {
    dir_ = std::filesystem::temp_directory_path() /
           ("navette-intake-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    auto store = navette::store::Store::Open(dir_.string());
    if (!store.ok()) Fail("cannot open the store: " + store.status().ToString());
    store_ = std::move(*store);
    ids_.Observe(store_->LastMessageId());
    ingress_ = std::make_unique<navette::engine::Ingress>(context_, *store_, ids_,
                                                          navette::engine::IngressOptions{}, [] {});
    if (absl::Status started = ingress_->Start(); !started.ok()) Fail(started.ToString());

    navette::adapters::mllp::MllpServerOptions options;
    options.source_name = "fuzz";
    options.listen_port = 0;
    options.max_message_bytes = kMaxMessageBytes;
    options.idle_timeout = 0ms;  // the connection lives as long as the run
    server_ = std::make_unique<navette::adapters::mllp::MllpServer>(
        options,
        [this](asio::io_context& io)
            -> absl::StatusOr<std::unique_ptr<navette::adapters::bus::Publisher>> {
          auto publisher = navette::adapters::bus::IoDealerPublisher::Connect(
              context_, navette::engine::kIngressInprocEndpoint, io);
          if (!publisher.ok()) return publisher.status();
          return std::unique_ptr<navette::adapters::bus::Publisher>(std::move(*publisher));
        });
    if (absl::Status started = server_->Start(); !started.ok()) Fail(started.ToString());
  }
  ~Intake() {
    client_.reset();
    server_.reset();
    ingress_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Take(std::string_view content) {
    const std::string frame = navette::adapters::mllp::EncodeFrame(content);
    // What the server will make of these bytes.
    FrameDecoder predictor(kMaxMessageBytes);
    std::vector<DecoderEvent> events;
    predictor.Feed(frame, events);
    size_t frames = 0;
    for (const DecoderEvent& event : events) {
      if (event.kind != DecoderEvent::kGarbage) ++frames;
    }
    Check(!predictor.in_frame(), "a framed input cannot end inside a frame");

    MllpClient& client = Client();
    absl::Status sent = client.SendRaw(frame);
    if (predictor.failed()) {
      // A send cut short by the close is part of that outcome.
      Check(client.PeerClosed(kAnswerWithin), "framing error but the connection stays open");
      for (size_t i = 0; i < frames; ++i) {
        auto ack = client.ReadFrame(0ms);
        if (!ack.ok()) break;  // dropped by the close: allowed
        CheckAck(*ack);
      }
      client_.reset();
    } else {
      if (!sent.ok()) Fail("cannot send a well-framed input: " + sent.ToString());
      for (size_t i = 0; i < frames; ++i) {
        auto ack = client.ReadFrame(kAnswerWithin);
        if (!ack.ok()) {
          Fail("frame " + std::to_string(i + 1) + " of " + std::to_string(frames) +
               " not answered: " + ack.status().ToString());
        }
        CheckAck(*ack);
      }
    }
    const auto& stats = ingress_->stats();
    Check(stats.refused == 0, "the source published an envelope ingress cannot read");
    Check(stats.unreadable == 0, "the source sent ingress an unreadable request");
  }

 private:
  MllpClient& Client() {
    if (!client_) {
      auto client = MllpClient::Connect("127.0.0.1", server_->port(), kAnswerWithin);
      if (!client.ok()) Fail("cannot connect: " + client.status().ToString());
      client_ = std::move(*client);
    }
    return *client_;
  }
  static void CheckAck(const std::string& frame) {
    auto ack = navette::adapters::hl7v2::ParseAck(frame);
    if (!ack.ok()) Fail("answer is not an ACK: " + ack.status().ToString());
    Check(ack->code == "AA" || ack->code == "AE" || ack->code == "AR", "MSA-1 not AA, AE or AR");
  }

  std::filesystem::path dir_;
  zmq::context_t context_;
  std::unique_ptr<navette::store::Store> store_;
  navette::store::MessageIdGenerator ids_;
  std::unique_ptr<navette::engine::Ingress> ingress_;
  std::unique_ptr<navette::adapters::mllp::MllpServer> server_;
  std::unique_ptr<MllpClient> client_;
};

Intake* the_intake = nullptr;

// Registered after every library is initialised, so it runs before their
// own exit handlers: the threads stop while what they use is still there.
// OpenSSL, which hashes each message in the ingress thread, registers its
// cleanup on first use, so it is initialised here first; and with its
// configuration, whose loading would otherwise happen in the ingress thread
// and leave that thread's error state behind (LeakSanitizer reports it).
void StopIntake() {
  delete the_intake;
  the_intake = nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (the_intake == nullptr) {
    spdlog::set_level(spdlog::level::off);
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr);
    the_intake = new Intake();
    std::atexit(StopIntake);
  }
  the_intake->Take(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
