// The DMP destination end to end (issue 14, acceptance points 1 to 4),
// against the real binary: a GAM makes the ANS test patient PAT-TROIS
// qualified, a lab sends the corpus CR-BIO over MLLP to a source with the
// sgl profile, the route attaches the INS and builds the CDA, and the dmp
// destination registers it in the DMP simulator (tests/dmp-sim) over mutual
// TLS with a signed VIHF. The producer's MLLP listener receives the ZAM^Z01
// business acknowledgements.
//
//   1  the CR-BIO is registered with its metadata, hash and size, and a
//      positive ZAM^Z01 reaches the producer;
//   2  a replacement, a masking change and a deletion of the same document:
//      version 2 replaces version 1, its confidentiality codes change, then
//      it is Deleted;
//   3  what the DMP refuses (an altered VIHF signature, a VIHF signed with
//      the TLS key, a client certificate it does not trust, a wrong INS
//      key, a classCode outside its value set) ends dead with the DMP's
//      reason in the history and a negative ZAM^Z01 with its code;
//   4  busy, then 503, then success: delivered once, after two retries
//      spaced by the backoff;
//   5  the engine killed (SIGKILL) after the DMP registered a document and
//      before its answer was recorded: after the restart the resubmission
//      is recognised as already delivered, and the DMP holds one copy.
//
// The refusals of point 3 are real: a proxy (dmp_tampering_proxy.h) changes
// navette's correct request on its way and the simulator refuses it as the
// DMP would. Only the ANS test identity appears (PAT-TROIS, test OID .10).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "adapters/dmp/xds/xds_values.h"
#include "tests/e2e/dmp/dmp_peer.h"
#include "tests/e2e/dmp/dmp_tampering_proxy.h"
#include "tests/support/document_messages.h"
#include "tests/support/engine_test.h"
#include "tests/support/producer_listener.h"

namespace navette::testing {
namespace {

using dmp_sim::EntryStatus;
using dmp_sim::StoredEntry;
using ::testing::HasSubstr;

constexpr char kOidRoot[] = "1.2.250.1.999.14";
constexpr char kPatientCx[] = "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH";
constexpr char kCrBioId[] = "1.2.250.1.213.1.1.1.55.2024.9.1";
constexpr char kCrBioV2Id[] = "1.2.250.1.213.1.1.1.55.2024.9.2";

class DmpDestinationTest : public EngineTest {
 protected:
  DmpDestinationTest() : EngineTest("navette-dmp-e2e") {}

  void SetUp() override {
    EngineTest::SetUp();
    peer_ = std::make_unique<DmpPeer>(dir_);
    ASSERT_TRUE(peer_->ok()) << peer_->error();
    absl::Status started = peer_->Start();
    ASSERT_TRUE(started.ok()) << started;
    sgl_port_ = FreePort();
    producer_port_ = FreePort();
    ASSERT_TRUE(producer_.Start(producer_port_).ok());
  }
  void TearDown() override {
    EngineTest::TearDown();
    producer_.Stop();
    if (proxy_) proxy_->Stop();
    if (peer_ && peer_->ok()) peer_->server().Stop();
  }

  // The engine with the dmp destination `dmp_yaml`, then PAT-TROIS made
  // qualified by the GAM.
  void StartEngine(const std::string& dmp_yaml) {
    StartEngineWith(fmt::format(
        "engine:\n"
        "  admin: {{ listen: \"127.0.0.1:{}\" }}\n"
        "identity:\n"
        "  environment: test\n"
        "  reliability_codes: {{ VALI: qualified }}\n"
        "hospital:\n"
        "  name: Centre hospitalier de test\n"
        "  finess: \"{}\"\n"
        "  oid_root: {}\n"
        "  facility_type_code: SA01\n"
        "  facility_type_display: Etablissement public de santé\n"
        "sources:\n"
        "  - name: gam\n"
        "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
        "  - name: sgl\n"
        "    profile: sgl\n"
        "    business_acks: producer\n"
        "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
        "destinations:\n"
        "  - name: dmp\n"
        "{}"
        "    delivery:\n"
        "      ordering: per_patient\n"
        "      retry: {{ initial_delay: 300ms, factor: 2, max_delay: 5s, jitter: 0 }}\n"
        "      circuit_breaker: {{ failure_threshold: 0 }}\n"
        "  - name: producer\n"
        "    mllp: {{ address: \"127.0.0.1:{}\", connect_timeout: 2s }}\n"
        "routes:\n"
        "  - name: identities\n"
        "    from: [gam]\n"
        "    steps: [ {{ identity_feed: {{}} }} ]\n"
        "  - name: documents\n"
        "    from: [sgl]\n"
        "    steps: [ {{ attach_ins: {{}} }}, {{ build_cda: {{}} }} ]\n"
        "    to: [dmp]\n",
        admin_port_, kFiness, kOidRoot, mllp_port_, sgl_port_, dmp_yaml, producer_port_));
    if (HasFatalFailure()) return;
    Send(mllp_port_, Adt("A28", "ADT-1", false));
    Send(mllp_port_, Adt("A31", "ADT-2", true));
    ASSERT_FALSE(WaitForListed("ADT-2", "consumed").empty()) << engine_->Log();
  }

  // A proxy in front of the simulator that applies `tamper`; the engine's
  // destination then points at it.
  std::string ThroughProxy(DmpTamperingProxy::Tamper tamper) {
    DmpProxyOptions options;
    options.certificate_path = peer_->Path("server.pem");
    options.key_path = peer_->Path("server.key");
    options.client_ca_path = peer_->Path("ca.pem");
    options.upstream = peer_->BaseUrl();
    options.upstream_tls.ca_file = peer_->Path("ca.pem");
    options.upstream_tls.cert_file = peer_->Path("tls.pem");
    options.upstream_tls.key_file = peer_->Path("tls.key");
    proxy_ = std::make_unique<DmpTamperingProxy>(std::move(options));
    EXPECT_TRUE(proxy_->Start().ok());
    proxy_->set_tamper(std::move(tamper));
    return peer_->DestinationYaml(fmt::format("https://127.0.0.1:{}", proxy_->port()));
  }

  // Sends the CR-BIO under `control_id`, asking for a business
  // acknowledgement, and expects it dead with `code` in its history and in
  // a negative ZAM^Z01; nothing registered.
  void ExpectRefusal(const std::string& control_id, const std::string& code,
                     const std::string& reason) {
    Send(sgl_port_,
         CdaOru(control_id, Action::kCreate, CrBioWithoutIns(), {"DESTDMP", "ACK_RECEPTION"}));
    const std::string history = ShowOnce(control_id, "dead");
    EXPECT_THAT(history, HasSubstr(code));
    EXPECT_THAT(history, HasSubstr(reason));
    const std::string z01 = producer_.WaitForZam("Z01", control_id);
    ASSERT_FALSE(z01.empty()) << "no ZAM^Z01 for " << control_id;
    EXPECT_EQ(Hl7Field(z01, "OBX", 1, 5), "N^^expandedYes-NoIndicator");
    EXPECT_THAT(Hl7Field(z01, "ERR", 1, 5), HasSubstr(code));
    EXPECT_EQ(peer_->server().registry().size(), 0u);
  }

  std::unique_ptr<DmpPeer> peer_;
  std::unique_ptr<DmpTamperingProxy> proxy_;
  ProducerEndpoint producer_;
  uint16_t sgl_port_ = 0, producer_port_ = 0;
};

// 1: registered with its metadata; hash and size are the stored bytes'; a
// positive ZAM^Z01 for the producer.
TEST_F(DmpDestinationTest, CrBioOverMllpIsRegisteredAndThePositiveZ01ReachesTheProducer) {
  StartEngine(peer_->DestinationYaml());
  if (HasFatalFailure()) return;
  Send(sgl_port_,
       CdaOru("BIO-1", Action::kCreate, CrBioWithoutIns(), {"DESTDMP", "ACK_RECEPTION"}));
  const std::string history = ShowOnce("BIO-1", "delivered");

  std::vector<StoredEntry> entries = peer_->server().registry().EntriesOf(kPatientCx);
  ASSERT_EQ(entries.size(), 1u) << history;
  const StoredEntry& entry = entries[0];
  EXPECT_EQ(entry.unique_id, kCrBioId);
  EXPECT_EQ(entry.status, EntryStatus::kApproved);
  EXPECT_EQ(entry.class_code, "10^1.2.250.1.213.1.1.4.1");
  EXPECT_EQ(entry.type_code, "11502-2^2.16.840.1.113883.6.1");
  EXPECT_EQ(entry.format_code, "urn:ihe:lab:xd-lab:2008^1.3.6.1.4.1.19376.1.2.3");
  EXPECT_THAT(entry.confidentiality_codes, ::testing::ElementsAre("N^2.16.840.1.113883.5.25"));
  // The bytes the DMP stores are the CDA navette built, INS first; hash and
  // size are theirs.
  EXPECT_EQ(entry.hash, adapters::dmp::xds::Sha1Hex(entry.bytes));
  EXPECT_EQ(entry.size, entry.bytes.size());
  EXPECT_THAT(entry.bytes, HasSubstr("extension=\"279035121518989\""));
  // The history names the entryUUID the DMP keeps.
  EXPECT_THAT(history, HasSubstr("registered in the DMP as " + entry.entry_uuid));

  const std::string z01 = producer_.WaitForZam("Z01", "BIO-1");
  ASSERT_FALSE(z01.empty()) << "no ZAM^Z01 for BIO-1; received " << producer_.received().size();
  EXPECT_EQ(Hl7Field(z01, "OBX", 1, 5), "Y^^expandedYes-NoIndicator");
  EXPECT_EQ(Hl7Field(z01, "ERR", 1, 1), "");
}

// 2: version 2 replaces version 1 (RPLC of its entryUUID), a masking change
// re-codes version 2's confidentiality, a deletion makes it Deleted.
TEST_F(DmpDestinationTest, ReplacementMaskingAndDeletionOfTheSameDocument) {
  StartEngine(peer_->DestinationYaml());
  if (HasFatalFailure()) return;
  const std::string first = CrBioWithoutIns();
  const std::string second = CrBioSecondVersion(first);
  Send(sgl_port_, CdaOru("BIO-1", Action::kCreate, first));
  ShowOnce("BIO-1", "delivered");
  Send(sgl_port_, CdaOru("BIO-2", Action::kReplace, second));
  ShowOnce("BIO-2", "delivered");
  auto v1 = peer_->server().registry().FindByUniqueId(kCrBioId);
  auto v2 = peer_->server().registry().FindByUniqueId(kCrBioV2Id);
  ASSERT_TRUE(v1.has_value() && v2.has_value());
  EXPECT_EQ(v1->status, EntryStatus::kDeprecated);
  EXPECT_EQ(v1->replaced_by, v2->entry_uuid);
  EXPECT_EQ(v2->status, EntryStatus::kApproved);

  Send(sgl_port_,
       CdaOru("BIO-3", Action::kCreate, second, {"DESTDMP", "MODIF_CONF_CODE", "MASQUE_PS"}));
  ShowOnce("BIO-3", "delivered");
  v2 = peer_->server().registry().FindByUniqueId(kCrBioV2Id);
  ASSERT_TRUE(v2.has_value());
  EXPECT_EQ(v2->version, 2);
  EXPECT_THAT(v2->confidentiality_codes, ::testing::Contains(HasSubstr("MASQUE_PS")));
  EXPECT_EQ(v2->status, EntryStatus::kApproved);

  Send(sgl_port_, CdaOru("BIO-4", Action::kDelete, second));
  ShowOnce("BIO-4", "delivered");
  v2 = peer_->server().registry().FindByUniqueId(kCrBioV2Id);
  ASSERT_TRUE(v2.has_value());
  EXPECT_EQ(v2->status, EntryStatus::kDeleted);
  // One document, two versions: nothing registered twice.
  EXPECT_EQ(peer_->server().registry().size(), 2u);
}

// The DMP refuses a VIHF signed with the TLS key; `navette check` refuses
// the configuration that would do it, at the signing key, and so does
// `serve`.
TEST_F(DmpDestinationTest, CheckRefusesTheTlsKeyPairAsTheSigningPair) {
  std::string yaml = peer_->DestinationYaml();
  const std::string signing = fmt::format("signing: {{ cert_file: \"{}\", key_file: \"{}\" }}",
                                          peer_->Path("sign.pem"), peer_->Path("sign.key"));
  const std::string same = fmt::format("signing: {{ cert_file: \"{}\", key_file: \"{}\" }}",
                                       peer_->Path("tls.pem"), peer_->Path("tls.key"));
  ASSERT_NE(yaml.find(signing), std::string::npos);
  yaml.replace(yaml.find(signing), signing.size(), same);
  const std::string config = fmt::format(
      "hospital: {{ finess: \"{}\", oid_root: {}, facility_type_code: SA01 }}\n"
      "sources:\n"
      "  - {{ name: lab, profile: sgl, mllp: {{ listen: \"127.0.0.1:{}\" }} }}\n"
      "destinations:\n"
      "  - name: dmp\n{}"
      "routes:\n"
      "  - {{ name: all, to: [dmp] }}\n",
      kFiness, kOidRoot, sgl_port_, yaml);
  const std::filesystem::path path = dir_ / "same-pair.yaml";
  std::ofstream(path) << config;
  CommandResult checked = RunNavette({"check", path.string(), "--data-dir", (dir_ / "d").string()});
  EXPECT_EQ(checked.exit_code, 1) << checked.out << checked.err;
  EXPECT_THAT(checked.err,
              HasSubstr("same-pair.yaml:11:16: error: destination 'dmp': dmp.signing: "));
  EXPECT_THAT(checked.err, HasSubstr("the signing key pair is the TLS key pair"));
}

// 3: each refusal is the DMP's, for a request the proxy spoilt.
TEST_F(DmpDestinationTest, AnAlteredVihfSignatureIsRefused) {
  StartEngine(ThroughProxy(tamper::AlterSignature));
  if (HasFatalFailure()) return;
  ExpectRefusal("BIO-SIG", "FailedCheck", "SignatureValue does not verify");
}

TEST_F(DmpDestinationTest, AVihfSignedWithTheTlsKeyIsRefused) {
  StartEngine(ThroughProxy(tamper::ResignVihfWith(peer_->Path("tls.key"), peer_->Path("tls.pem"))));
  if (HasFatalFailure()) return;
  ExpectRefusal("BIO-TLSKEY", "DMPInvalidCertificate",
                "the VIHF is signed with the TLS client authentication certificate");
}

TEST_F(DmpDestinationTest, AClientCertificateTheDmpDoesNotTrustIsRefused) {
  StartEngine(peer_->DestinationYaml("", "rogue"));
  if (HasFatalFailure()) return;
  ExpectRefusal("BIO-CERT", "TLS_CERTIFICATE_REFUSED",
                "the DMP refused the establishment's TLS certificate");
  EXPECT_EQ(peer_->server().requests(), 0);
}

TEST_F(DmpDestinationTest, APatientIdWithAWrongInsKeyIsRefused) {
  // The VIHF names the same wrong INS, signed again with the signing pair:
  // the DMP sees a consistent request whose INS key is wrong.
  auto resign = tamper::ResignVihfWith(peer_->Path("sign.key"), peer_->Path("sign.pem"));
  StartEngine(
      ThroughProxy([resign](std::string body) { return resign(tamper::WrongInsKey(body)); }));
  if (HasFatalFailure()) return;
  ExpectRefusal("BIO-KEY", "XDSRegistryMetadataError", "has a wrong INS key");
}

TEST_F(DmpDestinationTest, AClassCodeOutsideTheValueSetIsRefused) {
  StartEngine(ThroughProxy(tamper::ClassCodeOutsideValueSet));
  if (HasFatalFailure()) return;
  ExpectRefusal("BIO-CLASS", "XDSRegistryMetadataError",
                "classCode: 99 (codingScheme 1.2.250.1.213.1.1.4.1) is not in the DMP value set");
}

// 4: busy, 503, then registered once; the attempts are spaced by the
// backoff (300 ms, then 600 ms).
TEST_F(DmpDestinationTest, BusyThen503ThenSuccessIsDeliveredOnceAfterTheBackoff) {
  StartEngine(peer_->DestinationYaml());
  if (HasFatalFailure()) return;
  peer_->server().faults().Push(*dmp_sim::ParseCannedAnswer("busy"));
  peer_->server().faults().Push(*dmp_sim::ParseCannedAnswer("503"));
  Send(sgl_port_, CdaOru("BIO-RETRY", Action::kCreate, CrBioWithoutIns()));
  const std::string history = ShowOnce("BIO-RETRY", "delivered");
  EXPECT_EQ(peer_->server().registry().size(), 1u);
  EXPECT_EQ(peer_->server().requests(), 3);
  EXPECT_THAT(history, HasSubstr("XDSRegistryBusy"));
  EXPECT_THAT(history, HasSubstr("HTTP 503"));
  EXPECT_THAT(history, HasSubstr("registered in the DMP as"));
  // Each retry event names its next attempt: 300 ms, then 600 ms later
  // (initial_delay 300ms, factor 2, no jitter); the next attempt waited.
  std::vector<absl::Duration> delays;
  std::vector<absl::Time> attempts;
  for (const std::string& line : std::vector<std::string>(absl::StrSplit(history, '\n'))) {
    std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (words.size() < 2 || (words[1] != "retry" && words[1] != "delivered") ||
        line.find("destination=dmp") == std::string::npos) {
      continue;
    }
    absl::Time at;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, words[0], &at, nullptr)) << line;
    attempts.push_back(at);
    const size_t next = line.find("next attempt at ");
    if (next == std::string::npos) continue;
    absl::Time next_at;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, line.substr(next + 16), &next_at, nullptr))
        << line;
    delays.push_back(next_at - at);
  }
  ASSERT_EQ(delays.size(), 2u) << history;
  ASSERT_EQ(attempts.size(), 3u) << history;
  EXPECT_GE(delays[0], absl::Milliseconds(290));
  EXPECT_LE(delays[0], absl::Milliseconds(350));
  EXPECT_GE(delays[1], absl::Milliseconds(590));
  EXPECT_LE(delays[1], absl::Milliseconds(650));
  // An attempt's event is written when it ends, so the gap between two
  // is at least the delay announced.
  EXPECT_GE(attempts[1] - attempts[0], delays[0]);
  EXPECT_GE(attempts[2] - attempts[1], delays[1]);
}

// 5: the simulator registers the document, then holds its answer; the
// engine is killed meanwhile, so the outcome is never recorded.
TEST_F(DmpDestinationTest, AResubmissionAfterSigkillIsRecognisedAsAlreadyDelivered) {
  StartEngine(peer_->DestinationYaml());
  if (HasFatalFailure()) return;
  peer_->server().faults().Push(*dmp_sim::ParseCannedAnswer("hold:5000"));
  Send(sgl_port_, CdaOru("BIO-KILL", Action::kCreate, CrBioWithoutIns()));
  ASSERT_TRUE(
      WaitFor([&] { return peer_->server().registry().size() == 1; }, std::chrono::seconds(30)))
      << engine_->Log();
  engine_->Kill();
  ASSERT_TRUE(engine_->Start().ok()) << engine_->Log();
  const std::string history = ShowOnce("BIO-KILL", "delivered");
  EXPECT_THAT(history, HasSubstr("already registered in the DMP"));
  EXPECT_EQ(peer_->server().registry().size(), 1u);
  EXPECT_EQ(peer_->server().requests(), 2);
}

}  // namespace
}  // namespace navette::testing
