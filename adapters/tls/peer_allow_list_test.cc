#include "adapters/tls/peer_allow_list.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "tests/support/test_pki.h"

namespace navette::adapters::tls {
namespace {

struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using Certificate = std::unique_ptr<X509, X509Free>;

class PeerAllowListTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     ("navette-allow-list-" + std::to_string(::getpid())));
    testing::TestPki pki(*dir_);
    pki.IssueClient("sgl", "/C=FR/O=CHU Exemple, Nord/CN=sgl-analyzer", "ca",
                    "DNS:SGL.chu.local,IP:10.1.2.3,email:PFI@chu.fr,URI:spiffe://chu/sgl");
    ASSERT_TRUE(pki.ok()) << pki.error();
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static Certificate Load(const std::string& name) {
    FILE* file = std::fopen((*dir_ / (name + ".pem")).c_str(), "r");
    if (file == nullptr) return nullptr;
    Certificate certificate(PEM_read_X509(file, nullptr, nullptr, nullptr));
    std::fclose(file);
    return certificate;
  }

  static bool Allows(const std::vector<std::string>& entries, const std::string& name) {
    auto list = PeerAllowList::Parse(entries);
    EXPECT_TRUE(list.ok()) << list.status();
    Certificate certificate = Load(name);
    EXPECT_NE(certificate, nullptr);
    return list.ok() && certificate != nullptr && list->Allows(certificate.get());
  }

  static std::filesystem::path* dir_;
};

std::filesystem::path* PeerAllowListTest::dir_ = nullptr;

TEST_F(PeerAllowListTest, AnEmptyListAllowsEveryCertificate) { EXPECT_TRUE(Allows({}, "client")); }

TEST_F(PeerAllowListTest, AWholeSubjectMatchesInAnyOrderAndSpacing) {
  EXPECT_TRUE(Allows({"CN=sgl-analyzer,O=CHU Exemple\\, Nord,C=FR"}, "sgl"));
  EXPECT_TRUE(Allows({"c=FR, o = CHU Exemple\\, Nord, commonName=sgl-analyzer"}, "sgl"));
  EXPECT_TRUE(Allows({"/C=FR/O=CHU Exemple, Nord/CN=sgl-analyzer"}, "sgl"));
  EXPECT_TRUE(Allows({"CN=navette-client"}, "client"));
}

TEST_F(PeerAllowListTest, APartialOrDifferentSubjectDoesNotMatch) {
  EXPECT_FALSE(Allows({"CN=sgl-analyzer"}, "sgl"));
  EXPECT_FALSE(Allows({"CN=sgl-analyzer,O=CHU Exemple\\, Nord,C=FR,OU=Lab"}, "sgl"));
  EXPECT_FALSE(Allows({"CN=SGL-analyzer,O=CHU Exemple\\, Nord,C=FR"}, "sgl"));
  EXPECT_FALSE(Allows({"CN=sgl-analyzer,O=CHU Exemple\\, Nord,C=FR"}, "client"));
}

TEST_F(PeerAllowListTest, SubjectAltNamesMatchByType) {
  EXPECT_TRUE(Allows({"DNS:sgl.CHU.local"}, "sgl"));
  EXPECT_TRUE(Allows({"IP:10.1.2.3"}, "sgl"));
  EXPECT_TRUE(Allows({"email:pfi@CHU.fr"}, "sgl"));
  EXPECT_TRUE(Allows({"URI:spiffe://chu/sgl"}, "sgl"));
  EXPECT_FALSE(Allows({"URI:spiffe://CHU/sgl"}, "sgl"));
  EXPECT_FALSE(Allows({"IP:10.1.2.4", "DNS:other.chu.local"}, "sgl"));
  // A name is not an address, nor the other way round.
  EXPECT_FALSE(Allows({"DNS:10.1.2.3"}, "sgl"));
  EXPECT_FALSE(Allows({"DNS:sgl.chu.local"}, "client"));
}

TEST_F(PeerAllowListTest, UnreadableEntriesAreRefusedWithTheirIndex) {
  auto bad_type = PeerAllowList::Parse({"DNS:ok", "fqdn:sgl"});
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.status().message(),
            "allowed_clients[1] 'fqdn:sgl': a subjectAltName is written DNS:, IP:, email: or URI:");
  auto bad_ip = PeerAllowList::Parse({"IP:10.1.2"});
  ASSERT_FALSE(bad_ip.ok());
  EXPECT_NE(bad_ip.status().message().find("not an IPv4 or IPv6 address"), std::string::npos);
  auto bad_attribute = PeerAllowList::Parse({"CN=x,Colour=blue"});
  ASSERT_FALSE(bad_attribute.ok());
  EXPECT_NE(bad_attribute.status().message().find("unknown attribute 'Colour'"), std::string::npos);
  auto no_equals = PeerAllowList::Parse({"sgl-analyzer"});
  ASSERT_FALSE(no_equals.ok());
  EXPECT_NE(no_equals.status().message().find("is not attribute=value"), std::string::npos);
}

TEST_F(PeerAllowListTest, SubjectTextIsTheRfc2253Form) {
  Certificate certificate = Load("sgl");
  ASSERT_NE(certificate, nullptr);
  EXPECT_EQ(SubjectText(certificate.get()), "CN=sgl-analyzer,O=CHU Exemple\\, Nord,C=FR");
  // What the logs print is what the list reads back.
  EXPECT_TRUE(Allows({SubjectText(certificate.get())}, "sgl"));
}

}  // namespace
}  // namespace navette::adapters::tls
