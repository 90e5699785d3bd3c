// The web console in Debian's headless Chromium against a running engine
// with real messages (issue 18): an analyst signs in, finds a patient's
// messages by IPP, opens one and reads its history, replays a dead message
// and watches it become delivered, releases a parked document and sees it
// leave once its identity is qualified, edits and resends a message; a
// viewer sees no payload and no action; the audit trail names the console's
// user; the page loads nothing but the engine's own files. Each journey is
// checked in the page and in what the engine stored.
#include <gmock/gmock.h>
#include <httplib.h>

#include "tests/e2e/console_browser.h"
#include "tests/support/admin_http.h"
#include "tests/support/document_messages.h"

namespace navette::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

// The audit entries of a message: "user action" each.
std::vector<std::string> AuditOf(const nlohmann::json& audit) {
  std::vector<std::string> entries;
  for (const auto& entry : audit.value("entries", nlohmann::json::array())) {
    entries.push_back(entry.value("user", "") + " " + entry.value("action", ""));
  }
  return entries;
}

// A lab's ORU carrying the ANS CR-BIO example (a TSH result, CDA R2 in
// base64 in OBX-5) for the patient of `ipp`.
std::string CdaLabOru(const std::string& control_id, const std::string& ipp) {
  return fmt::format(
      "MSH|^~\\&|SIL-Y|labo|PFI-X|CHU-X|20261122120000||ORU^R01^ORU_R01|{}|P|2.5|||||FRA|"
      "UNICODE UTF-8|||2.1^CISIS_CDA_HL7_V2\r"
      "PID|||{}^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI||PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F\r"
      "OBR|1|98765431^Nephro|1001-E1^labo|11502-2^CR d'examens biologiques^LN\r"
      "OBX|1|ED|11502-2^CR d'examens biologiques^LN||^TEXT^XML^Base64^{}||||||F\r",
      control_id, ipp, absl::Base64Escape(CrBioWithoutIns()));
}

TEST_F(ConsoleBrowserTest, SignInFindAPatientsMessagesByIppAndReadOneWithItsHistory) {
  Send(mllp_port_, MakeIdentityAdt("FIND-ADT", "A28", "QUAL", /*with_ins=*/true, "000310"));
  Send(mllp_port_, CreatinineOru("FIND-ORU", "000310", "81"));
  Send(mllp_port_, CreatinineOru("FIND-OTHER", "000311", "90"));
  const std::string adt = WaitForState("FIND-ADT", "consumed");
  const std::string oru = WaitForState("FIND-ORU", "delivered");
  ASSERT_FALSE(adt.empty() || oru.empty()) << Diagnostics();

  SignIn(kOperatorToken);
  ASSERT_BROWSER(browser_->WaitForText("[data-test=whoami]", "otto (operator)"));
  // The patient's two messages, not the other patient's.
  EXPECT_THAT(SearchMessages("ipp", "000310"), UnorderedElementsAre(adt, oru));
  Snap("messages");
  // The IPP stays in the page's memory: not in the address, not in the title.
  auto url = browser_->CurrentUrl();
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, Origin() + "/console/#/messages");

  OpenFromList(oru);
  WaitForPageState("delivered");
  EXPECT_EQ(Ok(browser_->CurrentUrl()), Origin() + "/console/#/messages/" + oru);
  EXPECT_EQ(Ok(browser_->Title()), "navette — message " + oru);
  // The history the page draws is the stored one, event for event.
  const nlohmann::json detail = Stored(oru);
  std::vector<std::string> stored;
  for (const auto& event : detail["history"]) stored.push_back(event["type"]);
  EXPECT_EQ(PageHistory(), stored);
  EXPECT_THAT(stored, Contains("delivered"));
  // The outbox row, and the HL7 text by segment with field paths.
  EXPECT_EQ(
      Ok(browser_->Attribute("#destinations tr[data-destination='outbox'] td.state", "data-state")),
      "delivered");
  auto segments = browser_->ExecuteScript(
      "return [...document.querySelectorAll('#hl7 [data-segment]')].map((s) => "
      "s.dataset.segment);");
  ASSERT_TRUE(segments.ok()) << segments.status();
  EXPECT_THAT(segments->get<std::vector<std::string>>(), ElementsAre("MSH", "PID", "OBR", "OBX"));
  EXPECT_THAT(Ok(browser_->Text("#hl7")), HasSubstr("2160-0"));
  Snap("message");
  // What the outbox received, with the INS the route attached, as stored.
  ASSERT_BROWSER(browser_->Click("#destinations tr[data-destination='outbox'] .show-delivered"));
  ASSERT_BROWSER(browser_->WaitFor("pre#delivered"));
  EXPECT_THAT(Ok(browser_->Text("pre#delivered")), HasSubstr(kTestMatricule));
  EXPECT_THAT(Outbox(oru), HasSubstr(kTestMatricule));
}

TEST_F(ConsoleBrowserTest, ReplayADeadMessageAndWatchItBecomeDelivered) {
  RefuseAtPeer("DEAD-MDM");
  Send(mllp_port_, ImagingMdm("DEAD-MDM", "000320"));
  const std::string id = WaitForState("DEAD-MDM", "dead");
  ASSERT_FALSE(id.empty()) << Diagnostics();

  SignIn(kOperatorToken);
  // The dead letters: choosing the state searches at once.
  WaitForResults();
  ASSERT_BROWSER(
      browser_
          ->ExecuteScript("const s = document.querySelector(\"form#search [name='state']\");"
                          "s.value = 'dead'; s.dispatchEvent(new Event('change'));")
          .status());
  ASSERT_BROWSER(browser_->WaitFor(fmt::format("table#messages tr[data-message-id='{}']", id)));
  ASSERT_BROWSER(browser_->WaitFor(".bulk-slot *"));  // the bulk replay of what is listed
  OpenFromList(id);
  WaitForPageState("dead");
  EXPECT_EQ(
      Ok(browser_->Attribute("#destinations tr[data-destination='ris'] td.state", "data-state")),
      "dead");
  Snap("message-dead");

  // The RIS is back, slow to answer; the analyst replays and the page
  // follows the delivery while it is under way, then done.
  AcceptAtPeer("DEAD-MDM");
  HoldAtPeer("DEAD-MDM");
  ClickAndConfirm("#action-replay");
  ASSERT_BROWSER(browser_->WaitFor("[data-test=action-result]"));
  WaitForPageState("queued");
  EXPECT_THAT(Ok(browser_->Text("[data-test=action-result]")), HasSubstr("Replayed"));
  AnswerAtPeer("DEAD-MDM");
  WaitForPageState("delivered");
  EXPECT_EQ(
      Ok(browser_->Attribute("#destinations tr[data-destination='ris'] td.state", "data-state")),
      "delivered");
  EXPECT_THAT(PageHistory(), Contains("replayed"));
  EXPECT_THAT(Ok(browser_->Text("#history li[data-type='replayed']")), HasSubstr("otto"));
  Snap("message-replayed");
  // In the engine: delivered, the replay by otto in the history; the peer
  // has it.
  const nlohmann::json stored = Stored(id);
  EXPECT_EQ(stored["summary"]["state"], "delivered");
  bool replayed_by_otto = false;
  for (const auto& event : stored["history"]) {
    replayed_by_otto |= event["type"] == "replayed" && event.value("actor", "") == "otto";
  }
  EXPECT_TRUE(replayed_by_otto) << stored.dump(2);
  EXPECT_THAT(DeliveredToPeer(), Contains("DEAD-MDM"));
}

TEST_F(ConsoleBrowserTest, AParkedDocumentIsReleasedAndLeavesOnceItsIdentityIsQualified) {
  Send(mllp_port_, MakeIdentityAdt("PARK-ADT1", "A28", "PROV", /*with_ins=*/false, "000410"));
  Send(mllp_port_, MakeIdentityAdt("PARK-ADT2", "A28", "PROV", /*with_ins=*/false, "000411"));
  Send(mllp_port_, CreatinineOru("PARK-1", "000410", "81"));
  Send(mllp_port_, CreatinineOru("PARK-2", "000410", "82"));
  Send(mllp_port_, CreatinineOru("PARK-3", "000411", "83"));
  const std::string first = WaitForState("PARK-1", "parked");
  const std::string second = WaitForState("PARK-2", "parked");
  const std::string other = WaitForState("PARK-3", "parked");
  ASSERT_FALSE(first.empty() || second.empty() || other.empty()) << Diagnostics();

  // The API groups them by patient: 000410's two documents together.
  const nlohmann::json parked = ApiGet("/v1/parked", kOperatorToken);
  std::map<std::string, std::vector<std::string>> by_ipp;
  for (const auto& patient : parked["patients"]) {
    for (const auto& message : patient["messages"]) {
      by_ipp[patient.value("ipp", "")].push_back(message["id"]);
    }
  }
  EXPECT_THAT(by_ipp["000410"], UnorderedElementsAre(first, second)) << parked.dump(2);
  EXPECT_THAT(by_ipp["000411"], ElementsAre(other)) << parked.dump(2);

  // The page shows the same groups, with the reason.
  SignIn(kOperatorToken);
  ASSERT_BROWSER(browser_->Click("#nav-parked"));
  ASSERT_BROWSER(browser_->WaitFor(fmt::format("li[data-message-id='{}']", first)));
  auto grouped = browser_->ExecuteScript(
      "const out = {};"
      "for (const section of document.querySelectorAll('section.patient')) {"
      "  const ipp = section.querySelector('h2 .mono').textContent;"
      "  out[ipp] = [...section.querySelectorAll('li[data-message-id]')]"
      "      .map((li) => li.dataset.messageId);"
      "}"
      "return out;");
  ASSERT_TRUE(grouped.ok()) << grouped.status();
  EXPECT_THAT((*grouped)["000410"].get<std::vector<std::string>>(),
              UnorderedElementsAre(first, second));
  EXPECT_THAT((*grouped)["000411"].get<std::vector<std::string>>(), ElementsAre(other));
  EXPECT_THAT(Ok(browser_->Text(fmt::format("li[data-message-id='{}'] .reason", first))),
              HasSubstr("identity not qualified (provisional)"));
  Snap("parked");

  // Its identity: provisional, as the DPI's A28 said.
  ASSERT_BROWSER(browser_
                     ->ExecuteScript("for (const s of document.querySelectorAll('section.patient'))"
                                     "  if (s.querySelector('h2 .mono').textContent === '000410')"
                                     "    s.querySelector('button').click();")
                     .status());
  ASSERT_BROWSER(browser_->WaitFor("[data-test=identity-status][data-status='provisional']"));
  Snap("identity");

  // A release now finds the identity still provisional: parked again, with
  // the analyst's release in the history.
  ASSERT_BROWSER(browser_->Click(fmt::format(".identity li[data-message-id='{}'] a", first)));
  ASSERT_BROWSER(browser_->WaitForText("[data-test=message-id]", first));
  WaitForPageState("parked");
  ClickAndConfirm("#action-release");
  ASSERT_BROWSER(browser_->WaitFor("[data-test=action-result]"));
  ASSERT_BROWSER(browser_->WaitFor("#history li[data-type='released']"));
  EXPECT_THAT(Ok(browser_->Text("#history li[data-type='released']")), HasSubstr("otto"));
  WaitForPageState("parked");

  // The DPI qualifies the identity: the engine releases both documents with
  // the INS, and the page, still open, shows this one delivered.
  Send(mllp_port_, MakeIdentityAdt("PARK-ADT3", "A31", "QUAL", /*with_ins=*/true, "000410"));
  WaitForPageState("delivered");
  EXPECT_THAT(Ok(browser_->Text("#history")), HasSubstr("identity qualified by A31"));
  Snap("message-released");
  EXPECT_EQ(Stored(first)["summary"]["state"], "delivered");
  EXPECT_FALSE(WaitForListed("PARK-2", "delivered").empty());
  EXPECT_THAT(Outbox(first), HasSubstr(kTestMatricule));
  EXPECT_THAT(Outbox(second), HasSubstr(kTestMatricule));
  // The other patient's document still waits.
  EXPECT_EQ(Stored(other)["summary"]["state"], "parked");
}

TEST_F(ConsoleBrowserTest, EditAMessageSeeTheDiffAndResendIt) {
  Send(mllp_port_, MakeIdentityAdt("EDIT-ADT", "A28", "QUAL", /*with_ins=*/true, "000510"));
  Send(mllp_port_, CreatinineOru("EDIT-ORU", "000510", "81"));
  const std::string original = WaitForState("EDIT-ORU", "delivered");
  ASSERT_FALSE(original.empty()) << Diagnostics();

  SignIn(kOperatorToken);
  ASSERT_THAT(SearchMessages("control_id", "EDIT-ORU"), ElementsAre(original));
  OpenFromList(original);
  ASSERT_BROWSER(browser_->Click("#action-edit"));
  ASSERT_BROWSER(browser_->WaitFor("textarea#edit-raw"));
  // The analyst corrects the result: 81 becomes 88.
  ASSERT_BROWSER(
      browser_
          ->ExecuteScript("const area = document.getElementById('edit-raw');"
                          "area.value = area.value.replace('||81|umol/L', '||88|umol/L');"
                          "area.dispatchEvent(new Event('input'));")
          .status());
  ASSERT_BROWSER(browser_->Click("#edit-preview"));
  ASSERT_BROWSER(browser_->WaitForText("#edit-diff", "1"));
  auto changed = browser_->ExecuteScript(
      "return [...document.querySelectorAll('#edit-diff tr.changed')].map((r) => r.textContent);");
  ASSERT_TRUE(changed.ok()) << changed.status();
  ASSERT_EQ(changed->size(), 1u) << changed->dump();
  EXPECT_THAT((*changed)[0].get<std::string>(), HasSubstr("88"));
  Snap("edit");
  ClickAndConfirm("#edit-send");

  // The correction's own page, linked to the original, delivered.
  ASSERT_BROWSER(browser_->WaitFor(".notice.edited a.message-link"));
  const std::string corrected = Ok(browser_->Text("[data-test=message-id]"));
  EXPECT_NE(corrected, original);
  EXPECT_EQ(Ok(browser_->Text(".notice.edited a.message-link")), original);
  EXPECT_THAT(Ok(browser_->Text("[data-test=action-result]")), HasSubstr(corrected));
  WaitForPageState("delivered");
  // In the engine: the original superseded by it, both delivered texts on
  // disk, the new one with 88.
  EXPECT_EQ(Stored(original)["summary"]["superseded_by"], corrected);
  EXPECT_EQ(Stored(corrected)["summary"]["edited_from"], original);
  EXPECT_THAT(Outbox(corrected), HasSubstr("|88|umol/L"));
  EXPECT_THAT(Outbox(original), HasSubstr("|81|umol/L"));
}

TEST_F(ConsoleBrowserTest, AViewerSeesHeadersAndHistoriesButNoPayloadAndNoAction) {
  Send(mllp_port_, MakeIdentityAdt("VIEW-ADT", "A28", "QUAL", /*with_ins=*/true, "000610"));
  Send(mllp_port_, CreatinineOru("VIEW-ORU", "000610", "81"));
  const std::string id = WaitForState("VIEW-ORU", "delivered");
  ASSERT_FALSE(id.empty()) << Diagnostics();

  SignIn(kViewerToken, "fr-FR");
  ASSERT_BROWSER(browser_->WaitForText("[data-test=whoami]", "vera (viewer)"));
  EXPECT_EQ(Ok(browser_->Attribute("html", "lang")), "fr");
  // Only the pages a viewer may read are offered.
  for (const char* link : {"#nav-parked", "#nav-identity", "#nav-audit"}) {
    EXPECT_FALSE(Ok(browser_->IsPresent(link))) << link;
  }
  EXPECT_EQ(Ok(browser_->Text("#nav-destinations")), "Destinations");
  ASSERT_THAT(SearchMessages("control_id", "VIEW-ORU"), ElementsAre(id));
  OpenFromList(id);
  WaitForPageState("delivered");
  EXPECT_EQ(Ok(browser_->Text("[data-test=message-state]")), "livré");
  // The header and the history; no text, nothing to act with.
  ASSERT_BROWSER(browser_->WaitFor("[data-test=payload-withheld]"));
  for (const char* absent : {"#hl7", "#cda", "section.actions", "#action-replay", "#action-edit",
                             ".replay-one", ".show-delivered"}) {
    EXPECT_FALSE(Ok(browser_->IsPresent(absent))) << absent;
  }
  EXPECT_THAT(PageHistory(), Contains("delivered"));
  EXPECT_THAT(Ok(browser_->Text("body")), Not(HasSubstr("PAT-TROIS")));
  Snap("message-viewer-fr");
  // Nothing asked the engine for the text; nothing a viewer read is a
  // payload view in the audit trail.
  auto requests = browser_->NetworkRequests();
  ASSERT_TRUE(requests.ok());
  for (const std::string& request : *requests) {
    EXPECT_THAT(request, Not(HasSubstr("/delivered"))) << request;
    if (request.find("/v1/messages/" + id) != std::string::npos) {
      EXPECT_THAT(request, HasSubstr("payload=false"));
    }
  }
  EXPECT_THAT(AuditOf(ApiGet("/v1/audit?user=vera", kAdminToken)),
              Not(Contains("vera view_payload")));
}

TEST_F(ConsoleBrowserTest, TheAuditShowsTheConsolesPayloadViewsAndActionsWithTheUser) {
  Send(mllp_port_, MakeIdentityAdt("AUDIT-ADT", "A28", "QUAL", /*with_ins=*/true, "000710"));
  Send(mllp_port_, CreatinineOru("AUDIT-READ", "000710", "81"));
  Send(mllp_port_, CreatinineOru("AUDIT-DROP", "000711", "82"));  // no identity: parked
  const std::string read = WaitForState("AUDIT-READ", "delivered");
  const std::string dropped = WaitForState("AUDIT-DROP", "parked");
  ASSERT_FALSE(read.empty() || dropped.empty()) << Diagnostics();

  // otto reads a message and what the outbox received, and discards another.
  SignIn(kOperatorToken);
  ASSERT_THAT(SearchMessages("control_id", "AUDIT-READ"), ElementsAre(read));
  OpenFromList(read);
  ASSERT_BROWSER(browser_->WaitFor("#hl7"));
  ASSERT_BROWSER(browser_->Click("#destinations tr[data-destination='outbox'] .show-delivered"));
  ASSERT_BROWSER(browser_->WaitFor("pre#delivered"));
  ASSERT_BROWSER(browser_->Navigate(Origin() + "/console/#/messages/" + dropped));
  WaitForPageState("parked");
  ClickAndConfirm("#action-discard");
  WaitForPageState("discarded");
  EXPECT_EQ(Stored(dropped)["summary"]["state"], "discarded");

  // ada, an admin, signs in on the same workstation and reads the trail.
  SignOut();
  ASSERT_BROWSER(browser_->Type("#token", kAdminToken));
  ASSERT_BROWSER(browser_->Click("#sign-in"));
  ASSERT_BROWSER(browser_->WaitForText("[data-test=whoami]", "ada (admin)"));
  ASSERT_BROWSER(browser_->Click("#nav-audit"));
  ASSERT_BROWSER(browser_->WaitFor("form#audit-search"));
  WaitForResults();
  ASSERT_BROWSER(browser_->Type("form#audit-search [name='user']", "otto"));
  ASSERT_BROWSER(browser_->Click("#audit-go"));
  ASSERT_BROWSER(browser_->WaitFor("table#audit tr[data-action='discard']"));
  auto rows = browser_->ExecuteScript(
      "return [...document.querySelectorAll('table#audit tbody tr')].map((tr) =>"
      "  tr.querySelector('.user').firstChild.textContent + ' ' + tr.dataset.action + ' ' +"
      "  tr.querySelector('.messages').textContent);");
  ASSERT_TRUE(rows.ok()) << rows.status();
  const auto shown = rows->get<std::vector<std::string>>();
  EXPECT_THAT(shown, Contains("otto view_payload " + read));
  EXPECT_THAT(shown, Contains("otto view_delivered " + read));
  EXPECT_THAT(shown, Contains("otto discard " + dropped));
  Snap("audit");
  // The page shows what the engine recorded.
  EXPECT_THAT(AuditOf(ApiGet("/v1/audit?message=" + read, kAdminToken)),
              ::testing::IsSupersetOf({"otto view_payload", "otto view_delivered"}));
  EXPECT_THAT(AuditOf(ApiGet("/v1/audit?message=" + dropped, kAdminToken)),
              Contains("otto discard"));
}

TEST_F(ConsoleBrowserTest, ThePageRunsOnlyTheEnginesOwnFilesUnderAStrictPolicy) {
  Send(mllp_port_, MakeIdentityAdt("CSP-ADT", "A28", "QUAL", /*with_ins=*/true, "000810"));
  Send(mllp_port_, CdaLabOru("CSP-ORU", "000810"));
  const std::string id = WaitForState("CSP-ORU", "delivered");
  ASSERT_FALSE(id.empty()) << Diagnostics();

  // The policy as sent: scripts, styles and connections to this origin only.
  httplib::Client client = AdminClient(admin_port_);
  auto page = client.Get("/console/");
  ASSERT_TRUE(page);
  const std::string policy = page->get_header_value("Content-Security-Policy");
  for (const char* directive : {"default-src 'none'", "script-src 'self'", "style-src 'self'",
                                "connect-src 'self'", "frame-ancestors 'none'"}) {
    EXPECT_THAT(policy, HasSubstr(directive));
  }
  EXPECT_THAT(policy, Not(HasSubstr("unsafe")));

  // Every screen, as an admin, who sees them all.
  SignIn(kAdminToken);
  ASSERT_BROWSER(browser_->ClearLogs());
  for (const char* screen :
       {"#nav-messages", "#nav-parked", "#nav-identity", "#nav-destinations", "#nav-audit"}) {
    ASSERT_BROWSER(browser_->Click(screen));
    ASSERT_BROWSER(browser_->WaitFor(fmt::format("{}[aria-current='page']", screen)));
  }
  // The destinations page, as the engine counts them.
  ASSERT_BROWSER(browser_->Click("#nav-destinations"));
  ASSERT_BROWSER(browser_->WaitFor("table#destination-status tr[data-destination='ris']"));
  const nlohmann::json status = ApiGet("/v1/status", kAdminToken);
  for (const auto& destination : status["destinations"]) {
    const std::string row = fmt::format("table#destination-status tr[data-destination='{}']",
                                        destination["name"].get<std::string>());
    EXPECT_EQ(Ok(browser_->Text(row + " td.queue")), destination["queue_depth"]) << row;
    EXPECT_EQ(Ok(browser_->Text(row + " td.dead")), destination["dead_letters"]) << row;
  }
  Snap("destinations");
  ASSERT_BROWSER(browser_->Navigate(Origin() + "/console/#/messages/" + id));
  ASSERT_BROWSER(browser_->WaitFor("#hl7"));
  ASSERT_BROWSER(browser_->WaitFor("#cda"));
  // The CDA the lab sent, rendered as text: its title and a result.
  EXPECT_THAT(Ok(browser_->Text("#cda")), HasSubstr("Compte rendu d'examens biologiques"));
  EXPECT_THAT(Ok(browser_->Text("#cda")), HasSubstr("Thyroxine libre (FT4)"));
  Snap("message-cda");

  // No script in the page itself; every script a file of the engine's.
  auto inline_scripts = browser_->ExecuteScript(
      "return [...document.scripts].filter((s) => !s.src.startsWith(location.origin + "
      "'/')).length;");
  ASSERT_TRUE(inline_scripts.ok());
  EXPECT_EQ(*inline_scripts, 0);
  // Everything the browser fetched came from the engine.
  auto requests = browser_->NetworkRequests();
  ASSERT_TRUE(requests.ok()) << requests.status();
  EXPECT_THAT(*requests, Not(IsEmpty()));
  for (const std::string& url : *requests) {
    EXPECT_TRUE(url.starts_with(Origin() + "/")) << url;
  }
  EXPECT_THAT(*requests, Contains(HasSubstr("/v1/status")));
  // TearDown checks the console: no policy violation, no script error.
}

}  // namespace
}  // namespace navette::testing
