// DMP benchmark (issue 14): documents per second and CPU per document from
// receipt to the DMP's registration, VIHF signing included.
//
//   navette_dmp_bench [--documents N] [--in-flight K]
//
// It starts the real engine (the navette binary) with a GAM source, an sgl
// source and a route attach_ins → build_cda → dmp, and the DMP simulator
// (tests/dmp-sim) in this process on a real mutual-TLS port. PAT-TROIS is
// made qualified, then N copies of the corpus CR-BIO (an ORU^R01 carrying a
// 180 KB N3, each under its own document id) are sent over one MLLP
// connection, each acknowledged once committed. The clock runs from the
// first send to the N-th registration in the simulator. Reported:
//   docs/s            N / that time
//   engine CPU ms     the engine process's user+system CPU (/proc) per
//                     document: MLLP, contract, store, attach_ins,
//                     build_cda with its XSD validation, the ITI-41 with
//                     its signed VIHF, TLS
//   simulator CPU ms  this process's CPU per document: the simulator's
//                     checks (schemas, signature) and the sender's — the
//                     DMP's side, for scale, not navette's cost
// and, first, the CPU of building one ITI-41 request on one thread, no
// network: the CDA header read, the ebRIM metadata, the VIHF built and
// signed (RSA 2048, SHA-256), the SOAP envelope and its MTOM package.
// It prints figures; it is not a test.
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "adapters/dmp/soap/soap_request.h"
#include "adapters/dmp/vihf/vihf_signer.h"
#include "adapters/dmp/xds/cda_metadata.h"
#include "adapters/dmp/xds/provide_and_register.h"
#include "adapters/dmp/xds/xds_values.h"
#include "adapters/mllp/client.h"
#include "tests/e2e/dmp/dmp_peer.h"
#include "tests/support/document_messages.h"
#include "tests/support/engine_process.h"

namespace {

namespace fs = std::filesystem;
using navette::testing::Action;

double ProcessCpuSeconds(pid_t pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string line;
  std::getline(stat, line);
  // Fields after the command name (which may hold spaces, within parens).
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double OwnCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string Config(uint16_t admin, uint16_t gam, uint16_t sgl, const std::string& dmp_yaml,
                   int in_flight) {
  return fmt::format(
      "engine:\n"
      "  admin: {{ listen: \"127.0.0.1:{}\" }}\n"
      "identity:\n"
      "  environment: test\n"
      "  reliability_codes: {{ VALI: qualified }}\n"
      "hospital:\n"
      "  name: Centre hospitalier de test\n"
      "  finess: \"{}\"\n"
      "  oid_root: 1.2.250.1.999.14\n"
      "  facility_type_code: SA01\n"
      "  facility_type_display: Etablissement public de santé\n"
      "sources:\n"
      "  - {{ name: gam, mllp: {{ listen: \"127.0.0.1:{}\" }} }}\n"
      "  - {{ name: sgl, profile: sgl, mllp: {{ listen: \"127.0.0.1:{}\" }} }}\n"
      "destinations:\n"
      "  - name: dmp\n"
      "{}"
      "    delivery: {{ max_in_flight: {} }}\n"
      "routes:\n"
      "  - {{ name: identities, from: [gam], steps: [ {{ identity_feed: {{}} }} ] }}\n"
      "  - name: documents\n"
      "    from: [sgl]\n"
      "    steps: [ {{ attach_ins: {{}} }}, {{ build_cda: {{}} }} ]\n"
      "    to: [dmp]\n",
      admin, navette::testing::kFiness, gam, sgl, dmp_yaml, in_flight);
}

// Builds the ITI-41 of `cda` as the destination does, for at least
// `seconds`; returns the CPU milliseconds per request (0 on failure).
double RequestBuildCpuMs(const std::string& cda, const navette::testing::DmpPeer& peer,
                         double seconds) {
  namespace dmp = navette::adapters::dmp;
  auto signer = dmp::vihf::VihfSigner::FromPemFiles(peer.Path("sign.key"), peer.Path("sign.pem"));
  if (!signer.ok()) return 0;
  dmp::vihf::VihfSettings settings;
  settings.homologation_number = navette::testing::kHomologation;
  auto once = [&]() -> bool {
    auto metadata = dmp::xds::ReadCdaMetadata(cda);
    if (!metadata.ok()) return false;
    dmp::xds::SubmissionSet set;
    set.source_id = "1.2.250.1.999.14";
    set.unique_id = "2.25.1";
    set.time = absl::Now();
    set.content_type = {"04", "", "1.2.250.1.213.2.2"};
    set.allow_test_ins = true;
    auto body = dmp::xds::BuildProvideAndRegister(*metadata, cda, set);
    if (!body.ok()) return false;
    dmp::vihf::VihfRequest request;
    request.assertion_id = "_" + dmp::xds::NewEntryUuid().substr(9);
    request.issue_instant = std::chrono::system_clock::now();
    request.structure_id = metadata->author.institution_id;
    request.responsible_id = metadata->author.person.id;
    request.responsible_name = metadata->author.person.family;
    request.patient_ins = metadata->patient.ins;
    request.patient_ins_oid = metadata->patient.ins_oid;
    auto vihf = signer->BuildSigned(settings, request);
    if (!vihf.ok()) return false;
    auto soap = dmp::soap::BuildProvideAndRegisterRequest(
        "https://dmp.invalid/DocumentRepository_Service", *vihf, body->xml,
        {{body->content_id, "text/xml", cda}});
    return soap.ok();
  };
  if (!once()) return 0;
  const double cpu_start = OwnCpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  int runs = 0;
  while (runs < 3 ||
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
             seconds) {
    if (!once()) return 0;
    ++runs;
  }
  return (OwnCpuSeconds() - cpu_start) / runs * 1000;
}

bool SendAll(uint16_t port, const std::vector<std::string>& messages) {
  auto client =
      navette::adapters::mllp::MllpClient::Connect("127.0.0.1", port, std::chrono::seconds(10));
  if (!client.ok()) return false;
  for (const std::string& message : messages) {
    auto answer = (*client)->Exchange(message, std::chrono::seconds(60));
    if (!answer.ok() || answer->find("MSA|AA|") == std::string::npos) {
      std::fprintf(
          stderr, "not accepted: %s\n",
          answer.ok() ? answer->substr(0, 200).c_str() : answer.status().ToString().c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int documents = 200;
  int in_flight = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--documents") {
      documents = std::stoi(argv[i + 1]);
    } else if (flag == "--in-flight") {
      in_flight = std::stoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: %s [--documents N] [--in-flight K]\n", argv[0]);
      return 2;
    }
  }
  const fs::path dir = navette::testing::FreshTestDir("navette-dmp-bench");
  navette::testing::DmpPeer peer(dir);
  if (!peer.ok()) {
    std::fprintf(stderr, "%s\n", peer.error().c_str());
    return 1;
  }
  if (absl::Status started = peer.Start(); !started.ok()) {
    std::fprintf(stderr, "simulator: %s\n", started.ToString().c_str());
    return 1;
  }
  // The corpus CR-BIO as build_cda leaves it: with the INS.
  const double build_ms =
      RequestBuildCpuMs(navette::testing::ReadFileBytes(fs::path(NAVETTE_FIXTURES_DIR) / "cda" /
                                                        "corpus" / "BIO-CR-BIO_2024.01_TSH_1.xml"),
                        peer, 2);
  const uint16_t admin = navette::testing::FreePort();
  const uint16_t gam = navette::testing::FreePort();
  const uint16_t sgl = navette::testing::FreePort();
  navette::testing::EngineProcess engine(
      dir / "engine", Config(admin, gam, sgl, peer.DestinationYaml(), in_flight));
  if (absl::Status started = engine.Start(); !started.ok()) {
    std::fprintf(stderr, "engine: %s\n%s\n", started.ToString().c_str(), engine.Log().c_str());
    return 1;
  }
  if (!SendAll(gam, {navette::testing::Adt("A28", "ADT-1", false),
                     navette::testing::Adt("A31", "ADT-2", true)})) {
    return 1;
  }
  // Each copy under its own ClinicalDocument/id: the DMP registers a
  // uniqueId once.
  const std::string cda = navette::testing::CrBioWithoutIns();
  std::vector<std::string> messages;
  for (int i = 0; i < documents; ++i) {
    const std::string copy = absl::StrReplaceAll(
        cda, {{"<id root=\"1.2.250.1.213.1.1.1.55.2024.9.1\"/>",
               fmt::format("<id root=\"1.2.250.1.213.1.1.1.55.2024.9.1.{}\"/>", i + 1)}});
    messages.push_back(
        navette::testing::CdaOru(fmt::format("BENCH-{}", i + 1), Action::kCreate, copy));
  }
  // The identity feed is applied before the first document arrives.
  navette::testing::WaitFor(
      [&] {
        auto listed =
            navette::testing::HttpGet(admin, "/v1/messages?state=consumed", engine.admin_token());
        return listed.ok() && listed->second.find("ADT-2") != std::string::npos;
      },
      std::chrono::seconds(30));

  const double engine_cpu_start = ProcessCpuSeconds(engine.pid());
  const double own_cpu_start = OwnCpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  if (!SendAll(sgl, messages)) return 1;
  const bool registered = navette::testing::WaitFor(
      [&] { return peer.server().registry().size() >= static_cast<size_t>(documents); },
      std::chrono::minutes(10));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double engine_cpu = ProcessCpuSeconds(engine.pid()) - engine_cpu_start;
  const double own_cpu = OwnCpuSeconds() - own_cpu_start;
  if (!registered) {
    std::fprintf(stderr, "only %zu of %d registered\n%s\n", peer.server().registry().size(),
                 documents, engine.Log().c_str());
    return 1;
  }
  fmt::print("ITI-41 request built (CDA header, metadata, VIHF signed, MTOM): {:.2f} CPU ms\n\n",
             build_ms);
  fmt::print("{:<34} {:>9} {:>10} {:>10} {:>16} {:>18}\n", "workload", "documents", "seconds",
             "docs/s", "engine CPU ms/doc", "simulator CPU ms/doc");
  fmt::print("{:<34} {:>9} {:>10.2f} {:>10.1f} {:>16.2f} {:>18.2f}\n",
             fmt::format("CR-BIO N3 to the DMP, {} in flight", in_flight), documents, seconds,
             documents / seconds, engine_cpu / documents * 1000, own_cpu / documents * 1000);
  fmt::print(
      "(receipt over MLLP to registration in the simulator; the engine's CPU from /proc; "
      "bytes per document: {} HL7, {} CDA)\n",
      messages.front().size(),
      peer.server()
          .registry()
          .EntriesOf("279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH")
          .front()
          .size);
  (void)engine.Stop();
  peer.server().Stop();
  fs::remove_all(dir);
  return 0;
}
