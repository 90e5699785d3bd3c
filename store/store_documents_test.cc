// The documents CF: the versions build_cda emitted, written with the routing
// decision that built them, found by document id, kept across a reopen, and
// created when a store from before it is opened.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "store/keys.h"
#include "store/store.h"
#include "store/test_store.h"

namespace navette::store {
namespace {

DocumentVersion Version(const std::string& id, const std::string& set_id, uint32_t version,
                        const std::string& parent_id = "") {
  DocumentVersion document;
  document.set_id(id);
  document.set_set_id(set_id);
  document.set_version(version);
  document.set_parent_id(parent_id);
  document.set_message_id(7);
  document.set_at_us(1700000000000000);
  return document;
}

class StoreDocumentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshStoreDir("navette-store-documents");
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
    ASSERT_TRUE(store_->EnsureQueues({"outbox"}).ok());
  }
  // Ingests message `id` and commits its routing to "outbox" with these
  // document versions.
  absl::Status Route(uint64_t id, std::vector<DocumentVersion> versions) {
    const navette::Envelope envelope = MakeTestEnvelope("c" + std::to_string(id));
    IngressRecord record{id, &envelope, "hash"};
    if (absl::Status ingested = store_->CommitIngress({&record, 1}); !ingested.ok()) {
      return ingested;
    }
    RoutingDecision decision;
    decision.id = id;
    decision.routes = {"cda"};
    decision.deliveries.push_back({"cda", "outbox", "", false, ""});
    decision.document_versions = std::move(versions);
    return store_->CommitRouting({&decision, 1}, "v1");
  }
  std::optional<DocumentVersion> Find(const std::string& id) {
    auto found = store_->GetDocumentVersion(id);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *found : std::nullopt;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreDocumentsTest, RoutingWritesEachVersionUnderItsId) {
  ASSERT_TRUE(Route(10, {Version("1.2.250.1.999.1.1", "1.2.250.1.999.1.2", 1)}).ok());
  ASSERT_TRUE(
      Route(11, {Version("1.2.250.1.999.1.3", "1.2.250.1.999.1.2", 2, "1.2.250.1.999.1.1")}).ok());

  std::optional<DocumentVersion> first = Find("1.2.250.1.999.1.1");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->set_id(), "1.2.250.1.999.1.2");
  EXPECT_EQ(first->version(), 1u);
  EXPECT_EQ(first->parent_id(), "");
  std::optional<DocumentVersion> second = Find("1.2.250.1.999.1.3");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->set_id(), "1.2.250.1.999.1.2");
  EXPECT_EQ(second->version(), 2u);
  EXPECT_EQ(second->parent_id(), "1.2.250.1.999.1.1");
}

TEST_F(StoreDocumentsTest, EachSetListsItsVersionsInOrder) {
  // Version 2 is routed first (a replay may come in any order); another
  // set whose id extends this one's is not listed with it.
  ASSERT_TRUE(
      Route(11, {Version("1.2.250.1.999.1.3", "1.2.250.1.999.1.2", 2, "1.2.250.1.999.1.1")}).ok());
  ASSERT_TRUE(Route(10, {Version("1.2.250.1.999.1.1", "1.2.250.1.999.1.2", 1)}).ok());
  ASSERT_TRUE(Route(12, {Version("1.2.250.1.999.1.5", "1.2.250.1.999.1.22", 1)}).ok());

  auto set = store_->GetDocumentSet("1.2.250.1.999.1.2");
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->size(), 2u);
  EXPECT_EQ((*set)[0].id(), "1.2.250.1.999.1.1");
  EXPECT_EQ((*set)[0].version(), 1u);
  EXPECT_EQ((*set)[1].id(), "1.2.250.1.999.1.3");
  EXPECT_EQ((*set)[1].version(), 2u);
  auto other = store_->GetDocumentSet("1.2.250.1.999.1.22");
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(other->size(), 1u);
  EXPECT_EQ((*other)[0].id(), "1.2.250.1.999.1.5");
  auto none = store_->GetDocumentSet("1.2.250.1.999.9");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // The set's entries are not versions: a lookup by id never sees them.
  EXPECT_FALSE(Find("1.2.250.1.999.1.2").has_value());
}

TEST_F(StoreDocumentsTest, AnIdNeverEmittedIsNotFound) {
  ASSERT_TRUE(Route(10, {Version("1.2.250.1.999.1.1", "1.2.250.1.999.1.2", 1)}).ok());
  EXPECT_FALSE(Find("1.2.250.1.999.1").has_value());    // a prefix is another id
  EXPECT_FALSE(Find("1.2.250.1.999.1.2").has_value());  // a setId is not a version's id
}

TEST_F(StoreDocumentsTest, VersionsSurviveAReopen) {
  ASSERT_TRUE(Route(10, {Version("1.2.250.1.999.1.1", "1.2.250.1.999.1.2", 1)}).ok());
  Reopen();
  std::optional<DocumentVersion> found = Find("1.2.250.1.999.1.1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->set_id(), "1.2.250.1.999.1.2");
  EXPECT_EQ(found->message_id(), 7u);
}

TEST_F(StoreDocumentsTest, AVersionWithoutIdRefusesTheWholeBatch) {
  absl::Status routed = Route(10, {Version("1.2.250.1.999.1.1", "1.2.250.1.999.1.2", 1),
                                   Version("", "1.2.250.1.999.1.2", 1)});
  EXPECT_EQ(routed.code(), absl::StatusCode::kInvalidArgument) << routed;
  EXPECT_NE(routed.message().find("has no id"), std::string_view::npos) << routed;
  EXPECT_FALSE(Find("1.2.250.1.999.1.1").has_value());  // nothing half-written
  auto state = store_->GetState(10);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->status(), RECEIVED);
}

// A store written before the documents CF existed: opening it creates the
// CF, and versions are then written and read as in a new store.
TEST(StoreDocumentsMigrationTest, OpeningAnOlderStoreCreatesTheDocumentsColumnFamily) {
  const std::filesystem::path dir = FreshStoreDir("navette-store-documents-migration");
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* journal = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), kJournalCf, &journal).ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(journal).ok());
  }
  std::vector<std::string> before;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.string(), &before).ok());
  ASSERT_EQ(std::count(before.begin(), before.end(), kDocumentsCf), 0);
  {
    auto opened = Store::Open(dir.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    auto missing = (*opened)->GetDocumentVersion("1.2.250.1.999.1.1");
    ASSERT_TRUE(missing.ok()) << missing.status();
    EXPECT_FALSE(missing->has_value());
  }
  std::vector<std::string> after;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.string(), &after).ok());
  EXPECT_EQ(std::count(after.begin(), after.end(), kDocumentsCf), 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace navette::store
