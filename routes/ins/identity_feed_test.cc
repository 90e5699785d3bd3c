#include "routes/ins/identity_feed.h"

#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/test_fixtures.h"

namespace navette::routes::ins {
namespace {

using adapters::hl7v2::testing::ReadHl7Fixture;
using ::testing::HasSubstr;
using ::testing::Not;
using Kind = IdentityFeedEvent::Kind;

constexpr std::string_view kAnsSample =
    "corpus/Vague_2/Consentement_DMP_PAMFR/ConsentementConsultation_NonOppositionAlimentation.er7";

// The ANS test NIR (fr-specs.md §1.2) with the test OID, as PAM-FR writes it.
constexpr std::string_view kTestIns =
    "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS^^20101207";
constexpr std::string_view kIpp = "IPP42^^^CHU-X&000897406&N^PI";
const std::string kIppKey = std::string("IPP42\x1f") + "CHU-X&000897406&N";

// A PAM-FR ADT: MSH, EVN, then `rest` (segments separated by \r).
std::string Adt(std::string_view trigger, std::string_view rest,
                std::string_view charset = "UNICODE UTF-8") {
  return std::string("MSH|^~\\&|GAM|CHU-X|DPI|CHU-X|20260101120000||ADT^") + std::string(trigger) +
         "|MSG1|P|2.5^FRA^2.11|||||FRA|" + std::string(charset) +
         "|FR||2.11^IHE_FRANCE-2.11-PAM\rEVN||20260101120000\r" + std::string(rest) + "\r";
}

// A PID with an IPP, the test INS and the traits of the ANS test patient.
std::string Pid(std::string_view reliability = "QUAL", std::string_view ins = kTestIns) {
  std::string identifiers(kIpp);
  if (!ins.empty()) identifiers += "~" + std::string(ins);
  return "PID|1||" + identifiers +
         "||PAT-TROIS^DOMINIQUE^DOMINIQUE MARIE-LOUISE^^^^L~MARTIN^DOMI^^^^^D||197903281230|F|||"
         "28 Av de Breteuil^^PARIS^^75007^FRA^H~^^^^^^BDL^^51215|||||||||||||||||||||" +
         std::string(reliability);
}

IdentityFeedOptions TestEnvironment() {
  IdentityFeedOptions options;
  options.environment = Environment::kTest;
  return options;
}

IdentityFeedEvent ReadOk(std::string_view raw, const IdentityFeedOptions& options) {
  auto event = ReadIdentityFeed(raw, options);
  EXPECT_TRUE(event.ok()) << event.status();
  return event.ok() ? *std::move(event) : IdentityFeedEvent{};
}

absl::Status ReadError(std::string_view raw,
                       const IdentityFeedOptions& options = TestEnvironment()) {
  auto event = ReadIdentityFeed(raw, options);
  EXPECT_FALSE(event.ok()) << "accepted " << raw;
  return event.status();
}

TEST(IdentityFeedTest, ReadsTheAnsSampleInATestEnvironment) {
  IdentityFeedEvent event = ReadOk(ReadHl7Fixture(kAnsSample), TestEnvironment());
  EXPECT_EQ(event.kind, Kind::kUpdate);
  EXPECT_EQ(event.trigger, "A01");
  EXPECT_EQ(event.patient_key, std::string("000003\x1f") + "CHU-X&000897406&N");
  const identity::Identity& identity = event.identity;
  EXPECT_EQ(identity.ipp(), "000003");
  EXPECT_EQ(identity.authority(), "CHU-X&000897406&N");
  ASSERT_TRUE(identity.has_ins());
  EXPECT_EQ(identity.ins().matricule(), "279035121518989");
  EXPECT_EQ(identity.ins().oid(), "1.2.250.1.213.1.4.10");
  EXPECT_EQ(identity.traits().birth_name(), "PAT-TROIS");
  EXPECT_EQ(identity.traits().first_birth_given_name(), "DOMINIQUE");
  EXPECT_EQ(identity.traits().birth_given_names(), "DOMINIQUE");
  EXPECT_EQ(identity.traits().birth_date(), "19790328");
  EXPECT_EQ(identity.traits().sex(), "F");
  EXPECT_EQ(identity.traits().birthplace_code(), "63220");
  EXPECT_TRUE(identity.used_names().empty());
  EXPECT_EQ(identity.status(), identity::VALIDATED);
  EXPECT_FALSE(identity.doubtful());
  EXPECT_FALSE(identity.fictitious());
  EXPECT_EQ(identity.reliability_code(), "VALI");
  ASSERT_TRUE(identity.has_dmp());
  EXPECT_EQ(identity.dmp().dmp_status(), "ACTIF");
  EXPECT_EQ(identity.dmp().feeding(), "INO");
  EXPECT_EQ(identity.dmp().feeding_date(), "20240306111154");
  EXPECT_EQ(identity.dmp().consultation(), "IC");
  EXPECT_EQ(identity.dmp().consultation_date(), "20240306111154");
  EXPECT_TRUE(identity.merged_into().empty());
  EXPECT_EQ(identity.updated_at_us(), 0);
  EXPECT_TRUE(event.prior_key.empty());
}

TEST(IdentityFeedTest, RefusesTheAnsSampleTestOidInProduction) {
  absl::Status refused = ReadError(ReadHl7Fixture(kAnsSample), IdentityFeedOptions{});
  EXPECT_TRUE(absl::IsInvalidArgument(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("PID-3[2]: INS OID"));
  EXPECT_THAT(refused.message(), HasSubstr("test OID, refused in production"));
  EXPECT_THAT(refused.message(), Not(HasSubstr("279035121518989")));
  EXPECT_THAT(refused.message(), Not(HasSubstr("PAT-TROIS")));
}

TEST(IdentityFeedTest, ReadsTheDmpConsentOfEveryAnsSample) {
  struct Consent {
    std::string_view file;
    std::string_view feeding, feeding_date, consultation, consultation_date;
  };
  for (const Consent& expected : {
           Consent{"ConsentementConsultation_NonOppositionAlimentation.er7", "INO",
                   "20240306111154", "IC", "20240306111154"},
           Consent{"NonConsentementConsultation_NonOppositionAlimentation.er7", "INO",
                   "20240307111154", "INC", "20240307111154"},
           Consent{"NonConsentementConsultation_OppositionAlimentation.er7", "IO", "20240309111154",
                   "INC", "20240309111154"},
           Consent{"NonRecueillieConsentementConsultation_NonOppositionAlimentation.er7", "INO",
                   "20240310111154", "NA", ""},
           Consent{"NonRecueillieConsentementConsultation_NonRecueillieOppositionAlimentation.er7",
                   "NA", "", "NA", ""},
       }) {
    std::string file = "corpus/Vague_2/Consentement_DMP_PAMFR/" + std::string(expected.file);
    IdentityFeedEvent event = ReadOk(ReadHl7Fixture(file), TestEnvironment());
    const identity::DmpConsent& dmp = event.identity.dmp();
    EXPECT_EQ(dmp.dmp_status(), "ACTIF") << file;
    EXPECT_EQ(dmp.feeding(), expected.feeding) << file;
    EXPECT_EQ(dmp.feeding_date(), expected.feeding_date) << file;
    EXPECT_EQ(dmp.consultation(), expected.consultation) << file;
    EXPECT_EQ(dmp.consultation_date(), expected.consultation_date) << file;
  }
}

TEST(IdentityFeedTest, A28CreatesAQualifiedIdentity) {
  IdentityFeedEvent event = ReadOk(Adt("A28^ADT_A05", Pid("QUAL")), TestEnvironment());
  EXPECT_EQ(event.kind, Kind::kUpdate);
  EXPECT_EQ(event.trigger, "A28");
  EXPECT_EQ(event.patient_key, kIppKey);
  const identity::Identity& identity = event.identity;
  EXPECT_EQ(identity.ipp(), "IPP42");
  EXPECT_EQ(identity.status(), identity::QUALIFIED);
  EXPECT_EQ(identity.ins().matricule(), "279035121518989");
  EXPECT_EQ(identity.traits().birth_given_names(), "DOMINIQUE MARIE-LOUISE");
  // PID-7 carries a time: the birth date is its date part.
  EXPECT_EQ(identity.traits().birth_date(), "19790328");
  EXPECT_EQ(identity.traits().birthplace_code(), "51215");
  ASSERT_EQ(identity.used_names_size(), 1);
  EXPECT_EQ(identity.used_names(0).family(), "MARTIN");
  EXPECT_EQ(identity.used_names(0).given(), "DOMI");
  // No ZFA: no DMP consent is recorded, rather than an empty one.
  EXPECT_FALSE(identity.has_dmp());
}

TEST(IdentityFeedTest, A31WithoutInsUpdatesAProvisionalIdentity) {
  IdentityFeedEvent event = ReadOk(Adt("A31^ADT_A05", Pid("PROV", "")), TestEnvironment());
  EXPECT_EQ(event.kind, Kind::kUpdate);
  EXPECT_EQ(event.trigger, "A31");
  EXPECT_FALSE(event.identity.has_ins());
  EXPECT_EQ(event.identity.status(), identity::PROVISIONAL);
  EXPECT_EQ(event.identity.reliability_code(), "PROV");
}

TEST(IdentityFeedTest, EventKinds) {
  for (const char* update : {"A01", "A04", "A05", "A08", "A28", "A31"}) {
    EXPECT_EQ(ReadOk(Adt(update, Pid()), TestEnvironment()).kind, Kind::kUpdate) << update;
  }
  for (const char* ignored : {"A02", "A03", "A11", "A24", "Z99"}) {
    EXPECT_EQ(ReadOk(Adt(ignored, Pid()), TestEnvironment()).kind, Kind::kIgnored) << ignored;
  }
}

TEST(IdentityFeedTest, IgnoredEventsAreNotReadFurther) {
  // A discharge with an INS that fails its key, or no PID at all, changes no
  // identity: it must not be refused for what the identity feed ignores.
  IdentityFeedEvent event = ReadOk(
      Adt("A03", Pid("VALI", "279035121518988^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS")),
      TestEnvironment());
  EXPECT_EQ(event.kind, Kind::kIgnored);
  EXPECT_EQ(event.trigger, "A03");
  EXPECT_EQ(event.patient_key, kIppKey);
  EXPECT_TRUE(event.identity.ipp().empty());
  EXPECT_FALSE(event.identity.has_ins());
  EXPECT_EQ(ReadOk(Adt("A02", "PV1|1|I"), TestEnvironment()).kind, Kind::kIgnored);
}

TEST(IdentityFeedTest, A40MergesMrg1IntoPid3) {
  IdentityFeedEvent event = ReadOk(
      Adt("A40^ADT_A39", Pid() + "\rMRG|" + std::string(kTestIns) + "~OLD7^^^CHU-X&000897406&N^PI"),
      TestEnvironment());
  EXPECT_EQ(event.kind, Kind::kMerge);
  EXPECT_EQ(event.trigger, "A40");
  EXPECT_EQ(event.patient_key, kIppKey);
  EXPECT_EQ(event.prior_key, std::string("OLD7\x1f") + "CHU-X&000897406&N");
  // The surviving patient's identity comes with the merge.
  EXPECT_EQ(event.identity.ipp(), "IPP42");
  EXPECT_EQ(event.identity.status(), identity::QUALIFIED);
}

TEST(IdentityFeedTest, A47ChangesTheIdentifier) {
  IdentityFeedEvent event =
      ReadOk(Adt("A47^ADT_A30", Pid() + "\rMRG|OLD7^^^CHU-X&000897406&N^PI"), TestEnvironment());
  EXPECT_EQ(event.kind, Kind::kChangeId);
  EXPECT_EQ(event.trigger, "A47");
  EXPECT_EQ(event.patient_key, kIppKey);
  EXPECT_EQ(event.prior_key, std::string("OLD7\x1f") + "CHU-X&000897406&N");
}

TEST(IdentityFeedTest, MergesNeedAnotherPatientInMrg1) {
  for (const char* trigger : {"A40", "A47"}) {
    absl::Status missing = ReadError(Adt(trigger, Pid()));
    EXPECT_TRUE(absl::IsInvalidArgument(missing)) << trigger;
    EXPECT_THAT(missing.message(), HasSubstr("MRG-1: missing")) << trigger;

    EXPECT_THAT(ReadError(Adt(trigger, Pid() + "\rMRG|")).message(),
                HasSubstr("MRG-1: no prior patient identifier"))
        << trigger;
    // An INS alone is not an IPP.
    EXPECT_THAT(ReadError(Adt(trigger, Pid() + "\rMRG|" + std::string(kTestIns))).message(),
                HasSubstr("MRG-1: no prior patient identifier"))
        << trigger;
    absl::Status itself = ReadError(Adt(trigger, Pid() + "\rMRG|" + std::string(kIpp)));
    EXPECT_THAT(itself.message(), HasSubstr("MRG-1: the prior identifier is PID-3's own"))
        << trigger;
    EXPECT_THAT(itself.message(), Not(HasSubstr("IPP42"))) << trigger;
    EXPECT_THAT(
        ReadError(Adt(trigger, Pid() + "\rMRG|OLD1^^^H^PI\rPID|2||X^^^H^PI\rMRG|OLD2^^^H^PI"))
            .message(),
        HasSubstr("MRG: 2 segments"))
        << trigger;
  }
}

TEST(IdentityFeedTest, RefusesWhatIsNotAnAdt) {
  std::string oru = ReadHl7Fixture("oru_r01_cr_bio_init.hl7");
  absl::Status refused = ReadError(oru);
  EXPECT_TRUE(absl::IsInvalidArgument(refused));
  EXPECT_THAT(refused.message(), HasSubstr("MSH-9.1"));
  EXPECT_THAT(refused.message(), HasSubstr("\"ORU\""));
  EXPECT_THAT(ReadError(Adt("", Pid())).message(), HasSubstr("MSH-9.2"));
}

TEST(IdentityFeedTest, UpdatesNeedAPidWithAnIpp) {
  absl::Status no_pid = ReadError(Adt("A28", "PV1|1|N"));
  EXPECT_TRUE(absl::IsInvalidArgument(no_pid));
  EXPECT_THAT(no_pid.message(), HasSubstr("PID: missing"));
  // An INS alone is not an IPP.
  absl::Status ins_only =
      ReadError(Adt("A28", "PID|1||" + std::string(kTestIns) +
                               "||PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F"));
  EXPECT_EQ(ins_only.message(), "PID-3: no patient identifier (IPP)");
  EXPECT_EQ(ReadError(Adt("A28", "PID|1||")).message(), "PID-3: no patient identifier (IPP)");
}

TEST(IdentityFeedTest, ABadInsKeyIsRefusedWithoutQuotingIt) {
  std::string bad = "279035121518988^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS";
  absl::Status refused = ReadError(Adt("A28", Pid("QUAL", bad)));
  EXPECT_TRUE(absl::IsInvalidArgument(refused));
  EXPECT_THAT(refused.message(), HasSubstr("PID-3[2]: INS matricule: the key does not match"));
  EXPECT_THAT(refused.message(), Not(HasSubstr("2790351215189")));
  EXPECT_THAT(refused.message(), Not(HasSubstr("PAT-TROIS")));
  EXPECT_THAT(refused.message(), Not(HasSubstr("IPP42")));
}

TEST(IdentityFeedTest, AForeignOidIsNamedAsAnInsFault) {
  absl::Status refused =
      ReadError(Adt("A28", Pid("QUAL", "279035121518989^^^HOSP&1.2.3.4&ISO^INS")));
  EXPECT_THAT(refused.message(), HasSubstr("PID-3[2]: INS: '1.2.3.4' is not an INS OID"));
  EXPECT_THAT(refused.message(), Not(HasSubstr("279035121518989")));
}

TEST(IdentityFeedTest, AcceptsCorsicaNhAndProductionOids) {
  IdentityFeedEvent corsican = ReadOk(
      Adt("A28", Pid("QUAL", "180032B02040123^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS")),
      TestEnvironment());
  EXPECT_EQ(corsican.identity.ins().matricule(), "180032B02040123");
  // XDS's NH, with an empty namespace, is an INS too.
  IdentityFeedEvent nh = ReadOk(
      Adt("A28", Pid("QUAL", "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH")), TestEnvironment());
  EXPECT_EQ(nh.identity.ins().oid(), "1.2.250.1.213.1.4.10");
  EXPECT_EQ(nh.patient_key, kIppKey);
  // A production OID is accepted in production.
  IdentityFeedEvent production = ReadOk(
      Adt("A28", Pid("QUAL", "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS")),
      IdentityFeedOptions{});
  EXPECT_EQ(production.identity.ins().oid(), "1.2.250.1.213.1.4.8");
}

TEST(IdentityFeedTest, Latin1NamesAreReadAsUtf8) {
  // Written in UTF-8 here, sent as ISO-8859-1 as MSH-18 says.
  const std::string utf8 =
      Adt("A28",
          "PID|1||" + std::string(kIpp) +
              "||LEFÈVRE^FRANÇOISE^FRANÇOISE CÉCILE^^^^L~BÔ^HÉLÈNE^^^^^D||19650412|F|||"
              "^^^^^^BDL^^29019|||||||||||||||||||||VALI",
          "8859/1");
  auto latin1 = adapters::hl7v2::EncodeFromUtf8(utf8, adapters::hl7v2::Charset::kLatin1);
  ASSERT_TRUE(latin1.ok()) << latin1.status();
  ASSERT_NE(*latin1, utf8);
  ASSERT_NE(latin1->find('\xC8'), std::string::npos);  // È in Latin-1

  IdentityFeedEvent event = ReadOk(*latin1, TestEnvironment());
  EXPECT_EQ(event.identity.traits().birth_name(), "LEFÈVRE");
  EXPECT_EQ(event.identity.traits().first_birth_given_name(), "FRANÇOISE");
  EXPECT_EQ(event.identity.traits().birth_given_names(), "FRANÇOISE CÉCILE");
  ASSERT_EQ(event.identity.used_names_size(), 1);
  EXPECT_EQ(event.identity.used_names(0).family(), "BÔ");
  EXPECT_EQ(event.identity.used_names(0).given(), "HÉLÈNE");
  EXPECT_EQ(event.identity.traits().birthplace_code(), "29019");
  EXPECT_EQ(event.identity.status(), identity::VALIDATED);
}

TEST(IdentityFeedTest, AnEmptyMsh18TakesTheDefaultCharset) {
  const std::string utf8 =
      Adt("A28", "PID|1||" + std::string(kIpp) + "||GARÇON^ÉLODIE^^^^^L||20010203|F", "");
  auto latin1 = adapters::hl7v2::EncodeFromUtf8(utf8, adapters::hl7v2::Charset::kLatin1);
  ASSERT_TRUE(latin1.ok()) << latin1.status();
  IdentityFeedOptions options = TestEnvironment();
  options.default_charset = "8859/1";
  EXPECT_EQ(ReadOk(*latin1, options).identity.traits().birth_name(), "GARÇON");
  // Read as the UTF-8 it is not, the message is refused, not garbled.
  EXPECT_FALSE(ReadIdentityFeed(*latin1, TestEnvironment()).ok());
}

TEST(IdentityFeedTest, NamesWithoutTypeLAndEscapes) {
  // No repetition typed L: the first one is the birth name; XPN.3 empty
  // gives XPN.2; escapes are read as what they stand for; the surname is
  // XPN.1's first subcomponent.
  IdentityFeedEvent event =
      ReadOk(Adt("A28", "PID|1||" + std::string(kIpp) + "||D\\T\\ARC&DE^JEANNE~OTHER^NAME"),
             TestEnvironment());
  EXPECT_EQ(event.identity.traits().birth_name(), "D&ARC");
  EXPECT_EQ(event.identity.traits().first_birth_given_name(), "JEANNE");
  EXPECT_EQ(event.identity.traits().birth_given_names(), "JEANNE");
  EXPECT_TRUE(event.identity.traits().birth_date().empty());
  EXPECT_TRUE(event.identity.traits().birthplace_code().empty());
  EXPECT_TRUE(event.identity.used_names().empty());
  // Neither PID-32 nor a reliability code: provisional.
  EXPECT_EQ(event.identity.status(), identity::PROVISIONAL);
  EXPECT_TRUE(event.identity.reliability_code().empty());
}

TEST(IdentityFeedTest, Pid32RepetitionsGoThroughTheTable) {
  IdentityFeedEvent both = ReadOk(Adt("A31", Pid("PROV~QUAL")), TestEnvironment());
  EXPECT_EQ(both.identity.status(), identity::QUALIFIED);
  EXPECT_EQ(both.identity.reliability_code(), "PROV~QUAL");

  IdentityFeedEvent doubtful = ReadOk(Adt("A31", Pid("VALI~DOUT")), TestEnvironment());
  EXPECT_EQ(doubtful.identity.status(), identity::PROVISIONAL);
  EXPECT_TRUE(doubtful.identity.doubtful());
  EXPECT_FALSE(doubtful.identity.fictitious());

  IdentityFeedEvent fictitious = ReadOk(Adt("A31", Pid("FICT")), TestEnvironment());
  EXPECT_TRUE(fictitious.identity.fictitious());

  // A site whose DPI writes VALI for what it has also checked with INSi.
  ReliabilityTable table = ReliabilityTable::Default();
  table.Set("VALI", {identity::QUALIFIED});
  IdentityFeedOptions options = TestEnvironment();
  options.table = &table;
  EXPECT_EQ(ReadOk(Adt("A31", Pid("VALI")), options).identity.status(), identity::QUALIFIED);
  EXPECT_EQ(ReadOk(Adt("A31", Pid("VALI")), TestEnvironment()).identity.status(),
            identity::VALIDATED);
}

}  // namespace
}  // namespace navette::routes::ins
