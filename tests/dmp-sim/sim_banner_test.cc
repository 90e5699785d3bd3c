// What navette-dmp-sim prints: the destination snippet is YAML that reads
// back as the files and URLs it names, whatever the directory is called.
#include "tests/dmp-sim/sim_banner.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace navette::testing::dmp_sim {
namespace {

using ::testing::HasSubstr;

SimulatorEndpoints Endpoints() { return {"127.0.0.1", 8443, 8444, false, false}; }

TEST(SimBannerTest, DestinationSnippetReadsBackAsTheFilesAndTheRepositoryUrl) {
  SimulatorPki pki;
  pki.dir = "/srv/dmp sim/\"quoted\" #1";  // spaces, quotes, a YAML comment sign
  const YAML::Node destinations = YAML::Load(DestinationYaml(Endpoints(), pki));
  ASSERT_TRUE(destinations.IsSequence());
  ASSERT_EQ(destinations.size(), 1u);
  const YAML::Node dmp = destinations[0]["dmp"];
  EXPECT_EQ(destinations[0]["name"].as<std::string>(), "dmp");
  EXPECT_EQ(dmp["repository_url"].as<std::string>(),
            "https://127.0.0.1:8443/DocumentRepository_Service");
  EXPECT_EQ(dmp["tls"]["ca_file"].as<std::string>(), (pki.dir / "ca.pem").string());
  EXPECT_EQ(dmp["tls"]["cert_file"].as<std::string>(), (pki.dir / "auth.pem").string());
  EXPECT_EQ(dmp["tls"]["key_file"].as<std::string>(), (pki.dir / "auth.key").string());
  EXPECT_EQ(dmp["signing"]["cert_file"].as<std::string>(), (pki.dir / "sign.pem").string());
  EXPECT_EQ(dmp["signing"]["key_file"].as<std::string>(), (pki.dir / "sign.key").string());
  EXPECT_EQ(dmp["vihf"]["homologation_number"].as<std::string>(), kSimulatorHomologationNumber);
}

TEST(SimBannerTest, BannerNamesEveryEndpointAndTheMode) {
  SimulatorPki pki;
  pki.dir = "/srv/dmp-sim";
  SimulatorEndpoints endpoints = Endpoints();
  endpoints.lenient = true;
  const std::string banner = StartupBanner(endpoints, pki);
  EXPECT_THAT(banner, HasSubstr("https://127.0.0.1:8443/DocumentRepository_Service"));
  EXPECT_THAT(banner, HasSubstr("https://127.0.0.1:8443/DocumentRegistry_Service"));
  EXPECT_THAT(banner, HasSubstr("http://127.0.0.1:8444"));
  EXPECT_THAT(banner, HasSubstr("lenient"));
  EXPECT_THAT(banner, HasSubstr(DestinationYaml(endpoints, pki)));
}

TEST(SimBannerTest, Ipv6HostsAreBracketed) {
  SimulatorEndpoints endpoints = Endpoints();
  endpoints.host = "::1";
  EXPECT_EQ(RepositoryUrl(endpoints), "https://[::1]:8443/DocumentRepository_Service");
  EXPECT_EQ(AdminUrl(endpoints), "http://[::1]:8444");
}

}  // namespace
}  // namespace navette::testing::dmp_sim
