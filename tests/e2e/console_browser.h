// The fixture of the web console's browser tests (console_browser_test.cc):
// one engine for the whole suite, with three users (a viewer, an operator,
// an admin), the identity routes to a file outbox and an imaging route to an
// HTTP peer the tests can make refuse; one chromedriver; a fresh headless
// Chromium per test, signed in through the console's own form.
//
// Each test uses its own patients and control ids, so that they do not
// depend on each other's order. After each test, the browser's console must
// hold no Content-Security-Policy violation and no script error.
//
// NAVETTE_CONSOLE_SCREENSHOTS=DIR saves the screens the tests pass through
// as DIR/<name>.png (docs/console/ holds the ones the documentation shows).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"
#include "tests/support/http_peer.h"
#include "tests/support/webdriver.h"

namespace navette::testing {

// Made-up tokens for the test configuration (never real secrets).
inline const std::string kViewerToken = "viewer-token-for-the-browser-test";
inline const std::string kOperatorToken = "operator-token-for-the-browser-test";
inline const std::string kAdminToken = "admin-token-for-the-browser-test";

// The ANS test patient's matricule (PAT-TROIS), as MakeIdentityAdt sends it.
inline constexpr char kTestMatricule[] = "279035121518989";

// A lab result with one numeric observation, for the edit journey.
inline std::string CreatinineOru(const std::string& control_id, const std::string& ipp,
                                 const std::string& value) {
  return fmt::format(
      "MSH|^~\\&|SIL-Y|labo|PFI-X|CHU-X|20261122120000||ORU^R01^ORU_R01|{}|P|2.5|||||FRA|"
      "UNICODE UTF-8\r"
      "PID|||{}^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI||PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F\r"
      "OBR|1|98765431^Nephro|1001-E1^labo|11502-2^CR d'examens biologiques^LN\r"
      "OBX|1|NM|2160-0^Creatinine^LN||{}|umol/L|||||F\r",
      control_id, ipp, value);
}

// An imaging report for the RIS, which the `imaging` route sends to the
// HTTP peer.
inline std::string ImagingMdm(const std::string& control_id, const std::string& ipp) {
  return fmt::format(
      "MSH|^~\\&|RIS|CHU-X|PFI-X|CHU-X|20261122120000||MDM^T02^MDM_T02|{}|P|2.5|||||FRA|"
      "UNICODE UTF-8\r"
      "EVN|T02|20261122120000\r"
      "PID|||{}^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI||PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F\r"
      "TXA|1|CR|TX|20261122120000||||||||{}-doc||||||AU\r"
      "OBX|1|TX|18748-4^Diagnostic imaging study^LN||Thorax normal||||||F\r",
      control_id, ipp, control_id);
}

class ConsoleBrowserTest : public EngineTest {
 protected:
  ConsoleBrowserTest() : EngineTest("navette-console-browser") {}

  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;
  std::string Diagnostics() const override;

  // The imaging peer answers 400 (the delivery goes dead at once) to the
  // control ids refused, 200 to the others; it holds its answer to a control
  // id held until AnswerAtPeer (a delivery in flight).
  static void RefuseAtPeer(const std::string& control_id);
  static void AcceptAtPeer(const std::string& control_id);
  static void HoldAtPeer(const std::string& control_id);
  static void AnswerAtPeer(const std::string& control_id);
  static std::set<std::string> DeliveredToPeer();

  // A fresh browser (lang "en-US" or "fr-FR") on /console/, signed in with
  // `token`: the header names the user.
  void SignIn(const std::string& token, const std::string& lang = "en-US");
  void SignOut();
  std::string Origin() const { return fmt::format("http://127.0.0.1:{}", admin_port_); }

  // The list, searched with one filter typed in the form (`name` is the
  // input's name); returns the ids of the rows found.
  std::vector<std::string> SearchMessages(const std::string& name, const std::string& value);
  // Waits for the list's answer (the summary line no longer loading).
  void WaitForResults();
  // Opens the message page from the row of the list, and waits for it.
  void OpenFromList(const std::string& id);
  // Waits until the message page shows `state` ([data-test=message-state]).
  void WaitForPageState(const std::string& state,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // The history's event types as the page lists them, oldest first.
  std::vector<std::string> PageHistory();
  // Clicks `button`, then "yes" in the confirmation dialog.
  void ClickAndConfirm(const std::string& button);
  // The JSON of GET `path` with `token`; fails the test on another status.
  nlohmann::json ApiGet(const std::string& path, const std::string& token);
  // What the engine says of the message now (GET /v1/messages/ID, no text).
  nlohmann::json Stored(const std::string& id) {
    return ApiGet(fmt::format("/v1/messages/{}?payload=false", id), kAdminToken);
  }
  // What the file destination wrote for a message.
  std::string Outbox(const std::string& id) const;

  // What a browser command returned; a failure fails the test, with the
  // browser's words, and gives T's empty value.
  template <typename T>
  T Ok(absl::StatusOr<T> answer) {
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? *std::move(answer) : T{};
  }

  // The viewport as docs/console/<name>.png, when screenshots are asked for.
  void Snap(const std::string& name);

  std::unique_ptr<Browser> browser_;
};

// Fails the test, with what the browser said, when `status` is not OK.
#define ASSERT_BROWSER(status)                                                   \
  do {                                                                           \
    const absl::Status browser_status = (status);                                \
    ASSERT_TRUE(browser_status.ok()) << browser_status << "\n" << Diagnostics(); \
  } while (0)

}  // namespace navette::testing
