// navette-dmp-sim: the DMP simulator of the tests (dmp_server.h) as a
// program, for trying the `dmp` destination by hand or from a test that runs
// real binaries. It makes (or reuses) its PKI in --dir, listens for ITI-41 /
// ITI-57 over mutual TLS and on a plain-HTTP admin endpoint (sim_admin.h),
// prints its endpoints and a destination to paste (sim_banner.h), and stops
// on SIGINT or SIGTERM. `navette sim dmp …` runs it.
//
// Exit codes: 0 stopped by a signal; 1 could not start (one line on stderr
// naming the file or the port); CLI11's own for bad arguments.
#include <csignal>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/vihf/signing_credentials.h"
#include "adapters/dmp/xds/xds_schema.h"
#include "tests/dmp-sim/dmp_server.h"
#include "tests/dmp-sim/dmp_value_sets.h"
#include "tests/dmp-sim/sim_admin.h"
#include "tests/dmp-sim/sim_banner.h"
#include "tests/dmp-sim/sim_pki.h"

namespace navette::testing::dmp_sim {
namespace {

namespace vihf = ::navette::adapters::dmp::vihf;
namespace xds = ::navette::adapters::dmp::xds;

struct SimOptions {
  std::string dir = "dmp-sim";
  std::string host = "127.0.0.1";
  int port = 8443;
  int admin_port = 8444;
  bool test_platform = false;
  bool lenient = false;
  std::string valuesets = DefaultValueSetDir().string();
  std::string schemas = NAVETTE_XDS_SCHEMA_DIR;
};

int Fail(absl::string_view message) {
  std::cerr << "navette-dmp-sim: " << message << std::endl;
  return 1;
}

int Run(const SimOptions& options, const sigset_t& stop_signals) {
  absl::StatusOr<SimulatorPki> pki = EnsureSimulatorPki(options.dir);
  if (!pki.ok()) return Fail(pki.status().message());
  const std::string signing_path = pki->Path(kSignCertFile).string();
  absl::StatusOr<vihf::X509Ptr> signing = vihf::LoadCertificatePemFile(signing_path);
  if (!signing.ok()) return Fail(absl::StrCat(signing_path, ": ", signing.status().message()));
  absl::StatusOr<std::shared_ptr<const DmpValueSets>> sets = DmpValueSets::Load(options.valuesets);
  if (!sets.ok()) return Fail(sets.status().message());
  // Compiled now, so that a wrong --schemas fails the start rather than
  // every request with a Receiver fault.
  if (absl::StatusOr<std::shared_ptr<const xds::XdsSchema>> schema =
          xds::XdsSchema::Shared(options.schemas);
      !schema.ok()) {
    return Fail(schema.status().message());
  }

  DmpServerOptions server_options;
  server_options.certificate_path = pki->Path(kServerCertFile).string();
  server_options.key_path = pki->Path(kServerKeyFile).string();
  server_options.client_ca_path = pki->Path(kCaCertFile).string();
  server_options.policy.signing_certificate = std::shared_ptr<X509>(signing->release(), X509_free);
  server_options.policy.allow_test_ins = options.test_platform;
  server_options.policy.lenient = options.lenient;
  server_options.policy.value_sets = *sets;
  server_options.policy.xds_schema_dir = options.schemas;
  server_options.host = options.host;
  server_options.port = options.port;
  // Requests are said on stderr; stdout holds only the banner.
  // One insertion a line, so that two serving threads' lines do not mix.
  server_options.on_answer = [](const std::string& line) { std::cerr << line + "\n"; };
  DmpServer server(std::move(server_options));
  if (absl::Status started = server.Start(); !started.ok()) return Fail(started.message());
  SimAdminServer admin(server.registry(), server.faults(), options.host, options.admin_port);
  if (absl::Status started = admin.Start(); !started.ok()) return Fail(started.message());

  const SimulatorEndpoints endpoints = {options.host, server.port(), admin.port(), options.lenient,
                                        options.test_platform};
  std::cout << StartupBanner(endpoints, *pki) << std::flush;
  int received = 0;
  sigwait(&stop_signals, &received);
  std::cerr << "navette-dmp-sim: signal " << received << ", stopping" << std::endl;
  admin.Stop();
  server.Stop();
  return 0;
}

}  // namespace
}  // namespace navette::testing::dmp_sim

int main(int argc, char** argv) {
  using navette::testing::dmp_sim::SimOptions;
  SimOptions options;
  CLI::App app{
      "navette-dmp-sim: a strict simulator of the national DMP (IHE XDS.b ITI-41 / ITI-57 over "
      "mutual TLS, SOAP 1.2 + MTOM, signed VIHF), for trying navette's dmp destination"};
  app.add_option("--dir", options.dir,
                 "Directory of its test PKI (CA, server, the establishment's TLS and VIHF "
                 "signing pairs); made when missing, reused otherwise")
      ->capture_default_str();
  app.add_option("--host", options.host,
                 "Address to listen on (its certificate names 127.0.0.1 and localhost)")
      ->capture_default_str();
  app.add_option("--port", options.port, "Mutual-TLS DMP port (ITI-41, ITI-57)")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  app.add_option("--admin-port", options.admin_port,
                 "Plain-HTTP admin port: GET /documents, POST|GET|DELETE /faults, GET /health")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  app.add_flag("--test-platform", options.test_platform,
               "Act as the DMP's test platform: accept the INS test and demonstration OIDs "
               "(1.2.250.1.213.1.4.10 / .11), which production refuses");
  app.add_flag("--lenient", options.lenient,
               "Accept the official CNAM sample requests despite their known defects (SOAP 1.1 "
               "namespace, unsigned VIHF, schema-invalid ITI-57, missing hash...): each is "
               "answered as a RegistryResponse warning instead of a refusal");
  app.add_option("--valuesets", options.valuesets, "Directory of the ANS value sets (JDV files)")
      ->capture_default_str()
      ->check(CLI::ExistingDirectory);
  app.add_option("--schemas", options.schemas, "Directory of the XDS.b schemas")
      ->capture_default_str()
      ->check(CLI::ExistingDirectory);
  CLI11_PARSE(app, argc, argv);

  // Blocked before any thread starts, so that every thread inherits the
  // mask and the signals wait for sigwait in Run.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return navette::testing::dmp_sim::Run(options, stop_signals);
}
