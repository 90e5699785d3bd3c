// The fixture of the MSSanté end-to-end suite: a real Postfix and Dovecot
// (tests/mail/mail_servers.h) shared by the suite, the engine with an
// mssante destination and an mssante_receipts source pointed at them, the
// GAM feed that makes the ANS test patient PAT-TROIS qualified, and the
// DPI's MDM discharge letter with its PRT recipients and MetaDMPMSS flags.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "tests/mail/mail_servers.h"
#include "tests/support/document_messages.h"
#include "tests/support/engine_test.h"
#include "tests/support/producer_listener.h"

namespace navette::testing {

inline constexpr char kMailbox[] = "navette@hopital.mssante.fr";
inline constexpr char kDoctor[] = "dr.martin@medecin.mssante.fr";
inline constexpr char kUnknownDoctor[] = "dr.inconnu@medecin.mssante.fr";
inline constexpr char kPatientMailbox[] = "279035121518989@patient.mssante.fr";
inline constexpr char kLetterType[] =
    "11490-0^Lettre de liaison à la sortie d'un établissement de soins^LN";
inline constexpr char kPasswordEnv[] = "NAVETTE_TEST_MSS_IMAP_PASSWORD";

// A PRT RCT: a professional by RPPS, or the patient by INS (PRT-5 type INS).
inline std::string RecipientPrt(const std::string& address) {
  if (address == kPatientMailbox) {
    return "PRT||UC||RCT^^participation|279035121518989^PAT-TROIS^DOMINIQUE^^^^^^"
           "1.2.250.1.213.1.4.10^L^^^INS||||||||||^NET^X.400^" +
           address + "\r";
  }
  return "PRT||UC||RCT^^participation|810001234567^MARTIN^Jean^^^^^^ASIP-SANTE-PS&"
         "1.2.250.1.71.4.2.1&ISO^D^^^IDNPS||||||||||^NET^X.400^" +
         address + "\r";
}

// The DPI's MDM^T02 carrying a PDF discharge letter, to `recipients`, with
// the flags in `yes` set to Y.
inline std::string LetterMdm(const std::string& control_id, const std::string& pdf,
                             const std::vector<std::string>& recipients,
                             const std::set<std::string>& yes, const std::string& id,
                             const std::string& reply_to = "") {
  std::vector<std::string> txa(23);
  txa[1] = "1";
  txa[2] = "11490-0";
  txa[3] = "TEXT";
  txa[4] = "20261203095500";
  txa[12] = id;
  txa[17] = "AU";
  txa[22] = "801234564895";
  std::string prts;
  for (const std::string& address : recipients) prts += RecipientPrt(address);
  if (!reply_to.empty()) {
    prts += "PRT||UC||REPLY^^participation|||||||||||^NET^X.400^" + reply_to + "\r";
  }
  return fmt::format(
             "MSH|^~\\&|DPI|CHU-X|PFI|CHU-X|20261203100000||MDM^T02^MDM_T02|{}|P|2.6|||||FRA|"
             "UNICODE UTF-8|||2.1^CISIS_CDA_HL7_V2\rEVN||20261203100000\r",
             control_id) +
         Pid(kIpp, "VALI") + Pv1() + "ORC|NW|\r" + fmt::format("OBR|1|||{}|\r", kLetterType) +
         "TXA|" + absl::StrJoin(txa.begin() + 1, txa.end(), "|") + "\r" +
         fmt::format("OBX|1|ED|{}||^Application^PDF^Base64^{}||||||F|\r", kLetterType,
                     absl::Base64Escape(pdf)) +
         prts + SenderAndFlags(2, yes);
}

class MssanteTest : public EngineTest {
 protected:
  MssanteTest() : EngineTest("navette-mss-e2e") {}

  static void SetUpTestSuite() {
    MailServerOptions options;
    options.mailboxes = {kMailbox, kDoctor, kPatientMailbox};
    servers_dir_ = FreshTestDir("navette-mss-servers");
    servers_ = new MailServers(servers_dir_, options);
  }
  static void TearDownTestSuite() {
    delete servers_;
    servers_ = nullptr;
    // Kept when a test failed, for Postfix's and Dovecot's logs and Maildirs.
    if (!::testing::UnitTest::GetInstance()->current_test_suite()->Failed()) {
      std::filesystem::remove_all(servers_dir_);
    }
  }

  void SetUp() override {
    EngineTest::SetUp();
    ASSERT_TRUE(servers_->ok()) << servers_->error();
    ::setenv(kPasswordEnv, servers_->imap_password().c_str(), 1);
    dpi_port_ = FreePort();
    producer_port_ = FreePort();
    ASSERT_TRUE(producer_.Start(producer_port_).ok());
  }
  void TearDown() override {
    EngineTest::TearDown();
    producer_.Stop();
  }

  // The destination's tls section: the test CA and `cert` / `key` (none
  // when empty).
  static std::string TlsYaml(const std::string& cert, const std::string& key) {
    std::string yaml = fmt::format("{{ ca_file: \"{}\"", servers_->ca_file());
    if (!cert.empty()) yaml += fmt::format(", cert_file: \"{}\", key_file: \"{}\"", cert, key);
    return yaml + " }";
  }
  static std::string ClientTls() {
    return TlsYaml(servers_->client_cert(), servers_->client_key());
  }

  std::string ConfigYaml(const std::string& destination_tls, const std::string& extra = "") const {
    return fmt::format(
        "engine:\n"
        "  admin: {{ listen: \"127.0.0.1:{}\" }}\n"
        "identity:\n"
        "  environment: test\n"
        "  reliability_codes: {{ VALI: qualified }}\n"
        "hospital:\n"
        "  name: Centre hospitalier de test\n"
        "  finess: \"{}\"\n"
        "  oid_root: 1.2.250.1.999.15\n"
        "  facility_type_code: SA01\n"
        "  facility_type_display: Etablissement public de santé\n"
        "sources:\n"
        "  - name: gam\n"
        "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
        "  - name: dpi\n"
        "    profile: dpi\n"
        "    business_acks: producer\n"
        "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
        "  - name: mss-inbox\n"
        "    mssante_receipts:\n"
        "      imap_address: \"127.0.0.1:{}\"\n"
        "      tls: {}\n"
        "      username: \"{}\"\n"
        "      password_env: {}\n"
        "      poll_interval: 200ms\n"
        "destinations:\n"
        "  - name: mss\n"
        "    mssante:\n"
        "      smtp_address: \"127.0.0.1:{}\"\n"
        "      tls: {}\n"
        "      mailbox: \"{}\"\n"
        "      product_reference: NAVETTE-TEST-0001\n"
        "{}"
        "    delivery:\n"
        "      retry: {{ initial_delay: 300ms, factor: 2, max_delay: 2s, jitter: 0 }}\n"
        "      circuit_breaker: {{ failure_threshold: 0 }}\n"
        "  - name: producer\n"
        "    mllp: {{ address: \"127.0.0.1:{}\", connect_timeout: 2s }}\n"
        "routes:\n"
        "  - name: identities\n"
        "    from: [gam]\n"
        "    steps: [ {{ identity_feed: {{}} }} ]\n"
        "  - name: letters\n"
        "    from: [dpi]\n"
        "    steps: [ {{ attach_ins: {{}} }}, {{ build_cda: {{}} }} ]\n"
        "    to: [mss]\n",
        admin_port_, kFiness, mllp_port_, dpi_port_, servers_->imap_port(), ClientTls(),
        servers_->imap_user(kMailbox), kPasswordEnv, servers_->submission_port(), destination_tls,
        kMailbox, extra, producer_port_);
  }

  // The engine on ConfigYaml, then PAT-TROIS made qualified by the GAM.
  void StartEngine(const std::string& destination_tls, const std::string& extra = "") {
    StartEngineWith(ConfigYaml(destination_tls, extra));
    if (HasFatalFailure()) return;
    Send(mllp_port_, Adt("A28", "ADT-1", false));
    Send(mllp_port_, Adt("A31", "ADT-2", true));
    ASSERT_FALSE(WaitForListed("ADT-2", "consumed").empty()) << engine_->Log();
  }

  // A failing wait also prints what Postfix logged.
  std::string Diagnostics() const override {
    return EngineTest::Diagnostics() + servers_->postfix_log();
  }

  static MailServers* servers_;
  static std::filesystem::path servers_dir_;
  uint16_t dpi_port_ = 0, producer_port_ = 0;
  ProducerEndpoint producer_;
};

inline MailServers* MssanteTest::servers_ = nullptr;
inline std::filesystem::path MssanteTest::servers_dir_;

}  // namespace navette::testing
