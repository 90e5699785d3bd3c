// Who may receive a document by MSSanté (the volet's rules), and the
// Message-IDs the receipts source reads the navette message back from.
#include "adapters/mssante/mss_recipients.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/mssante/mss_mail.h"

namespace navette::adapters::mssante {
namespace {

using navette::document::Participant;
using ::testing::HasSubstr;

constexpr char kIns[] = "279035121518989";

navette::identity::Identity Qualified(const std::string& oid = "1.2.250.1.213.1.4.8") {
  navette::identity::Identity identity;
  identity.set_status(navette::identity::QUALIFIED);
  identity.mutable_ins()->set_matricule(kIns);
  identity.mutable_ins()->set_oid(oid);
  return identity;
}

navette::document::Document Letter(bool to_ps, bool to_patient) {
  navette::document::Document record;
  record.mutable_flags()->set_dest_mssante_ps(to_ps);
  record.mutable_flags()->set_dest_mssante_pat(to_patient);
  Participant* gp = record.add_participants();
  gp->set_role(Participant::RECIPIENT);
  gp->set_address("dr.martin@medecin.mssante.fr");
  gp->mutable_person()->mutable_id()->set_id("810001234567");
  Participant* patient = record.add_participants();
  patient->set_role(Participant::RECIPIENT);
  patient->set_is_patient(true);
  patient->set_address(std::string(kIns) + "@patient.mssante.fr");
  Participant* sender = record.add_participants();
  sender->set_role(Participant::SENDER);
  sender->set_address("dr.sender@chu.mssante.fr");
  return record;
}

TEST(PlanRecipientsTest, ProfessionalsAndThePatientByTheirInsAddress) {
  const navette::identity::Identity identity = Qualified();
  navette::document::Document record = Letter(true, true);
  record.mutable_flags()->set_dest_mssante_pat_note("FIN");
  PlanOrRefusal planned = PlanRecipients(record, &identity, "patient.mssante.fr", false);
  ASSERT_TRUE(planned.plan.has_value()) << planned.refusal->reason;
  ASSERT_EQ(planned.plan->professionals.size(), 1u);  // the patient's RCT is not a professional
  EXPECT_EQ(planned.plan->professionals[0].address, "dr.martin@medecin.mssante.fr");
  EXPECT_EQ(planned.plan->professionals[0].id, "810001234567");
  ASSERT_TRUE(planned.plan->patient.has_value());
  EXPECT_EQ(planned.plan->patient->address, std::string(kIns) + "@patient.mssante.fr");
  EXPECT_TRUE(planned.plan->patient->patient);
  EXPECT_TRUE(planned.plan->patient_no_reply);
}

TEST(PlanRecipientsTest, EachFlagAloneGivesOnlyItsAudience) {
  const navette::identity::Identity identity = Qualified();
  PlanOrRefusal ps = PlanRecipients(Letter(true, false), &identity, "patient.mssante.fr", false);
  ASSERT_TRUE(ps.plan.has_value());
  EXPECT_FALSE(ps.plan->patient.has_value());
  PlanOrRefusal pat = PlanRecipients(Letter(false, true), &identity, "patient.mssante.fr", false);
  ASSERT_TRUE(pat.plan.has_value());
  EXPECT_TRUE(pat.plan->professionals.empty());
  EXPECT_FALSE(pat.plan->patient_no_reply);
}

struct RuleCase {
  const char* name;
  void (*set)(navette::document::Flags&);
  bool to_ps;
  bool to_patient;
  const char* rule;
};

TEST(PlanRecipientsTest, TheVoletsMaskingRulesRefuseTheWholeMessageNamingTheRule) {
  const navette::identity::Identity identity = Qualified();
  const RuleCase cases[] = {
      {"masked from professionals", [](auto& f) { f.set_masque_ps(true); }, true, false,
       "MASQUE_PS"},
      {"invisible to the patient", [](auto& f) { f.set_invisible_patient(true); }, true, true,
       "INVISIBLE_PATIENT"},
      {"secret stay", [](auto& f) { f.set_connexion_secrete(true); }, false, true,
       "CONNEXION_SECRETE"},
      {"no recipient asked", [](auto&) {}, false, false, "DESTINATAIRE_ABSENT"},
  };
  for (const RuleCase& rule : cases) {
    navette::document::Document record = Letter(rule.to_ps, rule.to_patient);
    rule.set(*record.mutable_flags());
    PlanOrRefusal planned = PlanRecipients(record, &identity, "patient.mssante.fr", false);
    ASSERT_TRUE(planned.refusal.has_value()) << rule.name;
    EXPECT_FALSE(planned.plan.has_value()) << rule.name;
    EXPECT_EQ(planned.refusal->rule, rule.rule) << rule.name;
    EXPECT_THAT(planned.refusal->reason, ::testing::Not(HasSubstr(kIns))) << rule.name;
  }
  // Masked from professionals, but sent only to the patient: allowed.
  navette::document::Document record = Letter(false, true);
  record.mutable_flags()->set_masque_ps(true);
  EXPECT_TRUE(PlanRecipients(record, &identity, "patient.mssante.fr", false).plan.has_value());
}

TEST(PlanRecipientsTest, ThePatientsMailboxNeedsAQualifiedInsUnderAnInsOid) {
  const navette::document::Document record = Letter(false, true);
  EXPECT_EQ(PlanRecipients(record, nullptr, "patient.mssante.fr", false).refusal->rule,
            "INS_ABSENT");
  navette::identity::Identity identity = Qualified();
  identity.set_status(navette::identity::VALIDATED);
  EXPECT_EQ(PlanRecipients(record, &identity, "patient.mssante.fr", false).refusal->rule,
            "INS_NON_QUALIFIEE");
  identity = Qualified("1.2.250.1.213.1.4.10");
  EXPECT_EQ(PlanRecipients(record, &identity, "patient.mssante.fr", false).refusal->rule,
            "INS_OID_TEST");
  EXPECT_TRUE(PlanRecipients(record, &identity, "patient.mssante.fr", true).plan.has_value());
  identity = Qualified("1.2.3");
  EXPECT_EQ(PlanRecipients(record, &identity, "patient.mssante.fr", true).refusal->rule, "INS_OID");
}

TEST(PlanRecipientsTest, ProfessionalsAskedButNoneNamedIsRefused) {
  const navette::identity::Identity identity = Qualified();
  navette::document::Document record = Letter(true, false);
  record.mutable_participants()->DeleteSubrange(0, 1);
  PlanOrRefusal planned = PlanRecipients(record, &identity, "patient.mssante.fr", false);
  ASSERT_TRUE(planned.refusal.has_value());
  EXPECT_EQ(planned.refusal->rule, "DESTINATAIRE_ABSENT");
  EXPECT_THAT(planned.refusal->reason, HasSubstr("PRT"));
}

TEST(MailMessageIdTest, TheReceiptsSourceReadsTheMessageAndDestinationBack) {
  const std::string id =
      NewMailMessageId(7311234567890123, "mss.chu-nord", Audience::kPatient, "bal@chu.mssante.fr");
  EXPECT_THAT(id, ::testing::EndsWith("@chu.mssante.fr"));
  std::optional<MailOrigin> origin = ParseMailMessageId(id);
  ASSERT_TRUE(origin.has_value());
  EXPECT_EQ(origin->message_id, 7311234567890123u);
  EXPECT_EQ(origin->destination, "mss.chu-nord");
  EXPECT_EQ(ParseMailMessageId("<" + id + ">")->destination, "mss.chu-nord");
  // Unique per attempt.
  EXPECT_NE(id, NewMailMessageId(7311234567890123, "mss.chu-nord", Audience::kPatient,
                                 "bal@chu.mssante.fr"));
  for (const char* other : {"", "abc@example.org", "navette.@x", "navette.12@x",
                            "navette.x1.mss.p.00@x", "navette.0.mss.p.00@x", "navette.12.p.00@x"}) {
    EXPECT_FALSE(ParseMailMessageId(other).has_value()) << other;
  }
}

}  // namespace
}  // namespace navette::adapters::mssante
