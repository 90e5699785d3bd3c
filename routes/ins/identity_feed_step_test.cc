#include "routes/ins/identity_feed_step.h"
#include "routes/ins/test_identities.h"

#include <map>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "routes/ins/identity_feed.h"

namespace navette::routes::ins {
namespace {

using google::protobuf::util::MessageDifferencer;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using Kind = IdentityFeedEvent::Kind;

using FakeReader = MemoryIdentityReader;

constexpr std::string_view kAuthority = kTestAuthority;
const std::string kSurvivorKey = std::string("IPP42\x1f") + std::string(kAuthority);
const std::string kPriorKey = std::string("IPP17\x1f") + std::string(kAuthority);
constexpr uint64_t kMessageId = 0x0123456789abcdef;
constexpr int64_t kNow = 1767268800000000;

// The ANS test patient as the feed reads it, with `status`; the INS only
// when `with_ins`.
identity::Identity PatTrois(std::string_view ipp, identity::IdentityStatus status, bool with_ins) {
  return TestPatient(ipp, status, with_ins);
}

IdentityFeedEvent Event(Kind kind, std::string trigger, const std::string& patient_key,
                        identity::Identity identity) {
  IdentityFeedEvent event;
  event.kind = kind;
  event.trigger = std::move(trigger);
  event.patient_key = patient_key;
  event.identity = std::move(identity);
  return event;
}

IdentityFeedResult PlanOk(const IdentityFeedEvent& event, const IdentityReader& reader) {
  auto result = PlanIdentityUpdate(event, reader, kMessageId, kNow);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : IdentityFeedResult{};
}

TEST(PlanIdentityUpdateTest, IgnoredEventChangesNothing) {
  FakeReader reader;
  // An ignored event is not looked up: even a failing store lets it through.
  reader.error = absl::UnavailableError("store is closed");
  IdentityFeedEvent event;
  event.kind = Kind::kIgnored;
  event.trigger = "A02";
  event.patient_key = kSurvivorKey;
  IdentityFeedResult result = PlanOk(event, reader);
  EXPECT_FALSE(result.update.has_value());
  EXPECT_THAT(result.detail, HasSubstr("A02"));
  EXPECT_THAT(result.detail, Not(HasSubstr("IPP42")));
}

TEST(PlanIdentityUpdateTest, CreatesAProvisionalIdentityWithoutRelease) {
  FakeReader reader;
  const identity::Identity sent = PatTrois("IPP42", identity::PROVISIONAL, false);
  IdentityFeedResult result = PlanOk(Event(Kind::kUpdate, "A28", kSurvivorKey, sent), reader);
  ASSERT_TRUE(result.update.has_value());
  const store::IdentityUpdate& update = *result.update;
  EXPECT_EQ(update.patient, kSurvivorKey);
  EXPECT_EQ(update.change.summary(), "created (provisional)");
  EXPECT_EQ(update.change.trigger(), "A28");
  EXPECT_EQ(update.change.message_id(), kMessageId);
  EXPECT_EQ(update.change.at_us(), kNow);
  EXPECT_FALSE(update.change.has_before());
  EXPECT_FALSE(update.release);
  EXPECT_TRUE(update.prior.empty());
  // The record is the event's, stamped with the ADT and the time.
  EXPECT_EQ(update.identity.updated_at_us(), kNow);
  EXPECT_EQ(update.identity.updated_by(), kMessageId);
  identity::Identity unstamped = update.identity;
  unstamped.clear_updated_at_us();
  unstamped.clear_updated_by();
  EXPECT_TRUE(MessageDifferencer::Equals(unstamped, sent));
  EXPECT_THAT(result.detail, HasSubstr("A28"));
  EXPECT_THAT(result.detail, HasSubstr("created (provisional)"));
}

TEST(PlanIdentityUpdateTest, CreatesAQualifiedIdentityWithInsAndReleases) {
  FakeReader reader;
  IdentityFeedResult result = PlanOk(
      Event(Kind::kUpdate, "A28", kSurvivorKey, PatTrois("IPP42", identity::QUALIFIED, true)),
      reader);
  ASSERT_TRUE(result.update.has_value());
  EXPECT_EQ(result.update->change.summary(), "created (qualified, with INS)");
  EXPECT_TRUE(result.update->release);
}

TEST(PlanIdentityUpdateTest, QualifiedWithoutEveryTraitDoesNotRelease) {
  FakeReader reader;
  identity::Identity sent = PatTrois("IPP42", identity::QUALIFIED, true);
  sent.mutable_traits()->clear_birthplace_code();
  IdentityFeedResult result = PlanOk(Event(Kind::kUpdate, "A28", kSurvivorKey, sent), reader);
  ASSERT_TRUE(result.update.has_value());
  EXPECT_FALSE(result.update->release);

  identity::Identity without_ins = PatTrois("IPP42", identity::QUALIFIED, false);
  result = PlanOk(Event(Kind::kUpdate, "A28", kSurvivorKey, without_ins), reader);
  ASSERT_TRUE(result.update.has_value());
  EXPECT_EQ(result.update->change.summary(), "created (qualified)");
  EXPECT_FALSE(result.update->release);

  identity::Identity doubtful = PatTrois("IPP42", identity::QUALIFIED, true);
  doubtful.set_doubtful(true);
  result = PlanOk(Event(Kind::kUpdate, "A28", kSurvivorKey, doubtful), reader);
  ASSERT_TRUE(result.update.has_value());
  EXPECT_FALSE(result.update->release);
}

TEST(PlanIdentityUpdateTest, QualifyingAnExistingRecordNamesTheChanges) {
  FakeReader reader;
  identity::Identity stored = PatTrois("IPP42", identity::PROVISIONAL, false);
  stored.set_updated_by(7);
  reader.records[kSurvivorKey] = stored;
  IdentityFeedResult result = PlanOk(
      Event(Kind::kUpdate, "A31", kSurvivorKey, PatTrois("IPP42", identity::QUALIFIED, true)),
      reader);
  ASSERT_TRUE(result.update.has_value());
  const store::IdentityUpdate& update = *result.update;
  EXPECT_EQ(update.change.summary(), "status provisional -> qualified, INS set");
  ASSERT_TRUE(update.change.has_before());
  EXPECT_TRUE(MessageDifferencer::Equals(update.change.before(), stored));
  EXPECT_EQ(update.identity.updated_by(), kMessageId);
  EXPECT_TRUE(update.release);
  EXPECT_THAT(update.change.summary(), Not(HasSubstr("279035121518989")));
}

TEST(PlanIdentityUpdateTest, ChangedTraitIsNamedWithoutItsValue) {
  FakeReader reader;
  identity::Identity stored = PatTrois("IPP42", identity::PROVISIONAL, false);
  stored.mutable_traits()->set_birth_name("PAT-TRIOS");  // a typo the DPI fixed
  reader.records[kSurvivorKey] = stored;
  IdentityFeedResult result = PlanOk(
      Event(Kind::kUpdate, "A31", kSurvivorKey, PatTrois("IPP42", identity::PROVISIONAL, false)),
      reader);
  ASSERT_TRUE(result.update.has_value());
  const std::string& summary = result.update->change.summary();
  EXPECT_EQ(summary, "traits changed: birth_name");
  for (const std::string& text : {summary, result.detail}) {
    EXPECT_THAT(text, Not(HasSubstr("PAT-TROIS")));
    EXPECT_THAT(text, Not(HasSubstr("PAT-TRIOS")));
    EXPECT_THAT(text, Not(HasSubstr("IPP42")));
  }
  EXPECT_FALSE(result.update->release);
}

TEST(PlanIdentityUpdateTest, UpdateOfAMergedIppIsRefused) {
  FakeReader reader;
  identity::Identity link = PatTrois("IPP17", identity::PROVISIONAL, false);
  link.set_merged_into(kSurvivorKey);
  reader.records[kPriorKey] = link;
  auto result = PlanIdentityUpdate(
      Event(Kind::kUpdate, "A31", kPriorKey, PatTrois("IPP17", identity::QUALIFIED, true)), reader,
      kMessageId, kNow);
  EXPECT_TRUE(absl::IsInvalidArgument(result.status())) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("PID-3"));
  EXPECT_THAT(result.status().message(), Not(HasSubstr("IPP17")));
}

TEST(PlanIdentityUpdateTest, ReaderErrorPropagates) {
  FakeReader reader;
  reader.error = absl::InternalError("store: corrupt identity record");
  auto result = PlanIdentityUpdate(
      Event(Kind::kUpdate, "A28", kSurvivorKey, PatTrois("IPP42", identity::QUALIFIED, true)),
      reader, kMessageId, kNow);
  EXPECT_TRUE(absl::IsInternal(result.status())) << result.status();
}

TEST(PlanIdentityUpdateTest, MergeLinksThePriorRecordToTheSurvivor) {
  FakeReader reader;
  const identity::Identity prior = PatTrois("IPP17", identity::PROVISIONAL, false);
  reader.records[kPriorKey] = prior;
  reader.records[kSurvivorKey] = PatTrois("IPP42", identity::QUALIFIED, true);
  IdentityFeedEvent event =
      Event(Kind::kMerge, "A40", kSurvivorKey, PatTrois("IPP42", identity::QUALIFIED, true));
  event.prior_key = kPriorKey;
  IdentityFeedResult result = PlanOk(event, reader);
  ASSERT_TRUE(result.update.has_value());
  const store::IdentityUpdate& update = *result.update;
  EXPECT_EQ(update.patient, kSurvivorKey);
  EXPECT_EQ(update.prior, kPriorKey);
  // The prior record is kept, as a link to the survivor.
  EXPECT_EQ(update.prior_identity.merged_into(), kSurvivorKey);
  EXPECT_EQ(update.prior_identity.ipp(), "IPP17");
  EXPECT_EQ(update.prior_identity.status(), identity::PROVISIONAL);
  EXPECT_EQ(update.prior_identity.updated_by(), kMessageId);
  EXPECT_EQ(update.prior_identity.updated_at_us(), kNow);
  EXPECT_EQ(update.prior_change.summary(), "merged into another IPP");
  EXPECT_EQ(update.prior_change.trigger(), "A40");
  EXPECT_EQ(update.prior_change.message_id(), kMessageId);
  ASSERT_TRUE(update.prior_change.has_before());
  EXPECT_TRUE(MessageDifferencer::Equals(update.prior_change.before(), prior));
  // The survivor's own change says it absorbed another IPP.
  EXPECT_THAT(update.change.summary(), EndsWith("absorbed another IPP"));
  EXPECT_TRUE(update.identity.merged_into().empty());
  EXPECT_TRUE(update.release);
}

TEST(PlanIdentityUpdateTest, MergeOfAnUnknownPriorBuildsItsLinkFromTheKey) {
  FakeReader reader;
  IdentityFeedEvent event =
      Event(Kind::kMerge, "A40", kSurvivorKey, PatTrois("IPP42", identity::PROVISIONAL, false));
  event.prior_key = kPriorKey;
  IdentityFeedResult result = PlanOk(event, reader);
  ASSERT_TRUE(result.update.has_value());
  const store::IdentityUpdate& update = *result.update;
  EXPECT_EQ(update.prior, kPriorKey);
  EXPECT_EQ(update.prior_identity.ipp(), "IPP17");
  EXPECT_EQ(update.prior_identity.authority(), kAuthority);
  EXPECT_EQ(update.prior_identity.merged_into(), kSurvivorKey);
  EXPECT_FALSE(update.prior_identity.has_ins());
  EXPECT_FALSE(update.prior_change.has_before());
  EXPECT_EQ(update.prior_change.summary(), "merged into another IPP");
  EXPECT_FALSE(update.release);
}

TEST(PlanIdentityUpdateTest, UnknownPriorKeyWithoutAuthority) {
  FakeReader reader;
  IdentityFeedEvent event =
      Event(Kind::kMerge, "A40", kSurvivorKey, PatTrois("IPP42", identity::PROVISIONAL, false));
  event.prior_key = "IPP17";  // no '\x1f': no authority
  IdentityFeedResult result = PlanOk(event, reader);
  ASSERT_TRUE(result.update.has_value());
  EXPECT_EQ(result.update->prior_identity.ipp(), "IPP17");
  EXPECT_EQ(result.update->prior_identity.authority(), "");
}

TEST(PlanIdentityUpdateTest, IdentifierChangeLinksThePriorKey) {
  FakeReader reader;
  reader.records[kPriorKey] = PatTrois("IPP17", identity::QUALIFIED, true);
  IdentityFeedEvent event =
      Event(Kind::kChangeId, "A47", kSurvivorKey, PatTrois("IPP42", identity::QUALIFIED, true));
  event.prior_key = kPriorKey;
  IdentityFeedResult result = PlanOk(event, reader);
  ASSERT_TRUE(result.update.has_value());
  const store::IdentityUpdate& update = *result.update;
  EXPECT_EQ(update.prior, kPriorKey);
  EXPECT_EQ(update.prior_identity.merged_into(), kSurvivorKey);
  EXPECT_EQ(update.prior_change.summary(), "identifier changed");
  EXPECT_EQ(update.prior_change.trigger(), "A47");
  EXPECT_THAT(update.change.summary(), HasSubstr("created (qualified, with INS)"));
  EXPECT_THAT(update.change.summary(), Not(HasSubstr("absorbed")));
  EXPECT_TRUE(update.release);
}

TEST(PlanIdentityUpdateTest, PlansWhatTheFeedReads) {
  // An A28 as a DPI sends it, through ReadIdentityFeed.
  const std::string adt =
      "MSH|^~\\&|GAM|CHU-X|DPI|CHU-X|20260101120000||ADT^A28|MSG1|P|2.5^FRA^2.11|||||FRA|"
      "UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM\rEVN||20260101120000\r"
      "PID|1||IPP42^^^CHU-X&000897406&N^PI~279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213."
      "1.4.10&ISO^INS^^20101207||PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F|||"
      "^^^^^^BDL^^63220|||||||||||||||||||||QUAL\r";
  IdentityFeedOptions options;
  options.environment = Environment::kTest;
  auto event = ReadIdentityFeed(adt, options);
  ASSERT_TRUE(event.ok()) << event.status();
  FakeReader reader;
  IdentityFeedResult result = PlanOk(*event, reader);
  ASSERT_TRUE(result.update.has_value());
  EXPECT_EQ(result.update->patient, kSurvivorKey);
  EXPECT_EQ(result.update->change.summary(), "created (qualified, with INS)");
  EXPECT_TRUE(result.update->release);

  // The same patient moved to another bed: no identity change.
  std::string a02 = adt;
  a02.replace(a02.find("ADT^A28"), 7, "ADT^A02");
  auto moved = ReadIdentityFeed(a02, options);
  ASSERT_TRUE(moved.ok()) << moved.status();
  result = PlanOk(*moved, reader);
  EXPECT_FALSE(result.update.has_value());
  EXPECT_THAT(result.detail, HasSubstr("A02"));
}

TEST(DescribeChangeTest, NamesEachKindOfChange) {
  const identity::Identity qualified = PatTrois("IPP42", identity::QUALIFIED, true);
  EXPECT_EQ(DescribeChange(nullptr, qualified), "created (qualified, with INS)");
  EXPECT_EQ(DescribeChange(&qualified, qualified), "no change");

  identity::Identity no_ins = qualified;
  no_ins.clear_ins();
  EXPECT_EQ(DescribeChange(&qualified, no_ins), "INS removed");
  EXPECT_EQ(DescribeChange(&no_ins, qualified), "INS set");

  identity::Identity other_oid = qualified;
  other_oid.mutable_ins()->set_oid("1.2.250.1.213.1.4.8");
  EXPECT_EQ(DescribeChange(&qualified, other_oid), "INS changed");

  identity::Identity validated = qualified;
  validated.set_status(identity::VALIDATED);
  EXPECT_EQ(DescribeChange(&qualified, validated), "status qualified -> validated");

  identity::Identity two_traits = qualified;
  two_traits.mutable_traits()->set_sex("M");
  two_traits.mutable_traits()->set_birth_date("19790329");
  EXPECT_EQ(DescribeChange(&qualified, two_traits), "traits changed: birth_date, sex");

  identity::Identity used = qualified;
  identity::UsedName* name = used.add_used_names();
  name->set_family("PAT-TROIS");
  name->set_given("DOMI");
  EXPECT_EQ(DescribeChange(&qualified, used), "used names changed");

  identity::Identity doubtful = qualified;
  doubtful.set_doubtful(true);
  EXPECT_EQ(DescribeChange(&qualified, doubtful), "marked doubtful");
  EXPECT_EQ(DescribeChange(&doubtful, qualified), "no longer doubtful");

  identity::Identity fictitious = qualified;
  fictitious.set_fictitious(true);
  EXPECT_EQ(DescribeChange(&qualified, fictitious), "marked fictitious");

  identity::Identity consent = qualified;
  consent.mutable_dmp()->set_feeding("IO");
  EXPECT_EQ(DescribeChange(&qualified, consent), "DMP consent changed");

  identity::Identity link = qualified;
  link.set_merged_into(kPriorKey);
  EXPECT_EQ(DescribeChange(&link, qualified), "merge link removed");

  // Nothing of what it describes quotes a value.
  const std::string all = DescribeChange(&no_ins, two_traits);
  EXPECT_THAT(all, Not(HasSubstr("279035121518989")));
  EXPECT_THAT(all, Not(HasSubstr("1979")));
}

}  // namespace
}  // namespace navette::routes::ins
