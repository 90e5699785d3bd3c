// The classification table of outcome.h, row by row.
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/soap/outcome.h"
#include "adapters/dmp/soap/soap_test_support.h"

namespace navette::adapters::dmp::soap {
namespace {

using ::testing::HasSubstr;
using testing::ReadTestdata;

constexpr char kError[] = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error";
constexpr char kWarning[] = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning";

DmpResponse Failure(std::vector<RegistryError> errors) {
  DmpResponse response;
  response.status = RegistryStatus::kFailure;
  response.errors = std::move(errors);
  return response;
}

RegistryError Error(std::string code, std::string context = "ctx") {
  return {.error_code = std::move(code),
          .code_context = std::move(context),
          .severity = kError,
          .location = ""};
}

TEST(OutcomeTest, EachCodeOfTheTable) {
  const std::vector<std::pair<std::string, OutcomeKind>> table = {
      {"XDSRegistryBusy", OutcomeKind::kTransient},
      {"XDSRepositoryBusy", OutcomeKind::kTransient},
      {"XDSRegistryNotAvailable", OutcomeKind::kTransient},
      {"XDSRepositoryNotAvailable", OutcomeKind::kTransient},
      {"XDSRegistryOutOfResources", OutcomeKind::kTransient},
      {"XDSRepositoryError", OutcomeKind::kTransient},
      {"XDSDuplicateUniqueIdInRegistry", OutcomeKind::kDuplicate},
      {"XDSNonIdenticalHash", OutcomeKind::kDuplicate},
      {"XDSNonIdenticalSize", OutcomeKind::kDuplicate},
      {"XDSRegistryMetadataError", OutcomeKind::kPermanent},
      {"XDSRepositoryMetadataError", OutcomeKind::kPermanent},
      {"XDSUnknownPatientId", OutcomeKind::kPermanent},
      {"XDSPatientIdDoesNotMatch", OutcomeKind::kPermanent},
      {"XDSMissingDocument", OutcomeKind::kPermanent},
      {"XDSMissingDocumentMetadata", OutcomeKind::kPermanent},
      {"XDSRegistryDeprecatedDocumentError", OutcomeKind::kPermanent},
      {"DMPClosed", OutcomeKind::kPermanent},
      {"DMPInvalidCertificate", OutcomeKind::kPermanent},
      {"DMPSomethingNew", OutcomeKind::kPermanent},
  };
  for (const auto& [code, kind] : table) {
    Outcome outcome = ClassifyResponse(Failure({Error(code, "context of " + code)}));
    EXPECT_EQ(outcome.kind, kind) << code << " gave " << OutcomeKindName(outcome.kind);
    EXPECT_EQ(outcome.code, code);
    EXPECT_THAT(outcome.reason, HasSubstr(absl::StrCat(code)));
    EXPECT_THAT(outcome.reason, HasSubstr("context of " + code));
  }
  EXPECT_THAT(ClassifyResponse(Failure({Error("DMPSomethingNew")})).reason,
              HasSubstr("DMPSomethingNew (not in navette's table): ctx"));
}

TEST(OutcomeTest, GravestErrorDecidesAndWarningsAreIgnored) {
  Outcome outcome =
      ClassifyResponse(Failure({Error("XDSRegistryBusy"), Error("XDSUnknownPatientId")}));
  EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
  EXPECT_EQ(outcome.code, "XDSUnknownPatientId");
  EXPECT_THAT(outcome.reason, HasSubstr("XDSRegistryBusy: ctx; XDSUnknownPatientId: ctx"));

  outcome = ClassifyResponse(
      Failure({Error("XDSDuplicateUniqueIdInRegistry"), Error("XDSRepositoryBusy")}));
  EXPECT_EQ(outcome.kind, OutcomeKind::kTransient);

  RegistryError warning = Error("DMPSomethingNew");
  warning.severity = kWarning;
  outcome = ClassifyResponse(Failure({warning, Error("XDSDuplicateUniqueIdInRegistry")}));
  EXPECT_EQ(outcome.kind, OutcomeKind::kDuplicate);
  EXPECT_EQ(outcome.code, "XDSDuplicateUniqueIdInRegistry");

  outcome = ClassifyResponse(Failure({warning}));
  EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
  EXPECT_THAT(outcome.reason, HasSubstr("Failure without an error"));
}

TEST(OutcomeTest, SuccessAndPartialSuccessAreDelivered) {
  DmpResponse success;
  success.status = RegistryStatus::kSuccess;
  EXPECT_EQ(ClassifyResponse(success).kind, OutcomeKind::kDelivered);
  Outcome partial = ClassifyExchange({.transport_error = {},
                                      .http_status = 200,
                                      .content_type = "application/soap+xml",
                                      .body = ReadTestdata("partial_success.xml")});
  EXPECT_EQ(partial.kind, OutcomeKind::kDelivered);
  EXPECT_THAT(partial.reason, HasSubstr("PartialSuccess with XDSExtraMetadataNotSaved"));
}

TEST(OutcomeTest, FaultsBySubcodeThenCode) {
  Outcome certificate = ClassifyExchange({.transport_error = {},
                                          .http_status = 400,
                                          .content_type = "application/soap+xml",
                                          .body = ReadTestdata("fault12_subcode.xml")});
  EXPECT_EQ(certificate.kind, OutcomeKind::kPermanent);
  EXPECT_EQ(certificate.code, "DMPInvalidCertificate");
  EXPECT_THAT(certificate.reason,
              HasSubstr("SOAP 1.2 Fault Sender/SecurityError/DMPInvalidCertificate: Not a valid"));

  Outcome server = ClassifyExchange({.transport_error = {},
                                     .http_status = 500,
                                     .content_type = "text/xml",
                                     .body = ReadTestdata("fault11.xml")});
  EXPECT_EQ(server.kind, OutcomeKind::kTransient);
  EXPECT_THAT(server.reason, HasSubstr("SOAP 1.1 Fault Server: java.lang.NullPointerException"));

  DmpResponse receiver_busy;
  receiver_busy.fault = SoapFault{.version = SoapVersion::k12,
                                  .code = "Receiver",
                                  .subcodes = {"DMPClosed"},
                                  .reason = "closed"};
  EXPECT_EQ(ClassifyResponse(receiver_busy).kind, OutcomeKind::kPermanent);
  receiver_busy.fault->subcodes = {"Unknown"};
  EXPECT_EQ(ClassifyResponse(receiver_busy).kind, OutcomeKind::kTransient);
  DmpResponse sender;
  sender.fault =
      SoapFault{.version = SoapVersion::k12, .code = "Sender", .subcodes = {}, .reason = "bad"};
  EXPECT_EQ(ClassifyResponse(sender).kind, OutcomeKind::kPermanent);
}

TEST(OutcomeTest, TransportAndHttpStatusWithoutASoapAnswer) {
  Outcome timeout = ClassifyExchange(
      {.transport_error = "timeout after 30 s", .http_status = 0, .content_type = {}, .body = {}});
  EXPECT_EQ(timeout.kind, OutcomeKind::kTransient);
  EXPECT_THAT(timeout.reason, HasSubstr("timeout after 30 s"));

  const std::vector<std::pair<int, OutcomeKind>> table = {
      {500, OutcomeKind::kTransient}, {502, OutcomeKind::kTransient},
      {503, OutcomeKind::kTransient}, {408, OutcomeKind::kTransient},
      {429, OutcomeKind::kTransient}, {200, OutcomeKind::kTransient},
      {400, OutcomeKind::kPermanent}, {403, OutcomeKind::kPermanent},
      {404, OutcomeKind::kPermanent}};
  for (const auto& [status, kind] : table) {
    Outcome outcome = ClassifyExchange({.transport_error = {},
                                        .http_status = status,
                                        .content_type = "text/html",
                                        .body = "<html>gateway</html"});
    EXPECT_EQ(outcome.kind, kind) << status;
    EXPECT_EQ(outcome.code, absl::StrCat("HTTP ", status));
    EXPECT_THAT(outcome.reason, HasSubstr("not well-formed XML"));
  }
  // A readable registry answer wins over the status line.
  Outcome body_decides = ClassifyExchange({.transport_error = {},
                                           .http_status = 503,
                                           .content_type = "application/soap+xml",
                                           .body = ReadTestdata("success.xml")});
  EXPECT_EQ(body_decides.kind, OutcomeKind::kDelivered);
}

}  // namespace
}  // namespace navette::adapters::dmp::soap
