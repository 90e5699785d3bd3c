// Search: each filter alone and combined, time bounds, and a cursor that
// walks past 10,000 results, against a real store; the index holds no IPP
// or INS in clear.
#include <gtest/gtest.h>

#include <filesystem>

#include <rocksdb/db.h>

#include "store/keys.h"
#include "store/message_id.h"
#include "store/store.h"
#include "store/test_store.h"

namespace navette::store {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;
constexpr int64_t kT0 = 1'764'547'200'000'000;  // 2025-12-01T00:00:00Z

// An id received `day` days after kT0, the `n`th of that millisecond.
uint64_t IdOn(int day, uint64_t n) { return MessageIdLowerBound(kT0 + day * kDayUs) + n; }

class StoreSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshStoreDir("navette-store-search");
    auto opened = Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Commits one message of `source` with MSH-10 `control_id` naming `ipp`
  // (and `ins` if given).
  void Receive(uint64_t id, const std::string& source, const std::string& control_id,
               const std::string& ipp, const std::string& ins = "") {
    navette::Envelope envelope = MakeTestEnvelope(control_id);
    envelope.set_source(source);
    IngressRecord record{id, &envelope, "hash", {}};
    record.patient.ipps.push_back(ipp);
    if (!ins.empty()) record.patient.ins.push_back(ins);
    ASSERT_TRUE(store_->CommitIngress({&record, 1}).ok());
  }
  std::vector<uint64_t> Ids(const SearchFilter& filter) {
    auto page = store_->Search(filter);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<uint64_t> ids;
    if (page.ok()) {
      for (const ListedMessage& message : page->messages) ids.push_back(message.id);
    }
    return ids;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreSearchTest, EachFilterAloneAndCombined) {
  Receive(IdOn(0, 1), "dpi", "C-1", "IPP-A", "1234567890123");
  Receive(IdOn(1, 1), "sgl", "C-2", "IPP-A");
  Receive(IdOn(2, 1), "sgl", "C-3", "IPP-B");
  Receive(IdOn(3, 1), "dpi", "C-1", "IPP-B");  // a control id reused by its producer

  EXPECT_EQ(Ids({.ipp = "IPP-A"}), (std::vector{IdOn(1, 1), IdOn(0, 1)}));
  EXPECT_EQ(Ids({.ins = "1234567890123"}), (std::vector{IdOn(0, 1)}));
  EXPECT_EQ(Ids({.control_id = "C-1"}), (std::vector{IdOn(3, 1), IdOn(0, 1)}));
  EXPECT_EQ(Ids({.source = "sgl"}), (std::vector{IdOn(2, 1), IdOn(1, 1)}));
  EXPECT_EQ(Ids({.status = RECEIVED}).size(), 4u);
  EXPECT_EQ(Ids({.ipp = "IPP-B", .source = "dpi"}), (std::vector{IdOn(3, 1)}));
  EXPECT_EQ(Ids({.ipp = "IPP-A", .control_id = "C-1", .source = "dpi"}), (std::vector{IdOn(0, 1)}));
  EXPECT_TRUE(Ids({.ipp = "IPP-A", .control_id = "C-3"}).empty());
  EXPECT_TRUE(Ids({.ipp = "IPP-C"}).empty());
  EXPECT_TRUE(Ids({.ipp = "IPP-A", .status = ROUTED}).empty());
  // Time bounds, on their own and with an index.
  EXPECT_EQ(Ids({.since_us = kT0 + 1 * kDayUs, .until_us = kT0 + 3 * kDayUs}),
            (std::vector{IdOn(2, 1), IdOn(1, 1)}));
  EXPECT_EQ(Ids({.ipp = "IPP-B", .since_us = kT0 + 3 * kDayUs}), (std::vector{IdOn(3, 1)}));
  EXPECT_EQ(Ids({.source = "sgl", .until_us = kT0 + 2 * kDayUs}), (std::vector{IdOn(1, 1)}));
  EXPECT_EQ(Ids({.status = RECEIVED, .since_us = kT0 + 2 * kDayUs}),
            (std::vector{IdOn(3, 1), IdOn(2, 1)}));
}

TEST_F(StoreSearchTest, ByDocumentIdAndSetId) {
  ASSERT_TRUE(store_->EnsureQueues({"outbox"}).ok());
  // Two versions of one document, by two messages; a third message with
  // another document.
  auto route = [&](uint64_t id, const std::string& document, const std::string& set,
                   uint32_t version) {
    Receive(id, "dpi", "C-" + std::to_string(version), "IPP-A");
    DocumentVersion emitted;
    emitted.set_id(document);
    emitted.set_set_id(set);
    emitted.set_version(version);
    emitted.set_message_id(id);
    RoutingDecision decision;
    decision.id = id;
    decision.routes = {"cda"};
    decision.deliveries.push_back({"cda", "outbox", "", false, ""});
    decision.document_versions = {emitted};
    ASSERT_TRUE(store_->CommitRouting({&decision, 1}, "v1").ok());
  };
  route(IdOn(0, 1), "1.2.250.1.999.1.1", "1.2.250.1.999.2.1", 1);
  route(IdOn(1, 1), "1.2.250.1.999.1.2", "1.2.250.1.999.2.1", 2);
  route(IdOn(2, 1), "1.2.250.1.999.1.3", "1.2.250.1.999.2.9", 1);
  EXPECT_EQ(Ids({.document_id = "1.2.250.1.999.1.2"}), (std::vector{IdOn(1, 1)}));
  EXPECT_EQ(Ids({.set_id = "1.2.250.1.999.2.1"}), (std::vector{IdOn(1, 1), IdOn(0, 1)}));
  EXPECT_EQ(Ids({.document_id = "1.2.250.1.999.1.3", .set_id = "1.2.250.1.999.2.1"}),
            std::vector<uint64_t>{});
  EXPECT_EQ(Ids({.set_id = "1.2.250.1.999.2.1", .since_us = kT0 + kDayUs}),
            (std::vector{IdOn(1, 1)}));
  EXPECT_EQ(Ids({.ipp = "IPP-A", .set_id = "1.2.250.1.999.2.1", .status = QUEUED}).size(), 2u);
  EXPECT_TRUE(Ids({.document_id = "1.2.250.1.999.1.404"}).empty());
}

TEST_F(StoreSearchTest, TheCursorWalksPastTenThousandResults) {
  constexpr uint64_t kMessages = 10'050;
  std::vector<navette::Envelope> envelopes(kMessages);
  std::vector<IngressRecord> records(kMessages);
  for (uint64_t i = 0; i < kMessages; ++i) {
    envelopes[i] = MakeTestEnvelope("C-" + std::to_string(i));
    records[i] = IngressRecord{IdOn(static_cast<int>(i / 1000), i), &envelopes[i], "hash", {}};
    records[i].patient.ipps.push_back(i % 2 == 0 ? "IPP-EVEN" : "IPP-ODD");
  }
  for (uint64_t start = 0; start < kMessages; start += 1000) {
    const size_t count = std::min<uint64_t>(1000, kMessages - start);
    ASSERT_TRUE(store_->CommitIngress({records.data() + start, count}).ok());
  }
  SearchFilter filter{.ipp = "IPP-EVEN", .limit = 1000};
  std::vector<uint64_t> seen;
  int pages = 0;
  while (true) {
    auto page = store_->Search(filter);
    ASSERT_TRUE(page.ok()) << page.status();
    ++pages;
    for (const ListedMessage& message : page->messages) seen.push_back(message.id);
    if (page->next_before_id == 0) break;
    filter.before_id = page->next_before_id;
  }
  EXPECT_EQ(pages, 6);  // 5,025 even messages, 1,000 a page
  ASSERT_EQ(seen.size(), kMessages / 2);
  for (size_t i = 1; i < seen.size(); ++i) ASSERT_GT(seen[i - 1], seen[i]);
  // Every message, unfiltered, in pages of 10,000: the second page exists.
  SearchFilter all{.limit = 10'000};
  auto first = store_->Search(all);
  ASSERT_TRUE(first.ok());
  ASSERT_NE(first->next_before_id, 0u);
  all.before_id = first->next_before_id;
  auto second = store_->Search(all);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->messages.size(), kMessages - 10'000);
  EXPECT_EQ(second->next_before_id, 0u);
}

TEST_F(StoreSearchTest, TheIndexHoldsNoIdentifierInClear) {
  Receive(IdOn(0, 1), "dpi", "C-1", "IPP-CLEAR-77", "2790351215189");
  store_.reset();
  rocksdb::Options options;
  std::vector<std::string> families;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(options, dir_.string(), &families).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : families) descriptors.emplace_back(name, options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(
      rocksdb::DB::OpenForReadOnly(options, dir_.string(), descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  size_t entries = 0;
  for (size_t i = 0; i < families.size(); ++i) {
    if (families[i] != kSearchIndexCf) continue;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++entries;
      EXPECT_EQ(it->key().size(), 25u);
      EXPECT_EQ(it->key().ToString().find("IPP-CLEAR-77"), std::string::npos);
      EXPECT_EQ(it->key().ToString().find("2790351215189"), std::string::npos);
    }
  }
  EXPECT_EQ(entries, 4u);  // source, control id, IPP, INS
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
}

}  // namespace
}  // namespace navette::store
