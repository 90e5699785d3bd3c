#include "adapters/file/file_destination.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <fstream>
#include <sstream>

#include "store/message_id.h"

namespace navette::adapters::file {
namespace {

class FileDestinationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::filesystem::temp_directory_path() /
            ("navette-file-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_);
  }
  void TearDown() override { std::filesystem::remove_all(base_); }
  std::filesystem::path base_;
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST_F(FileDestinationTest, WritesOneFileNamedByIdWithTheExactBytes) {
  navette::config::FileDestination config;
  config.set_directory("outbox");  // relative: under the base directory
  auto destination = FileDestination::Create(config, base_);
  ASSERT_TRUE(destination.ok()) << destination.status();
  EXPECT_EQ((*destination)->directory(), base_ / "outbox");

  navette::store::StoredMessage message;
  message.mutable_envelope()->set_raw(std::string("MSH|^~\\&|A\rPID|||1\r\xc3\xa9", 22));
  DeliveryRequest request{0x0123456789abcdefULL, "r", &message, 0};
  DeliveryResult result = (*destination)->Deliver(request);
  ASSERT_EQ(result.outcome, DeliveryResult::Outcome::kDelivered) << result.detail;

  const auto path = base_ / "outbox" / "0123456789abcdef.hl7";
  EXPECT_EQ(ReadFile(path), message.envelope().raw());
  // No temporary file left behind.
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(base_ / "outbox")) {
    ++files;
  }
  EXPECT_EQ(files, 1);

  // Delivering again (after a crash) rewrites the same file.
  result = (*destination)->Deliver(request);
  ASSERT_EQ(result.outcome, DeliveryResult::Outcome::kDelivered);
  EXPECT_EQ(ReadFile(path), message.envelope().raw());
}

TEST_F(FileDestinationTest, FailureToPlaceTheFileIsTransientAndLeavesNoPartialFile) {
  navette::config::FileDestination config;
  config.set_directory((base_ / "out").string());
  config.set_suffix(".txt");
  auto destination = FileDestination::Create(config, base_);
  ASSERT_TRUE(destination.ok());
  // A directory standing where the file must go makes the rename fail, even
  // for root (which ignores permission bits).
  std::filesystem::create_directories(base_ / "out" / "0000000000000001.txt" / "blocker");
  navette::store::StoredMessage message;
  message.mutable_envelope()->set_raw("MSH|");
  DeliveryResult result = (*destination)->Deliver({1, "r", &message, 0});
  EXPECT_EQ(result.outcome, DeliveryResult::Outcome::kTransient);
  EXPECT_NE(result.detail.find("cannot rename"), std::string::npos) << result.detail;
  EXPECT_TRUE(std::filesystem::is_directory(base_ / "out" / "0000000000000001.txt"));
  EXPECT_FALSE(std::filesystem::exists(base_ / "out" / ".0000000000000001.txt.tmp"));
}

TEST_F(FileDestinationTest, BatchReportsEachMessageOnItsOwn) {
  navette::config::FileDestination config;
  config.set_directory("out");
  auto destination = FileDestination::Create(config, base_);
  ASSERT_TRUE(destination.ok());
  std::filesystem::create_directories(base_ / "out" / "0000000000000002.hl7" / "blocker");
  std::vector<navette::store::StoredMessage> messages(3);
  std::vector<DeliveryRequest> requests;
  for (uint64_t i = 0; i < 3; ++i) {
    messages[i].mutable_envelope()->set_raw("MSH|" + std::to_string(i + 1));
    requests.push_back({i + 1, "r", &messages[i], 0});
  }
  std::vector<DeliveryResult> results = (*destination)->DeliverBatch(requests);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].outcome, DeliveryResult::Outcome::kDelivered);
  EXPECT_EQ(results[1].outcome, DeliveryResult::Outcome::kTransient);
  EXPECT_EQ(results[2].outcome, DeliveryResult::Outcome::kDelivered);
  EXPECT_EQ(ReadFile(base_ / "out" / "0000000000000001.hl7"), "MSH|1");
  EXPECT_EQ(ReadFile(base_ / "out" / "0000000000000003.hl7"), "MSH|3");
  for (const auto& entry : std::filesystem::directory_iterator(base_ / "out")) {
    EXPECT_NE(entry.path().filename().string().front(), '.') << entry.path();
  }
}

// Where the file system has O_TMPFILE (ext4, xfs, btrfs, tmpfs), files are
// written unnamed and linked into place; delivering again replaces the file
// that is there (a link alone would fail on it) and leaves nothing else.
TEST_F(FileDestinationTest, UnnamedFilesAreLinkedAndReplaceAnEarlierDelivery) {
  const int probe = ::open(base_.c_str(), O_TMPFILE | O_WRONLY, 0600);
  if (probe < 0) GTEST_SKIP() << "no O_TMPFILE on " << base_ << ": the named way is tested above";
  ::close(probe);
  navette::config::FileDestination config;
  config.set_directory("out");
  config.set_sync(navette::config::FileDestination::SYNCFS);
  auto destination = FileDestination::Create(config, base_);
  ASSERT_TRUE(destination.ok());
  ASSERT_TRUE((*destination)->unnamed_files());

  std::ofstream(base_ / "out" / "0000000000000002.hl7") << "an earlier delivery, longer";
  // A new file never goes through a temporary name: a directory in the way
  // of message 1's would fail the named way (EISDIR), not this one.
  ASSERT_EQ(::mkdir((base_ / "out" / ".0000000000000001.hl7.tmp").c_str(), 0700), 0);
  std::vector<navette::store::StoredMessage> messages(3);
  std::vector<DeliveryRequest> requests;
  for (uint64_t i = 0; i < 3; ++i) {
    messages[i].mutable_envelope()->set_raw("MSH|" + std::to_string(i + 1));
    requests.push_back({i + 1, "r", &messages[i], 0});
  }
  for (const DeliveryResult& result : (*destination)->DeliverBatch(requests)) {
    EXPECT_EQ(result.outcome, DeliveryResult::Outcome::kDelivered) << result.detail;
  }
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(base_ / "out")) {
    names.push_back(entry.path().filename().string());
    EXPECT_EQ(entry.status().permissions() & std::filesystem::perms::others_all,
              std::filesystem::perms::none);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{".0000000000000001.hl7.tmp", "0000000000000001.hl7",
                                             "0000000000000002.hl7", "0000000000000003.hl7"}));
  EXPECT_EQ(ReadFile(base_ / "out" / "0000000000000002.hl7"), "MSH|2");
}

TEST_F(FileDestinationTest, MissingDirectoryPathThatCannotBeCreatedIsAnError) {
  std::ofstream(base_ / "a-file") << "x";
  navette::config::FileDestination config;
  config.set_directory((base_ / "a-file" / "sub").string());
  auto destination = FileDestination::Create(config, base_);
  EXPECT_FALSE(destination.ok());
}

}  // namespace
}  // namespace navette::adapters::file
