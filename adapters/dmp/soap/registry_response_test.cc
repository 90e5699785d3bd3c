// Reading the DMP's answers: navette's fixtures in testdata/, modelled on the
// CNAM TD2.1 answer (SOAP 1.2, rs:RegistryResponse, unprefixed WS-Addressing).
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/dmp/soap/registry_response.h"
#include "adapters/dmp/soap/soap_test_support.h"

namespace navette::adapters::dmp::soap {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadTestdata;

TEST(RegistryResponseTest, Success) {
  absl::StatusOr<DmpResponse> response = ParseDmpResponse(ReadTestdata("success.xml"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_FALSE(response->fault.has_value());
  EXPECT_EQ(response->status, RegistryStatus::kSuccess);
  EXPECT_TRUE(response->errors.empty());
  EXPECT_EQ(response->relates_to, "urn:uuid:11111111-2222-4333-8444-555555555555");
}

TEST(RegistryResponseTest, FailureWithTwoErrors) {
  absl::StatusOr<DmpResponse> response = ParseDmpResponse(ReadTestdata("failure_two_errors.xml"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, RegistryStatus::kFailure);
  ASSERT_EQ(response->errors.size(), 2u);
  EXPECT_EQ(response->errors[0].error_code, "XDSUnknownPatientId");
  EXPECT_EQ(response->errors[0].code_context,
            "Patient 279035121518989^^^&1.2.250.1.213.1.4.10&ISO unknown");
  EXPECT_EQ(response->errors[0].location, "DocumentRegistry");
  EXPECT_EQ(response->errors[0].severity,
            "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error");
  EXPECT_FALSE(response->errors[0].IsWarning());
  EXPECT_EQ(response->errors[1].error_code, "XDSRegistryBusy");
  EXPECT_EQ(response->errors[1].location, "");
}

TEST(RegistryResponseTest, PartialSuccessWithAWarning) {
  absl::StatusOr<DmpResponse> response = ParseDmpResponse(ReadTestdata("partial_success.xml"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, RegistryStatus::kPartialSuccess);
  ASSERT_EQ(response->errors.size(), 1u);
  EXPECT_EQ(response->errors[0].error_code, "XDSExtraMetadataNotSaved");
  EXPECT_TRUE(response->errors[0].IsWarning());
  EXPECT_EQ(response->relates_to, "");
}

TEST(RegistryResponseTest, Soap12FaultWithNestedSubcodes) {
  absl::StatusOr<DmpResponse> response = ParseDmpResponse(ReadTestdata("fault12_subcode.xml"));
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_TRUE(response->fault.has_value());
  EXPECT_EQ(response->fault->version, SoapVersion::k12);
  EXPECT_EQ(response->fault->code, "Sender");
  EXPECT_THAT(response->fault->subcodes, ElementsAre("SecurityError", "DMPInvalidCertificate"));
  EXPECT_EQ(response->fault->reason, "Not a valid signature certificate");
}

TEST(RegistryResponseTest, Soap11Fault) {
  absl::StatusOr<DmpResponse> response = ParseDmpResponse(ReadTestdata("fault11.xml"));
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_TRUE(response->fault.has_value());
  EXPECT_EQ(response->fault->version, SoapVersion::k11);
  EXPECT_EQ(response->fault->code, "Server");
  EXPECT_TRUE(response->fault->subcodes.empty());
  EXPECT_EQ(response->fault->reason, "java.lang.NullPointerException");
}

TEST(RegistryResponseTest, RefusesWhatIsNotADmpResponse) {
  EXPECT_THAT(ParseDmpResponse("<html><body>502 Bad Gateway</body>").status().message(),
              HasSubstr("DMP response is not well-formed XML"));
  EXPECT_THAT(ParseDmpResponse("<Envelope/>").status().message(),
              HasSubstr("not a SOAP 1.2 or SOAP 1.1 Envelope"));
  EXPECT_THAT(ParseDmpResponse("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">"
                               "<s:Body><x:Other xmlns:x=\"urn:x\"/></s:Body></s:Envelope>")
                  .status()
                  .message(),
              HasSubstr("holds <Other>"));
  EXPECT_THAT(ParseDmpResponse(
                  "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>"
                  "<rs:RegistryResponse xmlns:rs=\"urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0\" "
                  "status=\"Success\"/></s:Body></s:Envelope>")
                  .status()
                  .message(),
              HasSubstr("unknown RegistryResponse status \"Success\""));
}

}  // namespace
}  // namespace navette::adapters::dmp::soap
