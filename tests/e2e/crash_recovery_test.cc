// Acceptance: every message that got an AA survives SIGKILL of the engine at
// a random moment and reaches the file destination.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "proto/store.pb.h"
#include "store/store.h"
#include "tests/support/engine_process.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

constexpr int kConnections = 8;
constexpr int kMessagesPerConnection = 300;  // 2,400 in all
constexpr int kTotal = kConnections * kMessagesPerConnection;

std::string ControlIdOf(const std::string& message) {
  // MSH-10 is the 10th field; messages here use '|'.
  size_t pos = 0;
  for (int i = 0; i < 9 && pos != std::string::npos; ++i) pos = message.find('|', pos + 1);
  if (pos == std::string::npos) return "";
  size_t end = message.find('|', pos + 1);
  return message.substr(pos + 1, end - pos - 1);
}

// Control ids found in the destination directory; remembers files already read.
class OutboxReader {
 public:
  explicit OutboxReader(std::filesystem::path dir) : dir_(std::move(dir)) {}
  const std::set<std::string>& Scan() {
    if (!std::filesystem::exists(dir_)) return control_ids_;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      const std::string name = entry.path().filename().string();
      if (name.front() == '.' || !seen_files_.insert(name).second) continue;
      control_ids_.insert(ControlIdOf(ReadFileBytes(entry.path())));
    }
    return control_ids_;
  }

 private:
  std::filesystem::path dir_;
  std::set<std::string> seen_files_;
  std::set<std::string> control_ids_;
};

TEST(CrashRecoveryTest, EveryAcknowledgedMessageSurvivesSigkillAndIsDelivered) {
  const uint16_t mllp_port = FreePort();
  const uint16_t admin_port = FreePort();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("navette-crash-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  EngineProcess engine(dir, fmt::format(R"(
engine:
  admin: {{ listen: "127.0.0.1:{}" }}
sources:
  - name: lab
    mllp: {{ listen: "127.0.0.1:{}" }}
destinations:
  - name: outbox
    file: {{ directory: outbox }}
routes:
  - name: all
    to: [outbox]
)",
                                        admin_port, mllp_port));
  ASSERT_TRUE(engine.Start().ok()) << engine.Log();

  std::mutex mu;
  std::set<std::string> acked;  // guarded by mu
  std::atomic<int> acked_count{0};
  std::atomic<int> resends{0};
  std::vector<std::thread> senders;
  for (int c = 0; c < kConnections; ++c) {
    senders.emplace_back([&, c] {
      std::unique_ptr<adapters::mllp::MllpClient> client;
      for (int i = 0; i < kMessagesPerConnection;) {
        if (!client) {
          auto connected =
              adapters::mllp::MllpClient::Connect("127.0.0.1", mllp_port, std::chrono::seconds(2));
          if (!connected.ok()) continue;  // engine restarting: connect again
          client = std::move(*connected);
        }
        const std::string control_id = fmt::format("K{}-{}", c, i);
        auto ack = client->Exchange(MakeOru(control_id, fmt::format("{}", 1000 + c)),
                                    std::chrono::seconds(10));
        if (!ack.ok()) {  // killed mid-exchange: send the same message again
          client.reset();
          ++resends;
          continue;
        }
        auto parsed = adapters::hl7v2::ParseAck(*ack);
        ASSERT_TRUE(parsed.ok()) << *ack;
        if (parsed->code != "AA") {  // AE: not stored; send again
          ++resends;
          continue;
        }
        ASSERT_EQ(parsed->control_id, control_id);
        {
          std::lock_guard lock(mu);
          acked.insert(control_id);
        }
        ++acked_count;
        ++i;
      }
    });
  }

  // Three kill points at random moments, spread over the run.
  std::random_device device;
  const unsigned seed = device();
  std::mt19937 random(seed);
  std::vector<int> kill_points = {
      std::uniform_int_distribution<int>(kTotal * 1 / 10, kTotal * 3 / 10)(random),
      std::uniform_int_distribution<int>(kTotal * 4 / 10, kTotal * 6 / 10)(random),
      std::uniform_int_distribution<int>(kTotal * 7 / 10, kTotal * 9 / 10)(random)};
  std::cout << "seed " << seed << ", kill after " << kill_points[0] << ", " << kill_points[1]
            << ", " << kill_points[2] << " AAs\n";
  for (int point : kill_points) {
    ASSERT_TRUE(WaitFor([&] { return acked_count >= point; }, std::chrono::seconds(120)))
        << engine.Log();
    engine.Kill();
    ASSERT_TRUE(engine.Start().ok()) << engine.Log();
  }
  for (auto& sender : senders) sender.join();
  ASSERT_EQ(acked.size(), static_cast<size_t>(kTotal));
  std::cout << "resends after a kill or AE: " << resends << "\n";

  OutboxReader outbox(engine.data_dir() / "outbox");
  const bool all_delivered = WaitFor(
      [&] {
        const auto& delivered = outbox.Scan();
        return std::includes(delivered.begin(), delivered.end(), acked.begin(), acked.end());
      },
      std::chrono::seconds(120));
  std::vector<std::string> missing_files;
  std::set_difference(acked.begin(), acked.end(), outbox.Scan().begin(), outbox.Scan().end(),
                      std::back_inserter(missing_files));
  EXPECT_TRUE(all_delivered) << missing_files.size() << " acknowledged messages not delivered";
  ASSERT_TRUE(engine.Stop().ok());

  // Every AA'd message is in the journal.
  auto store = store::Store::Open((engine.data_dir() / "store").string());
  ASSERT_TRUE(store.ok()) << store.status();
  std::set<std::string> journaled;
  store::ListFilter filter;
  filter.limit = 100000;
  auto listed = (*store)->ListMessages(filter);
  ASSERT_TRUE(listed.ok());
  for (const auto& message : *listed) {
    journaled.insert(message.state.control_id());
    EXPECT_TRUE((*store)->GetMessage(message.id).ok());
  }
  std::vector<std::string> missing;
  std::set_difference(acked.begin(), acked.end(), journaled.begin(), journaled.end(),
                      std::back_inserter(missing));
  EXPECT_TRUE(missing.empty()) << missing.size() << " acknowledged messages missing, first "
                               << (missing.empty() ? "" : missing.front());
  store->reset();  // close the store (and its background threads) first
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace
}  // namespace navette::testing
