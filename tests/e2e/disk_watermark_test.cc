// The disk watermark against the real engine (acceptance 2 of issue 17):
// the data directory is a 64 MiB tmpfs the test mounts; a ballast file
// brings its free space near engine.disk's threshold, then messages sent
// over MLLP, and the files delivered for them, tip it over. Intake turns to
// AE with navette_intake_paused at 1 while the volume still has room, every
// message acknowledged AA is in the store and delivered, and once the
// ballast is deleted intake accepts again and the gauge goes back to 0.
//
// The threshold (24 MiB) leaves the store the room it needs below it on so
// small a volume: a new write-ahead log chunk (RocksDB preallocates about
// 17.6 MiB) and the files still to deliver.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <fmt/format.h>

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "tests/support/cli_output.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/metrics_text.h"

namespace navette::testing {
namespace {

using adapters::mllp::MllpClient;
using namespace std::chrono_literals;

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kThresholdMib = 24;
constexpr uint64_t kMarginMib = 4;
constexpr int kMaxMessages = 2000;

// An ORU with a 32 KiB observation: each one costs the volume its share of
// the write-ahead log and its delivered file.
std::string BigOru(const std::string& control_id) {
  return fmt::format(
      "MSH|^~\\&|SIL|LABO|PFI|CHU|20260101120000||ORU^R01^ORU_R01|{}|P|2.5|||||FRA|UNICODE "
      "UTF-8\rPID|||000123^^^CHU&1.2.250.1.71.4.2.2&ISO^PI||TEST^DISK\rOBX|1|TX|X^Y^L||{}||||||F\r",
      control_id, std::string(32 * 1024, 'A'));
}

uint64_t FreeBytes(const std::filesystem::path& path) {
  struct statvfs info {};
  if (::statvfs(path.c_str(), &info) != 0) return 0;
  return static_cast<uint64_t>(info.f_bavail) * info.f_frsize;
}

// Mounts a 64 MiB tmpfs (mode 0700, as the engine wants its data directory)
// on `dir`; as another user than root, in a user and mount namespace of its
// own, which the engine started later shares. Empty when mounted, else why
// not.
std::string MountSmallVolume(const std::filesystem::path& dir) {
  const std::string options = "size=64m,mode=0700";
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0) return "";
  const int error = errno;
  if (error != EPERM) return fmt::format("mount tmpfs: {}", std::strerror(error));
  const uid_t uid = ::getuid();
  const gid_t gid = ::getgid();
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
    return fmt::format("not root, and unshare(CLONE_NEWUSER | CLONE_NEWNS) failed: {}",
                       std::strerror(errno));
  }
  std::ofstream("/proc/self/setgroups") << "deny";
  std::ofstream("/proc/self/uid_map") << fmt::format("0 {} 1", uid);
  std::ofstream("/proc/self/gid_map") << fmt::format("0 {} 1", gid);
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
    return fmt::format("not root, and mount tmpfs in a user namespace failed: {}",
                       std::strerror(errno));
  }
  return "";
}

class DiskWatermarkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("navette-disk");
    admin_port_ = FreePort();
    mllp_port_ = FreePort();
    data_ = dir_ / "data";
    std::filesystem::create_directories(data_);
    const std::string why = MountSmallVolume(data_);
    if (!why.empty()) GTEST_SKIP() << "cannot mount a small volume: " << why;
    mounted_ = true;
  }
  void TearDown() override {
    if (engine_) {
      EXPECT_TRUE(engine_->Stop().ok()) << engine_->Log();
    }
    engine_.reset();
    if (mounted_ && ::umount2(data_.c_str(), 0) != 0) ::umount2(data_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(dir_);
  }

  std::string Config() const {
    return FileEngineConfig(
        admin_port_, mllp_port_, "  - { name: all, to: [outbox] }\n", "", "",
        fmt::format(
            "  disk: {{ min_free_mib: {}, resume_margin_mib: {}, check_interval: 100ms }}\n",
            kThresholdMib, kMarginMib));
  }
  std::string Metrics() const {
    auto got = HttpGet(admin_port_, "/metrics");
    return got.ok() && got->first == 200 ? got->second : "";
  }
  std::optional<double> Paused() const {
    return Sample(Metrics(), R"(navette_intake_paused{reason="disk_low"})");
  }
  // The code and text of the ACK of `message`.
  std::pair<std::string, std::string> Send(MllpClient& client, const std::string& message) {
    auto ack = client.Exchange(message, 10s);
    EXPECT_TRUE(ack.ok()) << ack.status();
    auto parsed = adapters::hl7v2::ParseAck(ack.ok() ? *ack : "");
    if (!parsed.ok()) return {"", ""};
    return {parsed->code, parsed->text};
  }
  int DeliveredFiles() const {
    int files = 0;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(data_ / "outbox", error)) {
      files += entry.path().filename().string().front() != '.';  // not a temporary file
    }
    return files;
  }
  // The control ids of every message in the store (messages list).
  std::set<std::string> StoredControlIds() const {
    CommandResult listed =
        RunNavette({"messages", "list", "--json", "--limit", "10000", "--admin",
                    fmt::format("http://127.0.0.1:{}", admin_port_), "--data-dir", data_.string()});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    std::set<std::string> ids;
    for (const std::string& line : Lines(listed.out)) ids.insert(JsonField(line, "control_id"));
    return ids;
  }
  static int Count(const std::string& text, const std::string& needle) {
    int count = 0;
    for (size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + needle.size())) {
      ++count;
    }
    return count;
  }

  std::filesystem::path dir_, data_;
  uint16_t admin_port_ = 0, mllp_port_ = 0;
  bool mounted_ = false;
  std::unique_ptr<EngineProcess> engine_;
};

TEST_F(DiskWatermarkTest, IntakePausesBeforeTheDiskFillsAndResumesWhenSpaceReturns) {
  engine_ = std::make_unique<EngineProcess>(dir_, Config());
  ASSERT_TRUE(engine_->Start().ok()) << engine_->Log();
  ASSERT_EQ(Paused(), 0);
  EXPECT_EQ(Sample(Metrics(), R"(navette_disk_min_free_bytes{volume="store"})"),
            kThresholdMib * kMiB);

  auto client = MllpClient::Connect("127.0.0.1", mllp_port_, 5s);
  ASSERT_TRUE(client.ok()) << client.status();
  std::set<std::string> acknowledged;
  for (int i = 0; i < 3; ++i) {
    const std::string id = fmt::format("DISK-{}", i);
    ASSERT_EQ(Send(**client, BigOru(id)).first, "AA");
    acknowledged.insert(id);
  }

  // Near the threshold at once: a few megabytes of messages tip it over.
  const uint64_t free_now = FreeBytes(data_);
  const uint64_t keep = (kThresholdMib + 3) * kMiB;
  ASSERT_GT(free_now, keep) << "the store alone left too little room on the volume";
  {
    std::ofstream ballast(data_ / "ballast", std::ios::binary);
    const std::string chunk(kMiB, '\0');
    for (uint64_t left = free_now - keep; left > 0;) {
      const uint64_t n = std::min<uint64_t>(left, chunk.size());
      ballast.write(chunk.data(), static_cast<std::streamsize>(n));
      left -= n;
    }
    ASSERT_TRUE(ballast.good());
  }

  std::string refusal_text;
  uint64_t free_at_refusal = 0;
  std::string metrics_at_refusal;
  int sent = 3;
  for (; sent < kMaxMessages; ++sent) {
    const std::string id = fmt::format("DISK-{}", sent);
    auto [code, text] = Send(**client, BigOru(id));
    if (code == "AA") {
      acknowledged.insert(id);
      continue;
    }
    ASSERT_EQ(code, "AE") << "message " << sent << ": " << text;
    free_at_refusal = FreeBytes(data_);
    metrics_at_refusal = Metrics();
    refusal_text = text;
    break;
  }
  ASSERT_FALSE(refusal_text.empty())
      << "no AE after " << kMaxMessages << " messages, " << FreeBytes(data_) << " bytes free\n"
      << engine_->Log();
  // Refused before the volume filled, with the gauge up and the refusal
  // counted; the sender is told to send again later.
  EXPECT_GT(free_at_refusal, 0u);
  EXPECT_EQ(Sample(metrics_at_refusal, R"(navette_intake_paused{reason="disk_low"})"), 1);
  EXPECT_GE(Sample(metrics_at_refusal,
                   R"(navette_messages_rejected_total{reason="disk_low",source="lab"})")
                .value_or(0),
            1);
  const double gauge_free =
      Sample(metrics_at_refusal, R"(navette_disk_free_bytes{volume="store"})").value_or(-1);
  EXPECT_GT(gauge_free, 0);
  EXPECT_LT(gauge_free, kThresholdMib * kMiB);
  EXPECT_NE(refusal_text.find("low on free space"), std::string::npos) << refusal_text;
  EXPECT_GT(acknowledged.size(), 3u) << "the ballast alone paused intake";

  // Refused again, and logged once, not per message.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Send(**client, BigOru(fmt::format("LATER-{}", i))).first, "AE");
  }
  EXPECT_EQ(Count(engine_->Log(), "intake paused"), 1) << engine_->Log();

  // Deliveries go on below the threshold: every acknowledged message is
  // written to the outbox, on the same volume.
  EXPECT_TRUE(
      WaitFor([&] { return DeliveredFiles() == static_cast<int>(acknowledged.size()); }, 30s))
      << DeliveredFiles() << " of " << acknowledged.size() << " delivered\n"
      << engine_->Log();

  // Space returns: intake accepts again.
  std::filesystem::remove(data_ / "ballast");
  EXPECT_TRUE(WaitFor([&] { return Paused() == 0; }, 10s)) << engine_->Log();
  const std::string after = fmt::format("DISK-{}", sent + 1);
  EXPECT_EQ(Send(**client, BigOru(after)).first, "AA");
  acknowledged.insert(after);
  EXPECT_EQ(Count(engine_->Log(), "intake resumed"), 1) << engine_->Log();

  // Nothing acknowledged is lost, nothing refused was kept, and the store
  // never ran out of room.
  const std::set<std::string> stored = StoredControlIds();
  for (const std::string& id : acknowledged) EXPECT_TRUE(stored.count(id)) << id << " lost";
  EXPECT_EQ(stored.size(), acknowledged.size());
  EXPECT_EQ(engine_->Log().find("No space left"), std::string::npos) << engine_->Log();
}

}  // namespace
}  // namespace navette::testing
