// Throughput and latency benchmark.
//
//   navette_bench mllp  --port P --connections K --messages N [--size B]
//     Sends N HL7 messages over K MLLP connections to a running engine, each
//     connection waiting for its ACK before sending the next (as HL7 senders
//     do), and prints messages/s and ACK latency p50/p99/max.
//
//   navette_bench store --dir D --connections K --messages N [--size B]
//     The same workload written straight into a navette store: K threads,
//     each committing one message per synced write (journal, state, indexes,
//     router queue, history: what ingress writes), so the engine's figure can
//     be read as a ratio to the store's own limit at the same concurrency.
//
//   navette_bench floor --port P --dir D [--files F]
//     The floor the engine is measured against (bench/floor_server.h): a
//     minimal MLLP server that group-commits to RocksDB and ACKs, until
//     SIGTERM. With --files, it then writes each message to a durable file
//     in F (bench/floor_files.h) and keeps the count in F.delivered.
//
//   navette_bench post --port P --connections K --messages N [--size B]
//     POSTs N messages to an HTTP receiver's /in over K keep-alive
//     connections, each waiting for its answer: the receiver's own limit,
//     which bench/backlog.sh sets beside the engine's drain rate.
//
//   navette_bench receive --port P --messages N
//     An HTTP receiver answering 200 to each POST to /in, for the backlog
//     benchmark (bench/backlog.sh): prints the rate at which the engine
//     drained its queue into it.
//
// It prints figures; it is not a test.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <CLI/CLI.hpp>

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "adapters/mllp/frame.h"
#include "adapters/mllp/frame_decoder.h"
#include "bench/floor_server.h"
#include "bench/http_receiver.h"
#include "store/message_id.h"
#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 2575;
  int connections = 1;
  int messages = 10000;
  int size = 1500;
  std::string dir;
};

std::string MakeMessage(int connection, int index, int size) {
  std::string message = fmt::format(
      "MSH|^~\\&|BENCH|LAB|NAVETTE|CHU|20260101120000||ORU^R01^ORU_R01|B{}-{}-{}|P|2.5|||||FRA|"
      "UNICODE UTF-8\rPID|||{}^^^CHU&1.2.250.1.71.4.2.2&ISO^PI||TEST^PATIENT||19790328|F\r"
      "OBR|1|1|1|11502-2^CR^LN\rOBX|1|ED|11502-2^CR^LN||^TEXT^XML^Base64^",
      ::getpid(), connection, index, 100000 + connection);
  const size_t target = static_cast<size_t>(size);
  while (message.size() + 10 < target)
    message.push_back('A' + static_cast<char>(message.size() % 26));
  message += "||||||F\r";
  return message;
}

struct Result {
  double seconds = 0;
  std::vector<double> latencies_ms;
  int errors = 0;
};

void Report(const std::string& what, const Options& options, Result& result) {
  std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
  auto percentile = [&](double p) {
    if (result.latencies_ms.empty()) return 0.0;
    size_t index = static_cast<size_t>(p * static_cast<double>(result.latencies_ms.size() - 1));
    return result.latencies_ms[index];
  };
  const double rate = static_cast<double>(result.latencies_ms.size()) / result.seconds;
  std::cout << fmt::format(
      "{:<6} connections={:<3} messages={:<7} size={}B{}  {:>9.0f} msg/s  "
      "latency ms p50={:.2f} p99={:.2f} max={:.2f}  errors={}\n",
      what, options.connections, result.latencies_ms.size(), options.size,
      what == "post" ? "" : " sync=on", rate, percentile(0.5), percentile(0.99),
      result.latencies_ms.empty() ? 0.0 : result.latencies_ms.back(), result.errors);
}

// Runs `work(connection, index)` K-way parallel over N items; each call's
// duration is one latency sample.
template <typename Setup, typename Work>
Result RunParallel(const Options& options, Setup setup, Work work) {
  Result result;
  std::vector<std::vector<double>> latencies(options.connections);
  std::atomic<int> errors{0};
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  const int per_connection = options.messages / options.connections;
  for (int c = 0; c < options.connections; ++c) {
    threads.emplace_back([&, c] {
      auto state = setup(c);
      std::vector<std::string> messages;
      for (int i = 0; i < per_connection; ++i) messages.push_back(MakeMessage(c, i, options.size));
      ++ready;
      while (!go) std::this_thread::yield();
      for (int i = 0; i < per_connection; ++i) {
        const auto start = Clock::now();
        if (!work(state, messages[i])) ++errors;
        latencies[c].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      }
    });
  }
  while (ready < options.connections) std::this_thread::yield();
  const auto start = Clock::now();
  go = true;
  for (auto& thread : threads) thread.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& samples : latencies) {
    result.latencies_ms.insert(result.latencies_ms.end(), samples.begin(), samples.end());
  }
  result.errors = errors;
  return result;
}

// One thread drives every connection with poll(), so the load generator
// spends its CPU on sockets, not on switching between 32 threads: on a
// 2-core machine every cycle it takes is one the engine does not get.
int RunMllp(const Options& options) {
  using navette::adapters::mllp::DecoderEvent;
  using navette::adapters::mllp::FrameDecoder;
  struct Connection {
    int fd = -1;
    std::vector<std::string> frames;  // pre-built, framed messages
    size_t next = 0;                  // index of the message in flight
    size_t sent_bytes = 0;            // of frames[next]
    Clock::time_point started;
    FrameDecoder decoder{1 << 20};
    std::vector<DecoderEvent> events;
  };
  const int per_connection = options.messages / options.connections;
  std::vector<Connection> connections(options.connections);
  for (int c = 0; c < options.connections; ++c) {
    auto client = navette::adapters::mllp::MllpClient::Connect(
        options.host, static_cast<uint16_t>(options.port), std::chrono::seconds(5));
    if (!client.ok()) {
      std::cerr << "connect: " << client.status().message() << "\n";
      return 1;
    }
    connections[c].fd = (*client)->ReleaseFd();
    ::fcntl(connections[c].fd, F_SETFL, ::fcntl(connections[c].fd, F_GETFL) | O_NONBLOCK);
    for (int i = 0; i < per_connection; ++i) {
      connections[c].frames.push_back(
          navette::adapters::mllp::EncodeFrame(MakeMessage(c, i, options.size)));
    }
  }

  Result result;
  std::vector<pollfd> fds(connections.size());
  std::string buffer(64 * 1024, '\0');
  size_t done_connections = 0;
  const auto start = Clock::now();
  for (auto& connection : connections) connection.started = Clock::now();
  while (done_connections < connections.size()) {
    for (size_t c = 0; c < connections.size(); ++c) {
      Connection& connection = connections[c];
      const bool finished = connection.next >= connection.frames.size();
      const bool sending =
          !finished && connection.sent_bytes < connection.frames[connection.next].size();
      fds[c] = {finished ? -1 : connection.fd, static_cast<short>(sending ? POLLOUT : POLLIN), 0};
    }
    if (::poll(fds.data(), fds.size(), 30000) <= 0) {
      std::cerr << "no answer from the engine within 30 s\n";
      return 1;
    }
    for (size_t c = 0; c < connections.size(); ++c) {
      Connection& connection = connections[c];
      if (fds[c].fd < 0 || fds[c].revents == 0) continue;
      const std::string& frame = connection.frames[connection.next];
      if (connection.sent_bytes < frame.size()) {
        ssize_t n = ::send(connection.fd, frame.data() + connection.sent_bytes,
                           frame.size() - connection.sent_bytes, MSG_NOSIGNAL);
        if (n > 0) connection.sent_bytes += static_cast<size_t>(n);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
          std::cerr << "send failed\n";
          return 1;
        }
        continue;
      }
      ssize_t n = ::recv(connection.fd, buffer.data(), buffer.size(), 0);
      if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        std::cerr << "the engine closed a connection\n";
        return 1;
      }
      connection.events.clear();
      connection.decoder.Feed(std::string_view(buffer.data(), static_cast<size_t>(n)),
                              connection.events);
      for (const DecoderEvent& event : connection.events) {
        auto parsed = navette::adapters::hl7v2::ParseAck(event.content);
        if (!parsed.ok() || parsed->code != "AA") ++result.errors;
        const auto now = Clock::now();
        result.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(now - connection.started).count());
        connection.started = now;
        connection.sent_bytes = 0;
        if (++connection.next >= connection.frames.size()) ++done_connections;
      }
    }
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& connection : connections) ::close(connection.fd);
  Report("mllp", options, result);
  return result.errors == 0 ? 0 : 1;
}

int RunStore(const Options& options) {
  std::filesystem::remove_all(options.dir);
  auto store = navette::store::Store::Open(options.dir);
  if (!store.ok()) {
    std::cerr << store.status().message() << "\n";
    return 1;
  }
  navette::store::MessageIdGenerator ids;
  Result result = RunParallel(
      options, [](int) { return 0; },
      [&](int&, const std::string& message) {
        navette::Envelope envelope;
        envelope.set_source("bench");
        envelope.set_raw(message);
        envelope.mutable_hl7()->set_control_id(message.substr(90, 20));
        envelope.mutable_hl7()->set_message_type("ORU^R01^ORU_R01");
        navette::store::IngressRecord record{ids.Next(), &envelope, std::string(32, 'h')};
        return (*store)->CommitIngress({&record, 1}).ok();
      });
  Report("store", options, result);
  store->reset();
  std::filesystem::remove_all(options.dir);
  return result.errors == 0 ? 0 : 1;
}

// The receiver's own limit: the same POSTs the engine's HTTP destination
// sends, from K connections, without the engine.
int RunPost(const Options& options) {
  Result result = RunParallel(
      options,
      [&](int) {
        auto client = std::make_unique<httplib::Client>(options.host, options.port);
        client->set_keep_alive(true);
        client->set_tcp_nodelay(true);
        return client;
      },
      [](std::unique_ptr<httplib::Client>& client, const std::string& message) {
        auto answer = client->Post("/in", message, "application/hl7-v2");
        return answer && answer->status == 200;
      });
  Report("post", options, result);
  return result.errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"navette benchmark: MLLP → engine → ACK, and the store's own limit"};
  app.require_subcommand(1);
  Options options;
  auto add_common = [&](CLI::App* command) {
    command->add_option("--connections,-k", options.connections, "Concurrent connections/writers")
        ->capture_default_str();
    command->add_option("--messages,-n", options.messages, "Messages in all")
        ->capture_default_str();
    command->add_option("--size", options.size, "Message size in bytes")->capture_default_str();
  };
  auto* mllp = app.add_subcommand("mllp", "Load a running engine over MLLP");
  add_common(mllp);
  mllp->add_option("--host", options.host)->capture_default_str();
  mllp->add_option("--port,-p", options.port)->capture_default_str();
  auto* store = app.add_subcommand("store", "Write the same workload straight into a store");
  add_common(store);
  store->add_option("--dir", options.dir, "Store directory (deleted before and after)")->required();
  navette::bench::ReceiveOptions receive_options;
  auto* receive = app.add_subcommand("receive", "An HTTP receiver that counts what it is sent");
  receive->add_option("--port,-p", receive_options.port)->capture_default_str();
  receive->add_option("--messages,-n", receive_options.messages, "Stop after this many")
      ->capture_default_str();
  auto* post = app.add_subcommand("post", "POST the workload straight to an HTTP receiver");
  add_common(post);
  post->add_option("--host", options.host)->capture_default_str();
  post->add_option("--port,-p", options.port)->capture_default_str();
  navette::bench::FloorOptions floor_options;
  auto* floor = app.add_subcommand("floor", "A minimal MLLP → group commit → ACK server");
  floor->add_option("--port,-p", floor_options.port)->capture_default_str();
  floor->add_option("--dir", floor_options.dir, "RocksDB directory (deleted before and after)")
      ->required();
  floor->add_option("--files", floor_options.files,
                    "Also write each acknowledged message to a durable file in this directory");
  CLI11_PARSE(app, argc, argv);
  if (receive->parsed()) return navette::bench::RunReceive(receive_options);
  if (floor->parsed()) return navette::bench::RunFloor(floor_options);
  if (options.connections < 1 || options.messages < options.connections) {
    std::cerr << "need --connections >= 1 and --messages >= --connections\n";
    return 2;
  }
  if (post->parsed()) return RunPost(options);
  return mllp->parsed() ? RunMllp(options) : RunStore(options);
}
