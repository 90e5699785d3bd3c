// The audit trail: durable entries, newest first, filtered by user, message
// and time, paged with a cursor that later entries do not shift; and kept
// across a reopen.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "store/test_store.h"

namespace navette::store {
namespace {

AuditEntry Entry(int64_t at_us, const std::string& user, const std::string& action,
                 std::vector<uint64_t> ids = {}) {
  AuditEntry entry;
  entry.set_at_us(at_us);
  entry.set_user(user);
  entry.set_action(action);
  for (uint64_t id : ids) entry.add_message_ids(id);
  return entry;
}

std::vector<std::string> Actions(const AuditPage& page) {
  std::vector<std::string> actions;
  for (const AuditEntry& entry : page.entries) actions.push_back(entry.action());
  return actions;
}

class StoreAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshStoreDir("navette-store-audit");
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto opened = Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }
  AuditPage List(AuditFilter filter) {
    auto page = store_->ListAudit(filter);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *page : AuditPage{};
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreAuditTest, EntriesAreListedNewestFirstAndSurviveAReopen) {
  ASSERT_TRUE(store_->AppendAudit(Entry(1000, "alice", "view_payload", {7})).ok());
  ASSERT_TRUE(store_->AppendAudit(Entry(1000, "bob", "replay", {7, 8})).ok());
  ASSERT_TRUE(store_->AppendAudit(Entry(2000, "alice", "discard", {8})).ok());
  Reopen();
  AuditPage all = List({});
  EXPECT_EQ(Actions(all), (std::vector<std::string>{"discard", "replay", "view_payload"}));
  EXPECT_TRUE(all.next_cursor.empty());
  EXPECT_EQ(all.entries[1].message_ids_size(), 2);
  // Appended after the reopen, in the same microsecond as an earlier one:
  // a distinct entry, listed first.
  ASSERT_TRUE(store_->AppendAudit(Entry(2000, "carol", "release", {9})).ok());
  EXPECT_EQ(List({}).entries.size(), 4u);
  EXPECT_EQ(List({}).entries[0].action(), "release");
}

TEST_F(StoreAuditTest, FiltersByUserMessageAndTime) {
  ASSERT_TRUE(store_->AppendAudit(Entry(1000, "alice", "view_payload", {7})).ok());
  ASSERT_TRUE(store_->AppendAudit(Entry(2000, "bob", "replay", {7, 8})).ok());
  ASSERT_TRUE(store_->AppendAudit(Entry(3000, "alice", "discard", {8})).ok());
  EXPECT_EQ(Actions(List({.user = "alice"})),
            (std::vector<std::string>{"discard", "view_payload"}));
  EXPECT_EQ(Actions(List({.message_id = 8})), (std::vector<std::string>{"discard", "replay"}));
  EXPECT_EQ(Actions(List({.since_us = 2000})), (std::vector<std::string>{"discard", "replay"}));
  EXPECT_EQ(Actions(List({.user = "bob", .message_id = 7, .since_us = 1500})),
            (std::vector<std::string>{"replay"}));
  EXPECT_TRUE(List({.user = "nobody"}).entries.empty());
}

TEST_F(StoreAuditTest, TheCursorWalksEveryEntryOnceWhateverIsAppendedMeanwhile) {
  for (int i = 1; i <= 25; ++i) {
    ASSERT_TRUE(store_->AppendAudit(Entry(i * 10, "alice", "view_payload", {uint64_t(i)})).ok());
  }
  std::vector<uint64_t> seen;
  AuditFilter filter{.limit = 10};
  for (int pages = 0; pages < 5; ++pages) {
    AuditPage page = List(filter);
    for (const AuditEntry& entry : page.entries) seen.push_back(entry.message_ids(0));
    // A newer entry between two pages does not shift the next one.
    ASSERT_TRUE(store_->AppendAudit(Entry(1000 + pages, "bob", "replay", {99})).ok());
    if (page.next_cursor.empty()) break;
    filter.cursor = page.next_cursor;
  }
  ASSERT_EQ(seen.size(), 25u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 25 - i);
}

TEST_F(StoreAuditTest, AnUnreadableCursorIsRefused) {
  auto page = store_->ListAudit({.cursor = "zz"});
  ASSERT_FALSE(page.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(page.status()));
  EXPECT_EQ(page.status().message(), "'zz' is not a cursor of the audit list");
}

}  // namespace
}  // namespace navette::store
