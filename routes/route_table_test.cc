#include "routes/route_table.h"

#include <gtest/gtest.h>

#include "adapters/hl7v2/message_view.h"

namespace navette::routes {
namespace {

using navette::adapters::hl7v2::MessageView;

TEST(MatchesComponentPatternTest, ComparesComponentByComponent) {
  EXPECT_TRUE(MatchesComponentPattern("ORU^R01", "ORU^R01^ORU_R01", '^'));
  EXPECT_TRUE(MatchesComponentPattern("ORU^*", "ORU^R01^ORU_R01", '^'));
  EXPECT_TRUE(MatchesComponentPattern("ORU", "ORU^R01", '^'));
  EXPECT_TRUE(MatchesComponentPattern("*", "ADT^A28", '^'));
  EXPECT_TRUE(MatchesComponentPattern("*^A28", "ADT^A28", '^'));
  EXPECT_FALSE(MatchesComponentPattern("ORU^R01", "ORU^R30", '^'));
  EXPECT_FALSE(MatchesComponentPattern("MDM^*", "ORU^R01", '^'));
  EXPECT_FALSE(MatchesComponentPattern("ORU^R01^X", "ORU^R01", '^'));
  EXPECT_FALSE(MatchesComponentPattern("OR", "ORU^R01", '^'));
  // Messages with another component separator still match '^' patterns.
  EXPECT_TRUE(MatchesComponentPattern("ORU^R01", "ORU!R01", '!'));
}

class RouteTableTest : public ::testing::Test {
 protected:
  navette::config::Route* AddRoute(const std::string& name, const std::string& to) {
    auto* route = config_.add_routes();
    route->set_name(name);
    route->add_to(to);
    return route;
  }
  std::vector<std::string> Evaluate(const std::string& source, const std::string& raw) {
    auto table = RouteTable::Build(config_);
    EXPECT_TRUE(table.ok()) << table.status();
    auto view = MessageView::Parse(raw);
    EXPECT_TRUE(view.ok()) << view.status();
    navette::Envelope envelope;
    envelope.set_source(source);
    envelope.set_raw(raw);
    auto* header = envelope.mutable_hl7();
    header->set_encoding_characters("|^~\\&");
    header->set_message_type(
        std::string(*view->Get(*navette::adapters::hl7v2::FieldPath::Parse("MSH-9"))));
    header->set_sending_application(
        std::string(view->Get(*navette::adapters::hl7v2::FieldPath::Parse("MSH-3")).value_or("")));
    header->set_sending_facility(
        std::string(view->Get(*navette::adapters::hl7v2::FieldPath::Parse("MSH-4")).value_or("")));
    std::vector<std::string> names;
    for (const RouteMatch& match : (*table)->Evaluate(envelope, &*view))
      names.push_back(match.route);
    return names;
  }
  navette::config::Config config_;
};

const char kOru[] =
    "MSH|^~\\&|SIL-Y|labo|PFI|X|20210606||ORU^R01^ORU_R01|015|P|2.5\r"
    "PID|||000123^^^CHU&1.2.3&ISO^PI~279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^"
    "INS\r"
    "OBX|1|ED|11502-2^CR^LN||data\r"
    "OBX|2|CE|MASQUE_PS^Masque^MetaDMPMSS||N\r";

TEST_F(RouteTableTest, RouteWithoutMatchTakesEverything) {
  AddRoute("all", "outbox");
  EXPECT_EQ(Evaluate("sgl", kOru), std::vector<std::string>{"all"});
}

TEST_F(RouteTableTest, FromAndMessageTypeAndApplication) {
  AddRoute("from-dpi", "outbox")->add_from("dpi");
  AddRoute("oru", "outbox")->mutable_match()->add_message_type("ORU^*");
  AddRoute("adt", "outbox")->mutable_match()->add_message_type("ADT^*");
  AddRoute("sil", "outbox")->mutable_match()->add_sending_application("SIL-Y");
  AddRoute("other-app", "outbox")->mutable_match()->add_sending_application("RIS");
  EXPECT_EQ(Evaluate("sgl", kOru), (std::vector<std::string>{"oru", "sil"}));
}

// MSH-3 (SIL-Y) and MSH-4 (labo) differ, so a route that compared its
// sending_facility with MSH-3, or its sending_application with MSH-4, would
// pick the wrong routes here.
TEST_F(RouteTableTest, FacilityIsMsh4AndApplicationIsMsh3) {
  AddRoute("facility-labo", "outbox")->mutable_match()->add_sending_facility("labo");
  AddRoute("facility-sil", "outbox")->mutable_match()->add_sending_facility("SIL-Y");
  AddRoute("application-sil", "outbox")->mutable_match()->add_sending_application("SIL-Y");
  AddRoute("application-labo", "outbox")->mutable_match()->add_sending_application("labo");
  EXPECT_EQ(Evaluate("sgl", kOru), (std::vector<std::string>{"facility-labo", "application-sil"}));
}

TEST_F(RouteTableTest, FieldRulesMatchAnyRepetitionAndSegment) {
  (*AddRoute("ins", "outbox")->mutable_match()->mutable_fields())["PID-3.5"] = "^INS$";
  (*AddRoute("second-rep", "outbox")->mutable_match()->mutable_fields())["PID-3[2].1"] = "^2790";
  (*AddRoute("first-rep", "outbox")->mutable_match()->mutable_fields())["PID-3[1].1"] = "^2790";
  (*AddRoute("meta", "outbox")->mutable_match()->mutable_fields())["OBX-3.3"] = "MetaDMPMSS";
  (*AddRoute("obx1-meta", "outbox")->mutable_match()->mutable_fields())["OBX[1]-3.3"] =
      "MetaDMPMSS";
  (*AddRoute("absent", "outbox")->mutable_match()->mutable_fields())["ZBE-1"] = ".*";
  EXPECT_EQ(Evaluate("sgl", kOru), (std::vector<std::string>{"ins", "second-rep", "meta"}));
}

TEST_F(RouteTableTest, NeedsAViewOnlyForFieldRules) {
  AddRoute("oru", "outbox")->mutable_match()->add_message_type("ORU^*");
  EXPECT_FALSE((*RouteTable::Build(config_))->needs_message_view());
  (*AddRoute("ins", "outbox")->mutable_match()->mutable_fields())["PID-3.5"] = "^INS$";
  EXPECT_TRUE((*RouteTable::Build(config_))->needs_message_view());
}

TEST_F(RouteTableTest, AllConditionsMustHold) {
  auto* route = AddRoute("both", "outbox");
  route->mutable_match()->add_message_type("ORU^R01");
  (*route->mutable_match()->mutable_fields())["PID-3.1"] = "^999";
  EXPECT_TRUE(Evaluate("sgl", kOru).empty());
}

TEST_F(RouteTableTest, BadPatternIsReportedWithTheRoute) {
  (*AddRoute("broken", "outbox")->mutable_match()->mutable_fields())["PID-3.1"] = "(abc";
  auto table = RouteTable::Build(config_);
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("route 'broken'"), std::string::npos);
  EXPECT_NE(table.status().message().find("PID-3.1"), std::string::npos);
}

// Routes on the document record (Envelope.document, set by a source's
// profile).
class DocumentRouteTest : public RouteTableTest {
 protected:
  std::vector<std::string> EvaluateRecord(const navette::document::Document* record) {
    auto table = RouteTable::Build(config_);
    EXPECT_TRUE(table.ok()) << table.status();
    if (!table.ok()) return {};
    navette::Envelope envelope;
    envelope.set_source("sgl");
    envelope.mutable_hl7()->set_encoding_characters("|^~\\&");
    envelope.mutable_hl7()->set_message_type("ORU^R01^ORU_R01");
    if (record != nullptr) *envelope.mutable_document() = *record;
    std::vector<std::string> names;
    for (const RouteMatch& match : (*table)->Evaluate(envelope, nullptr)) {
      names.push_back(match.route);
    }
    return names;
  }
  static navette::document::Document Replacement() {
    navette::document::Document record;
    record.set_profile("sgl");
    record.set_action(navette::document::REPLACE);
    record.mutable_type()->set_code("11502-2");
    record.mutable_flags()->set_dest_dmp(true);
    return record;
  }
};

TEST_F(DocumentRouteTest, MatchesOnActionTypeFlagsAndProfile) {
  AddRoute("replace", "dmp")->mutable_match()->mutable_document()->add_action("replace");
  AddRoute("delete", "dmp")->mutable_match()->mutable_document()->add_action("delete");
  auto* lab = AddRoute("lab", "dmp")->mutable_match()->mutable_document();
  lab->add_type("11502-2");
  lab->add_profile("sgl");
  AddRoute("dmp", "dmp")->mutable_match()->mutable_document()->add_flags("DESTDMP");
  auto* both = AddRoute("dmp_and_patient", "dmp")->mutable_match()->mutable_document();
  both->add_flags("DESTDMP");
  both->add_flags("DESTMSSANTEPAT");
  AddRoute("image", "dmp")->mutable_match()->mutable_document()->add_type("18748-4");
  AddRoute("ris", "dmp")->mutable_match()->mutable_document()->add_profile("ris");

  navette::document::Document record = Replacement();
  EXPECT_EQ(EvaluateRecord(&record), (std::vector<std::string>{"replace", "lab", "dmp"}));
  record.set_action(navette::document::DELETE);
  record.mutable_flags()->set_dest_mssante_pat(true);
  EXPECT_EQ(EvaluateRecord(&record),
            (std::vector<std::string>{"delete", "lab", "dmp", "dmp_and_patient"}));
}

TEST_F(DocumentRouteTest, AMessageWithoutARecordDoesNotMatch) {
  AddRoute("any_document", "dmp")->mutable_match()->mutable_document();
  AddRoute("everything", "outbox");
  navette::document::Document record = Replacement();
  EXPECT_EQ(EvaluateRecord(nullptr), (std::vector<std::string>{"everything"}));
  EXPECT_EQ(EvaluateRecord(&record), (std::vector<std::string>{"any_document", "everything"}));
}

TEST_F(DocumentRouteTest, UnknownWordsAreReportedWithTheRoute) {
  AddRoute("typo", "dmp")->mutable_match()->mutable_document()->add_action("replaced");
  auto table = RouteTable::Build(config_);
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("route 'typo': unknown action 'replaced'"),
            std::string::npos);
  config_.clear_routes();
  AddRoute("flag", "dmp")->mutable_match()->mutable_document()->add_flags("destdmp");
  table = RouteTable::Build(config_);
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("unknown flag 'destdmp'"), std::string::npos);
}

}  // namespace
}  // namespace navette::routes
