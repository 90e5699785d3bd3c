// The INS index (index.ins) against a real RocksDB, and the documents that
// name their patient by the INS alone.
#include "store/identity_test_fixture.h"

#include <rocksdb/db.h>

namespace navette::store::identity_test {
namespace {

// ---- the INS index and documents named by their INS alone

constexpr char kTestOid[] = "1.2.250.1.213.1.4.10";
constexpr char kMatricule[] = "279035121518989";  // Record()'s INS

TEST_F(StoreIdentityTest, InsIndexFollowsEveryIdentityWrite) {
  auto found = [&](const std::string& matricule) {
    auto patients = store_->FindPatientsByIns(kTestOid, matricule);
    EXPECT_TRUE(patients.ok()) << patients.status();
    return patients.ok() ? *patients : std::vector<std::string>();
  };
  EXPECT_TRUE(found(kMatricule).empty());

  // A31: S is qualified with the INS.
  const uint64_t a31 = Ingest("a31", "ADT^A31");
  IdentityUpdate update;
  update.patient = kSurvivor;
  update.identity = Record("S", identity::QUALIFIED);
  update.change = Change(a31, "A31", "created (qualified, with INS)");
  ASSERT_TRUE(CommitAdt(a31, update).ok());
  EXPECT_THAT(found(kMatricule), ElementsAre(kSurvivor));
  EXPECT_TRUE(found("27903512151898").empty());  // a prefix of it is another INS
  EXPECT_TRUE(store_->FindPatientsByIns("1.2.250.1.213.1.4.8", kMatricule)->empty());

  // A08: the DPI corrects S's INS; the old one no longer names S.
  const uint64_t a08 = Ingest("a08", "ADT^A08");
  update.identity.mutable_ins()->set_matricule("180032B02040123");
  update.change = Change(a08, "A08", "INS changed");
  ASSERT_TRUE(CommitAdt(a08, update).ok());
  EXPECT_TRUE(found(kMatricule).empty());
  EXPECT_THAT(found("180032B02040123"), ElementsAre(kSurvivor));

  // A40: P1, with the first INS, is absorbed by S: it keeps its INS and its
  // entry, which a lookup follows to S.
  const uint64_t a28 = Ingest("a28", "ADT^A28");
  IdentityUpdate prior;
  prior.patient = kPrior;
  prior.identity = Record("P1", identity::QUALIFIED);
  prior.change = Change(a28, "A28", "created (qualified, with INS)");
  ASSERT_TRUE(CommitAdt(a28, prior).ok());
  EXPECT_THAT(found(kMatricule), ElementsAre(kPrior));
  const uint64_t a40 = Ingest("a40", "ADT^A40");
  IdentityUpdate merge = update;
  merge.change = Change(a40, "A40", "no change; absorbed another IPP");
  merge.prior = kPrior;
  merge.prior_identity = prior.identity;
  merge.prior_identity.set_merged_into(kSurvivor);
  merge.prior_change = Change(a40, "A40", "merged into another IPP");
  ASSERT_TRUE(CommitAdt(a40, merge).ok());
  EXPECT_THAT(found(kMatricule), ElementsAre(kPrior));
  EXPECT_THAT(found("180032B02040123"), ElementsAre(kSurvivor));

  // A record without an INS any more leaves the index.
  const uint64_t removed = Ingest("a08-2", "ADT^A08");
  update.identity.clear_ins();
  update.change = Change(removed, "A08", "INS removed");
  ASSERT_TRUE(CommitAdt(removed, update).ok());
  EXPECT_TRUE(found("180032B02040123").empty());
}

TEST_F(StoreIdentityTest, DocumentParkedUnderItsInsIsReleasedByTheUpdateThatQualifiesIt) {
  const std::string ins_key = InsParkKey(kTestOid, kMatricule);
  const std::string other_key = InsParkKey(kTestOid, "180032B02040123");
  const uint64_t doc = IngestParked("doc", ins_key);
  const uint64_t other = IngestParked("other", other_key);
  EXPECT_THAT(Parked(ins_key), ElementsAre(doc));

  // S is created provisional with that INS: nothing may be released.
  const uint64_t a28 = Ingest("a28", "ADT^A28");
  IdentityUpdate update;
  update.patient = kSurvivor;
  update.identity = Record("S", identity::QUALIFIED);
  update.identity.set_status(identity::PROVISIONAL);
  update.change = Change(a28, "A28", "created (provisional, with INS)");
  update.release = false;
  ASSERT_TRUE(CommitAdt(a28, update).ok());
  EXPECT_TRUE(tickets_.empty());
  EXPECT_EQ(State(doc).status(), PARKED);

  // An A31 qualifies S: the document that named it by its INS goes back to
  // the router, the one naming another INS waits on.
  const uint64_t a31 = Ingest("a31", "ADT^A31");
  update.identity.set_status(identity::QUALIFIED);
  update.change = Change(a31, "A31", "status provisional -> qualified");
  update.release = true;
  ASSERT_TRUE(CommitAdt(a31, update).ok());
  ASSERT_EQ(tickets_.size(), 1u);
  EXPECT_TRUE(Parked(ins_key).empty());
  EXPECT_EQ(State(doc).status(), RECEIVED);
  EXPECT_EQ(State(doc).parked_size(), 0);
  std::vector<RouterQueueEntry> queue = RouterQueue();
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].key_id, tickets_[0]);
  EXPECT_EQ(queue[0].message_id, doc);
  EXPECT_THAT(queue[0].routes, ElementsAre("lab"));
  EXPECT_TRUE(HasEvent(History(doc), EVENT_RELEASED, "identity qualified by A31"));
  EXPECT_THAT(Parked(other_key), ElementsAre(other));
  EXPECT_EQ(State(other).status(), PARKED);
}

TEST_F(StoreIdentityTest, StoreFromBeforeTheInsIndexIsIndexedWhenOpened) {
  const uint64_t a31 = Ingest("a31", "ADT^A31");
  IdentityUpdate update;
  update.patient = kSurvivor;
  update.identity = Record("S", identity::QUALIFIED);
  update.change = Change(a31, "A31", "created (qualified, with INS)");
  ASSERT_TRUE(CommitAdt(a31, update).ok());
  store_.reset();

  // Take index.ins away, as a store written by an older navette has none.
  {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_.string(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names)
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(rocksdb::DBOptions(), dir_.string(), descriptors, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      if (handle->GetName() == kInsIndexCf) {
        ASSERT_TRUE(db->DropColumnFamily(handle).ok());
      }
      ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
    }
  }
  auto reopened = Store::Open(dir_.string());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store_ = std::move(*reopened);
  auto patients = store_->FindPatientsByIns(kTestOid, kMatricule);
  ASSERT_TRUE(patients.ok()) << patients.status();
  EXPECT_THAT(*patients, ElementsAre(kSurvivor));
}

}  // namespace
}  // namespace navette::store::identity_test
