// The disk watermark (disk_watch.h): the decision table on its own, the watch
// over a volume the test describes (its gauges, its one line per change, the
// prompt reading when committed bytes cross the threshold), and ingress
// under a paused watch: new messages refused and counted, nothing committed,
// a message already stored still confirmed.
#include "engine/disk_watch.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>

#include <fmt/format.h>

#include "engine/ingress.h"
#include "engine/metrics.h"
#include "kinds/registry.h"
#include "proto/bus.pb.h"
#include "store/store.h"
#include "tests/support/metrics_text.h"

namespace navette::engine {
namespace {

using namespace std::chrono_literals;
using navette::testing::Sample;

constexpr uint64_t kGiB = uint64_t{1} << 30;

TEST(DiskWatermarkTest, ThresholdIsTheLargerOfMibAndPercent) {
  Watermark watermark;
  watermark.min_free_bytes = kGiB;
  EXPECT_EQ(ThresholdBytes(watermark, 100 * kGiB), kGiB);
  watermark.min_free_percent = 5;
  EXPECT_EQ(ThresholdBytes(watermark, 100 * kGiB), 5 * kGiB);
  EXPECT_EQ(ThresholdBytes(watermark, 10 * kGiB), kGiB);  // 5 % is 512 MiB there
  watermark.min_free_bytes = 0;
  EXPECT_EQ(ThresholdBytes(watermark, 10 * kGiB), 10 * kGiB / 100 * 5);
  watermark.min_free_percent = 0;
  EXPECT_EQ(ThresholdBytes(watermark, 10 * kGiB), 0u);
}

TEST(DiskWatermarkTest, MarginIsATenthOfTheThresholdUnlessSet) {
  Watermark watermark;
  watermark.min_free_bytes = kGiB;
  EXPECT_EQ(MarginBytes(watermark, kGiB), kGiB / 10);
  watermark.resume_margin_bytes = 64 * kMiB;
  EXPECT_EQ(MarginBytes(watermark, kGiB), 64 * kMiB);
  watermark.resume_margin_bytes = 0;
  EXPECT_EQ(MarginBytes(watermark, kGiB), 0u);
}

TEST(DiskWatermarkTest, PausesBelowTheThresholdAndResumesAboveItsMargin) {
  const uint64_t threshold = 1000, margin = 100;
  // Accepting: pauses strictly below the threshold.
  EXPECT_FALSE(NextPaused(false, 1000, threshold, margin));
  EXPECT_TRUE(NextPaused(false, 999, threshold, margin));
  EXPECT_TRUE(NextPaused(false, 0, threshold, margin));
  // Paused: stays so until threshold + margin.
  EXPECT_TRUE(NextPaused(true, 1000, threshold, margin));
  EXPECT_TRUE(NextPaused(true, 1099, threshold, margin));
  EXPECT_FALSE(NextPaused(true, 1100, threshold, margin));
  // No threshold: never paused, whatever the free space.
  EXPECT_FALSE(NextPaused(false, 0, 0, 0));
  EXPECT_FALSE(NextPaused(true, 0, 0, 0));
  // A threshold and margin near the top of the range do not wrap around.
  EXPECT_TRUE(NextPaused(true, UINT64_MAX - 1, UINT64_MAX - 10, 100));
}

TEST(DiskWatermarkTest, FromTheConfiguration) {
  navette::config::Disk disk;
  disk.set_min_free_mib(512);
  disk.set_min_free_percent(3);
  Watermark watermark = WatermarkFrom(disk);
  EXPECT_EQ(watermark.min_free_bytes, 512 * kMiB);
  EXPECT_EQ(watermark.min_free_percent, 3u);
  EXPECT_FALSE(watermark.resume_margin_bytes.has_value());
  disk.set_resume_margin_mib(0);
  EXPECT_EQ(WatermarkFrom(disk).resume_margin_bytes, 0u);
}

TEST(DiskWatermarkTest, ReadsARealVolume) {
  auto space = ReadDiskSpace(std::filesystem::temp_directory_path());
  ASSERT_TRUE(space.ok()) << space.status();
  EXPECT_GT(space->total_bytes, 0u);
  EXPECT_LE(space->free_bytes, space->total_bytes);
  EXPECT_FALSE(ReadDiskSpace("/no/such/directory/navette").ok());
}

// A volume whose free space the test sets; counts its readings.
class FakeVolume {
 public:
  void Set(uint64_t free_bytes) {
    std::lock_guard lock(mu_);
    space_.free_bytes = free_bytes;
  }
  void Fail(bool failing) {
    std::lock_guard lock(mu_);
    failing_ = failing;
  }
  int reads() const {
    std::lock_guard lock(mu_);
    return reads_;
  }
  std::function<absl::StatusOr<DiskSpace>(const std::filesystem::path&)> Reader() {
    return [this](const std::filesystem::path&) -> absl::StatusOr<DiskSpace> {
      std::lock_guard lock(mu_);
      ++reads_;
      if (failing_) return absl::UnavailableError("test: the volume is gone");
      return space_;
    };
  }

 private:
  mutable std::mutex mu_;
  DiskSpace space_{.free_bytes = 10 * kGiB, .total_bytes = 20 * kGiB};
  bool failing_ = false;
  int reads_ = 0;
};

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class DiskWatchTest : public ::testing::Test {
 protected:
  DiskWatchTest() : metrics_(navette::config::Config(), kinds_) {}

  std::unique_ptr<DiskWatch> MakeWatch(std::chrono::milliseconds interval = 1h) {
    DiskWatchOptions options;
    options.path = "/data/store";
    options.watermark.min_free_bytes = kGiB;
    options.watermark.resume_margin_bytes = 100 * kMiB;
    options.check_interval = interval;
    options.metrics = &metrics_;
    options.read = volume_.Reader();
    return std::make_unique<DiskWatch>(std::move(options));
  }
  std::optional<double> Gauge(const std::string& series) {
    return Sample(metrics_.Render(), series);
  }

  kinds::KindRegistry kinds_;
  Metrics metrics_;
  FakeVolume volume_;
};

TEST_F(DiskWatchTest, GaugesFollowEachReading) {
  auto watch = MakeWatch();
  ASSERT_TRUE(watch->Start().ok());
  // Start read the volume before returning: the first message is decided on it.
  EXPECT_FALSE(watch->intake_paused());
  EXPECT_EQ(Gauge(R"(navette_disk_free_bytes{volume="store"})"), 10.0 * kGiB);
  EXPECT_EQ(Gauge(R"(navette_disk_min_free_bytes{volume="store"})"), 1.0 * kGiB);
  EXPECT_EQ(Gauge(R"(navette_intake_paused{reason="disk_low"})"), 0);

  volume_.Set(kGiB - 1);
  watch->CheckNow();
  EXPECT_TRUE(watch->intake_paused());
  EXPECT_EQ(Gauge(R"(navette_intake_paused{reason="disk_low"})"), 1);
  EXPECT_EQ(Gauge(R"(navette_disk_free_bytes{volume="store"})"), 1.0 * kGiB - 1);

  // Back above the threshold, not above its margin: still paused.
  volume_.Set(kGiB + 50 * kMiB);
  watch->CheckNow();
  EXPECT_TRUE(watch->intake_paused());
  volume_.Set(kGiB + 100 * kMiB);
  watch->CheckNow();
  EXPECT_FALSE(watch->intake_paused());
  EXPECT_EQ(Gauge(R"(navette_intake_paused{reason="disk_low"})"), 0);
}

TEST_F(DiskWatchTest, AFailedReadingKeepsTheLastDecision) {
  auto watch = MakeWatch();
  volume_.Set(kGiB / 2);
  ASSERT_TRUE(watch->Start().ok());
  EXPECT_TRUE(watch->intake_paused());
  volume_.Fail(true);
  watch->CheckNow();
  EXPECT_TRUE(watch->intake_paused());
  volume_.Fail(false);
  volume_.Set(10 * kGiB);
  watch->CheckNow();
  EXPECT_FALSE(watch->intake_paused());
}

TEST_F(DiskWatchTest, StartFailsWhenTheVolumeCannotBeRead) {
  volume_.Fail(true);
  EXPECT_FALSE(MakeWatch()->Start().ok());
}

TEST_F(DiskWatchTest, TheMonitorReadsAtEachInterval) {
  auto watch = MakeWatch(20ms);
  ASSERT_TRUE(watch->Start().ok());
  volume_.Set(kGiB / 2);
  EXPECT_TRUE(WaitFor([&] { return watch->intake_paused(); }, 10s));
  volume_.Set(10 * kGiB);
  EXPECT_TRUE(WaitFor([&] { return !watch->intake_paused(); }, 10s));
  watch->Stop();
}

TEST_F(DiskWatchTest, CommittedBytesPastTheHeadroomPromptAReading) {
  // An interval the test never reaches: only the prompt can read again.
  auto watch = MakeWatch(1h);
  volume_.Set(kGiB + 10 * kMiB);  // 10 MiB of headroom
  ASSERT_TRUE(watch->Start().ok());
  const int reads = volume_.reads();
  watch->Committed(4 * kMiB);
  watch->Committed(4 * kMiB);
  EXPECT_EQ(volume_.reads(), reads) << "no reading while the estimate stays above the threshold";
  volume_.Set(kGiB - kMiB);  // what the disk says once written
  watch->Committed(4 * kMiB);
  EXPECT_TRUE(WaitFor([&] { return watch->intake_paused(); }, 10s));
  EXPECT_EQ(volume_.reads(), reads + 1);
  watch->Stop();
}

// Ingress with a real store and a watch over the fake volume.
class IngressUnderWatermarkTest : public DiskWatchTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("navette-disk-watch-test-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto opened = store::Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    watch_ = MakeWatch();
    ASSERT_TRUE(watch_->Start().ok());
    IngressOptions options;
    options.metrics = &metrics_;
    options.disk_watch = watch_.get();
    ingress_ = std::make_unique<Ingress>(context_, *store_, ids_, options, [] {});
    ASSERT_TRUE(ingress_->Start().ok());
    adapter_ = zmq::socket_t(context_, zmq::socket_type::dealer);
    adapter_.set(zmq::sockopt::linger, 0);
    adapter_.connect(kIngressInprocEndpoint);
  }
  void TearDown() override {
    adapter_.close();
    ingress_.reset();
    watch_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  bus::Confirm Exchange(uint64_t correlation, const std::string& control_id) {
    navette::Envelope envelope;
    envelope.set_source("lab");
    // The retransmission window counts from here.
    envelope.set_received_at_us(std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
    envelope.set_raw("MSH|^~\\&|A|B|C|D|20240101||ORU^R01|" + control_id + "|P|2.5\r");
    envelope.set_content_type("application/hl7-v2");
    envelope.mutable_hl7()->set_control_id(control_id);
    bus::BusRequest request;
    request.mutable_publish()->set_correlation(correlation);
    *request.mutable_publish()->mutable_envelope() = envelope;
    EXPECT_TRUE(adapter_.send(zmq::buffer(request.SerializeAsString()), zmq::send_flags::none));
    zmq::pollitem_t items[] = {{adapter_.handle(), 0, ZMQ_POLLIN, 0}};
    bus::BusReply reply;
    if (zmq::poll(items, 1, 10s) == 0) {
      ADD_FAILURE() << "no confirm for " << control_id;
      return reply.confirm();
    }
    zmq::message_t frame;
    EXPECT_TRUE(adapter_.recv(frame));
    EXPECT_TRUE(reply.ParseFromArray(frame.data(), static_cast<int>(frame.size())));
    EXPECT_EQ(reply.confirm().correlation(), correlation);
    return reply.confirm();
  }

  std::filesystem::path dir_;
  zmq::context_t context_;
  std::unique_ptr<store::Store> store_;
  store::MessageIdGenerator ids_;
  std::unique_ptr<DiskWatch> watch_;
  std::unique_ptr<Ingress> ingress_;
  zmq::socket_t adapter_;
};

TEST_F(IngressUnderWatermarkTest, NewMessagesAreRefusedWhileAStoredOneIsConfirmed) {
  const bus::Confirm stored = Exchange(1, "BEFORE");
  ASSERT_EQ(stored.error(), "");
  ASSERT_NE(stored.message_id(), 0u);

  volume_.Set(kGiB / 2);
  watch_->CheckNow();
  const bus::Confirm refused = Exchange(2, "DURING");
  EXPECT_EQ(refused.message_id(), 0u);
  EXPECT_TRUE(refused.intake_paused());
  EXPECT_FALSE(refused.permanent());
  EXPECT_NE(refused.error().find("low on free space"), std::string::npos) << refused.error();
  EXPECT_EQ(store_->LastMessageId(), stored.message_id()) << "nothing committed";
  EXPECT_EQ(Sample(metrics_.Render(),
                   R"(navette_messages_rejected_total{reason="disk_low",source="lab"})"),
            1);
  EXPECT_EQ(ingress_->stats().paused, 1u);

  // A retransmission of a stored message costs no write: confirmed (AA).
  const bus::Confirm again = Exchange(3, "BEFORE");
  EXPECT_EQ(again.error(), "");
  EXPECT_TRUE(again.duplicate());
  EXPECT_EQ(again.message_id(), stored.message_id());

  volume_.Set(10 * kGiB);
  watch_->CheckNow();
  const bus::Confirm after = Exchange(4, "DURING");
  EXPECT_EQ(after.error(), "");
  EXPECT_NE(after.message_id(), 0u);
  EXPECT_FALSE(after.duplicate()) << "the refused one was never stored";
}

}  // namespace
}  // namespace navette::engine
