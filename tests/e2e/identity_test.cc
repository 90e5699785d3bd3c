// The identity feed and the INS, end to end over MLLP against the real
// binary: ADTs build the identity store, documents of patients whose identity
// cannot carry the INS are parked and released when an ADT qualifies it, a
// merge moves parked documents to the survivor, and a document whose INS or
// traits disagree with the store goes dead naming the disagreement.
//
// Only the ANS test identities appear (PAT-TROIS, test OID .10).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"

namespace navette::testing {
namespace {

constexpr char kInsOid[] = "1.2.250.1.213.1.4.10";  // INS-NIR de test
constexpr char kMatricule[] = "279035121518989";    // PAT-TROIS, key 89
constexpr char kAuthority[] = "CHU-X&1.2.250.1.71.4.2.2&ISO";

struct Patient {
  std::string ipp;
  std::string status = "PROV";  // PID-32
  bool with_ins = false;
  std::string birth_name = "PAT-TROIS";
  std::string given = "DOMINIQUE";
  std::string matricule = kMatricule;
};

// PID in the PAM-FR shape: PID-3 IPP (and INS), PID-5 birth name (L),
// PID-7, PID-8, PID-11 birthplace (BDL), PID-32 reliability code.
std::string Pid(const Patient& patient) {
  std::string ids = fmt::format("{}^^^{}^PI", patient.ipp, kAuthority);
  if (patient.with_ins) {
    ids += fmt::format("~{}^^^ASIP-SANTE-INS-NIR&{}&ISO^INS", patient.matricule, kInsOid);
  }
  std::vector<std::string> fields(33);
  fields[1] = "1";
  fields[3] = ids;
  fields[5] = fmt::format("{}^{}^{}^^^^L", patient.birth_name, patient.given, patient.given);
  fields[7] = "19790328";
  fields[8] = "F";
  fields[11] = "^^^^^^BDL^^63220";
  fields[32] = patient.status;
  std::string pid = "PID";
  for (size_t i = 1; i < fields.size(); ++i) pid += "|" + fields[i];
  return pid + "\r";
}

std::string Msh(const std::string& type, const std::string& control_id,
                const std::string& charset) {
  return fmt::format(
      "MSH|^~\\&|GAM|CHU-X|PFI|CHU-X|20261122120000||{}|{}|P|2.5^FRA^2.11|||||FRA|{}|FR\r", type,
      control_id, charset);
}

std::string Adt(const std::string& event, const std::string& control_id, const Patient& patient,
                const std::string& merged_ipp = "", const std::string& charset = "UNICODE UTF-8") {
  std::string message = Msh(fmt::format("ADT^{}^ADT_A05", event), control_id, charset) +
                        "EVN||20261122120000\r" + Pid(patient);
  if (!merged_ipp.empty()) message += fmt::format("MRG|{}^^^{}^PI\r", merged_ipp, kAuthority);
  return message + "ZFA|ACTIF|20261122120000|||||||INO|20261122120000|IC|20261122120000\r";
}

std::string Oru(const std::string& control_id, const Patient& patient,
                const std::string& charset = "UNICODE UTF-8") {
  return Msh("ORU^R01^ORU_R01", control_id, charset) + Pid(patient) +
         "OBR|1|98765431^Nephro|1001-E1^labo|11502-2^CR d'examens biologiques^LN\r"
         "OBX|1|NM|2160-0^Creatinine^LN||81|umol/L|||||F\r";
}

constexpr const char* kRoutes = kIdentityRoutes;  // tests/support/engine_config.h

class IdentityTest : public EngineTest {
 protected:
  IdentityTest() : EngineTest("navette-identity") {}
  void StartEngine(const std::string& identity = "identity: { environment: test }\n") {
    StartEngineWith(
        fmt::format("engine:\n"
                    "  admin: {{ listen: \"127.0.0.1:{}\" }}\n"
                    "{}"
                    "sources:\n"
                    "  - name: dpi\n"
                    "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
                    "destinations:\n"
                    "  - name: outbox\n"
                    "    file: {{ directory: outbox }}\n"
                    "routes:\n{}",
                    admin_port_, identity, mllp_port_, kRoutes));
  }
  // Sends one message over MLLP with `navette send`; it must be accepted.
  void Send(const std::string& message) {
    const auto path = dir_ / fmt::format("m{}.hl7", sent_++);
    std::ofstream(path, std::ios::binary) << message;
    CommandResult result =
        RunNavette({"send", "--port", std::to_string(mllp_port_), path.string()});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    ASSERT_NE(result.out.find("MSA|AA|"), std::string::npos) << result.out;
  }
  // Neither the ANS test patient's matricule nor a trait of hers.
  static void ExpectNoPatientData(const std::string& text) {
    for (const char* value : {kMatricule, "PAT-TROIS", "DOMINIQUE", "19790328", "63220"}) {
      EXPECT_EQ(text.find(value), std::string::npos) << value << " in:\n" << text;
    }
  }
  // The ANS sample ORU as published: PID-3 holds the test INS, no IPP.
  static std::string CorpusOru() {
    const std::string raw = ReadFileBytes(std::filesystem::path(NAVETTE_FIXTURES_DIR) / "hl7" /
                                          "oru_r01_cr_bio_init.hl7");
    EXPECT_NE(
        raw.find(fmt::format("PID|||{}^^^ASIP-SANTE-INS-NIR&{}&ISO^INS", kMatricule, kInsOid)),
        std::string::npos);
    return raw;
  }
  // What the file destination holds for a message.
  std::string Delivered(const std::string& id) {
    return ReadFileBytes(engine_->data_dir() / "outbox" / (id + ".hl7"));
  }

  int sent_ = 0;
};

TEST_F(IdentityTest, DocumentParkedUntilTheIdentityIsQualifiedThenDeliveredWithTheIns) {
  StartEngine();
  Send(Adt("A28", "ADT-1", {.ipp = "000100"}));
  ASSERT_FALSE(WaitForListed("ADT-1", "consumed").empty());

  Send(Oru("ORU-1", {.ipp = "000100"}));
  const std::string parked = WaitForListed("ORU-1", "parked");
  ASSERT_FALSE(parked.empty()) << engine_->Log();
  const std::string id = JsonField(parked, "id");
  // The analyst sees why it waits.
  CommandResult listed = Messages({"messages", "list", "--state", "parked"});
  EXPECT_NE(listed.out.find("route lab parked: attach_ins: identity not qualified (provisional)"),
            std::string::npos)
      << listed.out;
  EXPECT_FALSE(std::filesystem::exists(engine_->data_dir() / "outbox" / (id + ".hl7")));

  Send(Adt("A31", "ADT-2", {.ipp = "000100", .status = "QUAL", .with_ins = true}));
  ASSERT_FALSE(WaitForListed("ORU-1", "delivered").empty()) << Show(id) << engine_->Log();

  const std::string delivered = Delivered(id);
  EXPECT_NE(delivered.find(fmt::format("{}^^^ASIP-SANTE-INS-NIR&{}&ISO^INS", kMatricule, kInsOid)),
            std::string::npos)
      << delivered;
  EXPECT_NE(delivered.find("PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L"), std::string::npos);
  const std::string shown = Show(id);
  EXPECT_NE(shown.find("parked"), std::string::npos) << shown;
  EXPECT_NE(shown.find("identity qualified by A31"), std::string::npos) << shown;
  // The history says what attach_ins changed: which fields, not their values.
  const std::string history = HistoryOf(shown);
  EXPECT_NE(history.find("route=lab  attach_ins: INS and traits written into PID-3"),
            std::string::npos)
      << shown;
  ExpectNoPatientData(history);
  // The ADT's history says what changed, without patient data.
  const std::string adt = Show(JsonField(WaitForListed("ADT-2", "consumed"), "id"));
  EXPECT_NE(adt.find("status provisional -> qualified, INS set"), std::string::npos) << adt;
}

TEST_F(IdentityTest, MergedPatientsParkedDocumentFollowsTheSurvivor) {
  StartEngine();
  Send(Adt("A28", "ADT-1", {.ipp = "000100"}));
  Send(Adt("A28", "ADT-2", {.ipp = "000200"}));
  Send(Oru("ORU-1", {.ipp = "000100"}));
  const std::string id = JsonField(WaitForListed("ORU-1", "parked"), "id");
  ASSERT_FALSE(id.empty()) << engine_->Log();

  // 000200 absorbs 000100: the document now waits for 000200's identity.
  Send(Adt("A40", "ADT-3", {.ipp = "000200"}, "000100"));
  EXPECT_TRUE(
      WaitFor([&] { return Show(id).find("now parked under the identity") != std::string::npos; },
              std::chrono::seconds(20)))
      << Show(id);
  EXPECT_NE(Show(id).find("merged by A40"), std::string::npos) << Show(id);
  EXPECT_FALSE(WaitForListed("ORU-1", "parked").empty());

  // Qualifying the survivor releases it, with the survivor's INS.
  Send(Adt("A31", "ADT-4", {.ipp = "000200", .status = "QUAL", .with_ins = true}));
  ASSERT_FALSE(WaitForListed("ORU-1", "delivered").empty()) << Show(id) << engine_->Log();
  EXPECT_NE(Delivered(id).find(kMatricule), std::string::npos);

  // A document sent later under the absorbed IPP resolves to the survivor.
  Send(Oru("ORU-2", {.ipp = "000100"}));
  const std::string later = WaitForListed("ORU-2", "delivered");
  ASSERT_FALSE(later.empty()) << engine_->Log();
  EXPECT_NE(Delivered(JsonField(later, "id")).find(kMatricule), std::string::npos);
}

TEST_F(IdentityTest, EmbeddedInsOrTraitsThatDisagreeGoDeadNamingTheDisagreement) {
  StartEngine();
  Send(Adt("A28", "ADT-1", {.ipp = "000100", .status = "QUAL", .with_ins = true}));
  ASSERT_FALSE(WaitForListed("ADT-1", "consumed").empty());

  Send(Oru("ORU-1", {.ipp = "000100", .with_ins = true, .birth_name = "PAT-QUATRE"}));
  const std::string name = WaitForListed("ORU-1", "dead");
  ASSERT_FALSE(name.empty()) << engine_->Log();
  const std::string shown = Show(JsonField(name, "id"));
  EXPECT_NE(shown.find("birth name (PID-5.1) differs from the identity store"), std::string::npos)
      << shown;
  // Nothing about the patient in the reason.
  EXPECT_EQ(shown.find("PAT-QUATRE", shown.find("History:")), std::string::npos) << shown;

  // Another valid matricule (the Corsican test one): the INS itself differs.
  Send(Oru("ORU-2", {.ipp = "000100", .with_ins = true, .matricule = "180032B02040123"}));
  const std::string ins = WaitForListed("ORU-2", "dead");
  ASSERT_FALSE(ins.empty()) << engine_->Log();
  EXPECT_NE(Show(JsonField(ins, "id")).find("INS matricule differs from the identity store"),
            std::string::npos);

  // A replay would skip the step: refused, with the way out.
  CommandResult replay = Messages({"messages", "replay", JsonField(ins, "id")});
  EXPECT_NE(replay.exit_code, 0);
  EXPECT_NE(replay.err.find("--reroute"), std::string::npos) << replay.err;

  // The agreeing document goes through.
  Send(Oru("ORU-3", {.ipp = "000100", .with_ins = true}));
  EXPECT_FALSE(WaitForListed("ORU-3", "delivered").empty()) << engine_->Log();
}

TEST_F(IdentityTest, TestOidRefusedInProduction) {
  StartEngine("");  // production by default
  Send(Adt("A28", "ADT-1", {.ipp = "000100", .status = "QUAL", .with_ins = true}));
  const std::string dead = WaitForListed("ADT-1", "dead");
  ASSERT_FALSE(dead.empty()) << engine_->Log();
  const std::string shown = Show(JsonField(dead, "id"));
  EXPECT_NE(shown.find("identity_feed: PID-3"), std::string::npos) << shown;
  EXPECT_NE(shown.find("is a test OID, refused in production"), std::string::npos) << shown;
  EXPECT_EQ(shown.find(kMatricule, shown.find("History:")), std::string::npos) << shown;
}

TEST_F(IdentityTest, SiteTableMakesValiQualifiedAndLatin1NamesStayIntact) {
  StartEngine("identity: { environment: test, reliability_codes: { VALI: qualified } }\n");
  // ISO 8859-1 feed, accented birth name and first names (é è ô ç).
  const std::string latin1_name = "B\xE9rang\xE8re";        // Bérangère
  const std::string latin1_given = "C\xF4me-Fran\xE7oise";  // Côme-Françoise
  Patient patient{.ipp = "000300", .status = "VALI", .with_ins = true};
  patient.birth_name = latin1_name;
  patient.given = latin1_given;
  Send(Adt("A28", "ADT-1", patient, "", "8859/1"));
  ASSERT_FALSE(WaitForListed("ADT-1", "consumed").empty()) << engine_->Log();

  Patient document = patient;
  document.with_ins = false;
  const std::string oru = Oru("ORU-1", document, "8859/1");
  Send(oru);
  const std::string done = WaitForListed("ORU-1", "delivered");
  ASSERT_FALSE(done.empty()) << engine_->Log();
  const std::string id = JsonField(done, "id");
  // Delivered in the sender's charset, INS added, names byte for byte.
  const std::string delivered = Delivered(id);
  EXPECT_NE(delivered.find(latin1_name + "^" + latin1_given), std::string::npos);
  EXPECT_NE(delivered.find(kMatricule), std::string::npos);
  // Shown as UTF-8.
  const std::string shown = Show(id);
  EXPECT_NE(shown.find("B\u00e9rang\u00e8re^C\u00f4me-Fran\u00e7oise"), std::string::npos) << shown;
}

TEST_F(IdentityTest, AnalystReleasesOrDiscardsAParkedDocument) {
  StartEngine();
  Send(Oru("ORU-1", {.ipp = "000900"}));
  const std::string id = JsonField(WaitForListed("ORU-1", "parked"), "id");
  ASSERT_FALSE(id.empty()) << engine_->Log();
  EXPECT_NE(Show(id).find("patient unknown to the identity store"), std::string::npos);

  // Released while the patient is still unknown: it runs again, parks again.
  CommandResult released = Messages({"messages", "release", id});
  ASSERT_EQ(released.exit_code, 0) << released.err;
  EXPECT_NE(released.out.find("route lab sent back to the router"), std::string::npos)
      << released.out;
  EXPECT_TRUE(WaitFor(
      [&] {
        const std::string shown = Show(id);
        return shown.find("release requested") != std::string::npos &&
               shown.find("state:        parked") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << Show(id);
  EXPECT_NE(Show(id).find("by local-admin"), std::string::npos) << Show(id);

  CommandResult discarded = Messages({"messages", "discard", id});
  ASSERT_EQ(discarded.exit_code, 0) << discarded.err;
  EXPECT_FALSE(WaitForListed("ORU-1", "discarded").empty());
  // A later qualification releases nothing: it was discarded.
  Send(Adt("A28", "ADT-1", {.ipp = "000900", .status = "QUAL", .with_ins = true}));
  ASSERT_FALSE(WaitForListed("ADT-1", "consumed").empty());
  EXPECT_FALSE(WaitForListed("ORU-1", "discarded").empty());
  EXPECT_FALSE(std::filesystem::exists(engine_->data_dir() / "outbox" / (id + ".hl7")));
}

// The ANS sample ORUs name the patient by the INS alone. Unknown, the INS is
// what the document waits for; the A31 that qualifies the identity carrying
// it releases the document, delivered with the INS and traits of the store.
TEST_F(IdentityTest, InsOnlyDocumentWaitsForTheIdentityThatCarriesItsIns) {
  StartEngine();
  Send(CorpusOru());  // MSH-10 015
  const std::string parked = WaitForListed("015", "parked");
  ASSERT_FALSE(parked.empty()) << engine_->Log();
  const std::string id = JsonField(parked, "id");
  CommandResult listed = Messages({"messages", "list", "--state", "parked"});
  EXPECT_NE(listed.out.find("route lab parked: attach_ins: INS unknown to the identity store (no "
                            "IPP in PID-3)"),
            std::string::npos)
      << listed.out;
  // The reason is logged, with the message id and route, and no patient data.
  EXPECT_TRUE(WaitFor(
      [&] {
        return engine_->Log().find(
                   fmt::format("router: parked id={} route=lab: attach_ins: INS unknown", id)) !=
               std::string::npos;
      },
      std::chrono::seconds(20)))
      << engine_->Log();

  // The DPI qualifies the patient with that INS, under its own IPP.
  Send(Adt("A31", "ADT-1", {.ipp = "000100", .status = "QUAL", .with_ins = true}));
  ASSERT_FALSE(WaitForListed("015", "delivered").empty()) << Show(id) << engine_->Log();
  const std::string delivered = Delivered(id);
  EXPECT_NE(delivered.find(fmt::format("PID|||{}^^^ASIP-SANTE-INS-NIR&{}&ISO^INS||PAT-TROIS^",
                                       kMatricule, kInsOid)),
            std::string::npos)
      << delivered;
  const std::string history = HistoryOf(Show(id));
  EXPECT_NE(history.find("identity qualified by A31"), std::string::npos) << history;
  EXPECT_NE(history.find("attach_ins: patient found by its INS; INS and traits written into PID-3"),
            std::string::npos)
      << history;
  ExpectNoPatientData(history);
  ExpectNoPatientData(engine_->Log());
}

TEST_F(IdentityTest, InsOnlyDocumentOfAQualifiedIdentityIsDeliveredAtOnce) {
  StartEngine();
  Send(Adt("A28", "ADT-1", {.ipp = "000100", .status = "QUAL", .with_ins = true}));
  ASSERT_FALSE(WaitForListed("ADT-1", "consumed").empty()) << engine_->Log();
  Send(CorpusOru());
  const std::string done = WaitForListed("015", "delivered");
  ASSERT_FALSE(done.empty()) << engine_->Log();
  const std::string id = JsonField(done, "id");
  EXPECT_NE(
      Delivered(id).find(fmt::format("{}^^^ASIP-SANTE-INS-NIR&{}&ISO^INS|", kMatricule, kInsOid)),
      std::string::npos);
  EXPECT_NE(HistoryOf(Show(id)).find("route=lab  attach_ins: patient found by its INS"),
            std::string::npos)
      << Show(id);

  // The same document whose birth name differs: dead, and the reason logged.
  std::string other = CorpusOru();
  other.replace(other.find("|015|"), 5, "|016|");
  other.replace(other.find("||PAT-TROIS^"), 12, "||PAT-TRIOS^");
  Send(other);
  const std::string dead = WaitForListed("016", "dead");
  ASSERT_FALSE(dead.empty()) << engine_->Log();
  EXPECT_TRUE(WaitFor(
      [&] {
        return engine_->Log().find(
                   fmt::format("router: dead id={} route=lab: attach_ins: birth name (PID-5.1) "
                               "differs from the identity store",
                               JsonField(dead, "id"))) != std::string::npos;
      },
      std::chrono::seconds(20)))
      << engine_->Log();
  EXPECT_EQ(engine_->Log().find("PAT-TRIOS"), std::string::npos);
}

// In production the test OID of the ANS samples names nobody: the document
// is dead at once (parking it would wait for an identity that cannot come).
TEST_F(IdentityTest, InsOnlyDocumentWithATestOidIsDeadInProduction) {
  StartEngine("");  // production by default
  Send(CorpusOru());
  const std::string dead = WaitForListed("015", "dead");
  ASSERT_FALSE(dead.empty()) << engine_->Log();
  const std::string id = JsonField(dead, "id");
  const std::string history = HistoryOf(Show(id));
  EXPECT_NE(history.find("attach_ins: no IPP in PID-3 and the INS (PID-3[1]) cannot name the "
                         "patient: INS OID 1.2.250.1.213.1.4.10 is a test OID, refused in "
                         "production"),
            std::string::npos)
      << history;
  EXPECT_TRUE(WaitFor(
      [&] {
        return engine_->Log().find(fmt::format("router: dead id={} route=lab: attach_ins: no IPP",
                                               id)) != std::string::npos;
      },
      std::chrono::seconds(20)))
      << engine_->Log();
  ExpectNoPatientData(engine_->Log());
}

}  // namespace
}  // namespace navette::testing
