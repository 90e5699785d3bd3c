// The test mail servers, exercised with libcurl as navette's transport will
// use it: what Postfix takes, refuses and notifies, and what Dovecot serves
// to whom. Each test writes to mailboxes of its own, so the tests hold
// whether the binary runs them together (one pair of servers for the suite)
// or ctest runs each in its own process (a pair each).
#include "tests/mail/mail_servers.h"

#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace navette::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr auto kDeliveryTimeout = std::chrono::seconds(15);
constexpr char kSender[] = "navette@hopital.mssante.fr";
// A made-up INS-shaped number: the patient mailboxes' local part is 15 digits.
constexpr char kPatient[] = "299990000000042@patient.mssante.fr";

std::filesystem::path NewTestDir() {
  const std::string pattern = (std::filesystem::temp_directory_path() / "navette-mail-XXXXXX");
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  return ::mkdtemp(name.data());
}

std::string Message(std::string_view to, std::string_view subject) {
  return fmt::format(
      "From: {}\r\nTo: {}\r\nSubject: {}\r\nMessage-ID: <{}@navette.test>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
      "Corps du message de test.\r\n",
      kSender, to, subject, subject);
}

enum class Identity { kClient, kNone, kOtherCa };
// kNone: no TLS at all (a plain connection that never sends STARTTLS).
enum class Tls { kStartTls, kImplicit, kNone };

// One libcurl transfer's outcome, with the protocol lines both ways.
struct Transfer {
  CURLcode code = CURLE_OK;
  long response = 0;
  std::string transcript;
  std::string body;
};

struct CurlFree {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

int Record(CURL*, curl_infotype type, char* data, size_t size, void* out) {
  if (type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT) {
    *static_cast<std::string*>(out) += (type == CURLINFO_HEADER_IN ? "< " : "> ");
    static_cast<std::string*>(out)->append(data, size);
  }
  return 0;
}

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct Upload {
  std::string_view data;
};
size_t ReadUpload(char* buffer, size_t size, size_t count, void* in) {
  auto* upload = static_cast<Upload*>(in);
  const size_t n = std::min(size * count, upload->data.size());
  std::copy_n(upload->data.data(), n, buffer);
  upload->data.remove_prefix(n);
  return n;
}

void SetTls(CURL* curl, const MailServers& servers, Identity identity) {
  curl_easy_setopt(curl, CURLOPT_CAINFO, servers.ca_file().c_str());
  if (identity == Identity::kNone) return;
  const bool ours = identity == Identity::kClient;
  curl_easy_setopt(curl, CURLOPT_SSLCERT,
                   (ours ? servers.client_cert() : servers.other_client_cert()).c_str());
  curl_easy_setopt(curl, CURLOPT_SSLKEY,
                   (ours ? servers.client_key() : servers.other_client_key()).c_str());
}

Transfer Perform(CURL* curl) {
  Transfer transfer;
  curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, Record);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &transfer.transcript);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  transfer.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &transfer.response);
  return transfer;
}

// Submits `message` to `recipients` (CURLOPT_MAIL_RCPT entries, as given).
Transfer SendMail(const MailServers& servers, Tls tls, Identity identity,
                  const std::vector<std::string>& recipients, const std::string& message) {
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  const std::string url =
      tls == Tls::kImplicit
          ? fmt::format("smtps://127.0.0.1:{}/navette.test", servers.smtps_port())
          : fmt::format("smtp://127.0.0.1:{}/navette.test", servers.submission_port());
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  if (tls == Tls::kStartTls) curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, CURLUSESSL_ALL);
  SetTls(curl.get(), servers, identity);
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, fmt::format("<{}>", kSender).c_str());
  std::unique_ptr<curl_slist, SlistFree> rcpt;
  for (const std::string& r : recipients) rcpt.reset(curl_slist_append(rcpt.release(), r.c_str()));
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, rcpt.get());
  Upload upload{message};
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload);
  return Perform(curl.get());
}

// An IMAP request: `path` after the port ("/" lists, "/INBOX;UID=1"
// fetches), logged in as the mailbox `address`.
Transfer Imap(const MailServers& servers, Tls tls, Identity identity, std::string_view address,
              std::string_view path) {
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  const std::string url = tls == Tls::kImplicit
                              ? fmt::format("imaps://127.0.0.1:{}{}", servers.imaps_port(), path)
                              : fmt::format("imap://127.0.0.1:{}{}", servers.imap_port(), path);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  if (tls == Tls::kStartTls) curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, CURLUSESSL_ALL);
  SetTls(curl.get(), servers, identity);
  curl_easy_setopt(curl.get(), CURLOPT_USERNAME, servers.imap_user(address).c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, servers.imap_password().c_str());
  Transfer transfer;
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &transfer.body);
  Transfer done = Perform(curl.get());
  done.body = std::move(transfer.body);
  return done;
}

std::string Describe(const Transfer& t) {
  return fmt::format("curl: {} (response {})\n{}", curl_easy_strerror(t.code), t.response,
                     t.transcript);
}

// The mail servers of the test's process, shared by the suite.
class MailServersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(NewTestDir());
    const auto start = std::chrono::steady_clock::now();
    servers_ = new MailServers(
        *dir_, MailServerOptions{
                   .mailboxes = {kSender, "dr.martin@medecin.mssante.fr",
                                 "dr.durand@medecin.mssante.fr", "secretariat@hopital.mssante.fr",
                                 "dr.dsn@medecin.mssante.fr", "dr.imap@medecin.mssante.fr",
                                 "dr.bernard@medecin.mssante.fr", kPatient}});
    std::cout << fmt::format("mail servers started in {} ms\n",
                             std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - start)
                                 .count());
  }
  static void TearDownTestSuite() {
    const auto start = std::chrono::steady_clock::now();
    delete servers_;
    servers_ = nullptr;
    std::cout << fmt::format("mail servers stopped in {} ms\n",
                             std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - start)
                                 .count());
    // Kept when a test failed, for its logs and Maildirs.
    if (!::testing::UnitTest::GetInstance()->current_test_suite()->Failed()) {
      std::filesystem::remove_all(*dir_);
    } else {
      std::cout << "mail servers' directory kept: " << dir_->string() << "\n";
    }
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(servers_->ok()) << servers_->error(); }

  static MailServers& servers() { return *servers_; }

 private:
  static inline std::filesystem::path* dir_ = nullptr;
  static inline MailServers* servers_ = nullptr;
};

TEST_F(MailServersTest, StartTlsSubmissionWithTheClientCertificateIsDelivered) {
  const std::string to = "dr.martin@medecin.mssante.fr";
  const Transfer sent = SendMail(servers(), Tls::kStartTls, Identity::kClient, {to},
                                 Message(to, "starttls-submission"));
  ASSERT_EQ(sent.code, CURLE_OK) << Describe(sent) << servers().postfix_log();
  EXPECT_THAT(sent.transcript, HasSubstr("> STARTTLS"));

  const std::vector<std::string> messages = servers().WaitForMessages(to, 1, kDeliveryTimeout);
  ASSERT_EQ(messages.size(), 1u) << servers().postfix_log();
  EXPECT_THAT(messages[0], AllOf(HasSubstr("Return-Path: <navette@hopital.mssante.fr>"),
                                 HasSubstr("Delivered-To: dr.martin@medecin.mssante.fr"),
                                 HasSubstr("Received: from navette.test"),
                                 HasSubstr("Subject: starttls-submission"),
                                 HasSubstr("Corps du message de test.")));
}

TEST_F(MailServersTest, ImplicitTlsSubmissionReachesAPatientMailbox) {
  const Transfer sent = SendMail(servers(), Tls::kImplicit, Identity::kClient, {kPatient},
                                 Message(kPatient, "smtps-submission"));
  ASSERT_EQ(sent.code, CURLE_OK) << Describe(sent) << servers().postfix_log();

  const std::vector<std::string> messages =
      servers().WaitForMessages(kPatient, 1, kDeliveryTimeout);
  ASSERT_EQ(messages.size(), 1u) << servers().postfix_log();
  EXPECT_THAT(messages[0], AllOf(HasSubstr("Delivered-To: " + std::string(kPatient)),
                                 HasSubstr("Subject: smtps-submission")));
}

TEST_F(MailServersTest, SubmissionWithoutATrustedClientCertificateIsRefused) {
  const std::string to = "secretariat@hopital.mssante.fr";
  for (const Tls tls : {Tls::kStartTls, Tls::kImplicit}) {
    for (const Identity identity : {Identity::kNone, Identity::kOtherCa}) {
      const Transfer refused =
          SendMail(servers(), tls, identity, {to}, Message(to, "refused-submission"));
      EXPECT_NE(refused.code, CURLE_OK) << Describe(refused);
      EXPECT_THAT(refused.transcript, Not(HasSubstr("> DATA"))) << Describe(refused);
    }
  }
  // A submission with the right certificate after them: once it is in, a
  // refused one that had been queued would be there too (same queue, sent
  // before it).
  const Transfer sent =
      SendMail(servers(), Tls::kStartTls, Identity::kClient, {to}, Message(to, "accepted"));
  ASSERT_EQ(sent.code, CURLE_OK) << Describe(sent);
  const std::vector<std::string> messages = servers().WaitForMessages(to, 1, kDeliveryTimeout);
  ASSERT_EQ(messages.size(), 1u) << servers().postfix_log();
  EXPECT_THAT(messages[0], HasSubstr("Subject: accepted"));
}

TEST_F(MailServersTest, UnknownRecipientIsRefusedAtRcptWith550) {
  const std::string to = "inconnu@medecin.mssante.fr";
  const Transfer refused =
      SendMail(servers(), Tls::kStartTls, Identity::kClient, {to}, Message(to, "unknown"));
  EXPECT_NE(refused.code, CURLE_OK);
  EXPECT_EQ(refused.response, 550) << Describe(refused);
  EXPECT_THAT(refused.transcript, HasSubstr("< 550 5.1.1 <inconnu@medecin.mssante.fr>"));
}

TEST_F(MailServersTest, NotifySuccessBringsADeliveryReportToTheSender) {
  const std::string to = "dr.dsn@medecin.mssante.fr";
  // libcurl 7.88 sends "RCPT TO:<" + entry-without-its-'<' + ">": whatever
  // follows the address gets a '>' appended (see the next test). Ending the
  // parameters with ORCPT, whose xtext value may hold a '>', keeps NOTIFY
  // intact; the report then quotes the original recipient with that '>'.
  const std::string rcpt = to + "> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;" + to;
  const Transfer sent =
      SendMail(servers(), Tls::kStartTls, Identity::kClient, {rcpt}, Message(to, "dsn-request"));
  ASSERT_EQ(sent.code, CURLE_OK) << Describe(sent) << servers().postfix_log();
  EXPECT_THAT(sent.transcript,
              HasSubstr("> RCPT TO:<dr.dsn@medecin.mssante.fr> NOTIFY=SUCCESS,FAILURE ORCPT="));

  ASSERT_EQ(servers().WaitForMessages(to, 1, kDeliveryTimeout).size(), 1u)
      << servers().postfix_log();
  const std::vector<std::string> reports = servers().WaitForMessages(kSender, 1, kDeliveryTimeout);
  ASSERT_EQ(reports.size(), 1u) << servers().postfix_log();
  EXPECT_THAT(reports[0], AllOf(HasSubstr("Return-Path: <>"),
                                HasSubstr("Delivered-To: " + std::string(kSender)),
                                HasSubstr("report-type=delivery-status"),
                                HasSubstr("Final-Recipient: rfc822; dr.dsn@medecin.mssante.fr"),
                                HasSubstr("Action: delivered"), HasSubstr("Status: 2.0.0"),
                                HasSubstr("Message-ID: <dsn-request@navette.test>")));
}

// Pins libcurl 7.88's behaviour (curl issue 8232; a later curl keeps what
// follows a '<...>' address as is): the form "<address> NOTIFY=..." reaches
// Postfix with a stray '>' and is refused. If this starts failing, libcurl
// has changed and the transport may use that form.
TEST_F(MailServersTest, LibcurlAppendsABracketAfterRcptParameters) {
  const std::string to = "dr.dsn@medecin.mssante.fr";
  const Transfer refused = SendMail(servers(), Tls::kStartTls, Identity::kClient,
                                    {"<" + to + "> NOTIFY=SUCCESS,FAILURE"}, Message(to, "x"));
  EXPECT_NE(refused.code, CURLE_OK);
  EXPECT_THAT(refused.transcript, HasSubstr("> RCPT TO:<" + to + "> NOTIFY=SUCCESS,FAILURE>"));
  EXPECT_EQ(refused.response, 501) << Describe(refused);
}

TEST_F(MailServersTest, ImapWithTheClientCertificateListsAndFetches) {
  const std::string to = "dr.imap@medecin.mssante.fr";
  const Transfer sent =
      SendMail(servers(), Tls::kImplicit, Identity::kClient, {to}, Message(to, "imap-fetch"));
  ASSERT_EQ(sent.code, CURLE_OK) << Describe(sent);
  ASSERT_EQ(servers().WaitForMessages(to, 1, kDeliveryTimeout).size(), 1u)
      << servers().postfix_log();

  const Transfer list = Imap(servers(), Tls::kImplicit, Identity::kClient, to, "/");
  ASSERT_EQ(list.code, CURLE_OK) << Describe(list) << servers().dovecot_log();
  EXPECT_THAT(list.body, HasSubstr("INBOX"));

  for (const Tls tls : {Tls::kImplicit, Tls::kStartTls}) {
    const Transfer fetched = Imap(servers(), tls, Identity::kClient, to, "/INBOX;UID=1");
    ASSERT_EQ(fetched.code, CURLE_OK) << Describe(fetched) << servers().dovecot_log();
    EXPECT_THAT(fetched.body, AllOf(HasSubstr("Delivered-To: dr.imap@medecin.mssante.fr"),
                                    HasSubstr("Subject: imap-fetch")));
  }
  // Dovecot has seen it: it moved the file from new/ to cur/, and the
  // harness still finds it.
  EXPECT_EQ(servers().Messages(to).size(), 1u);
}

TEST_F(MailServersTest, ImapWithoutATrustedClientCertificateCannotLogIn) {
  const std::string user = "dr.imap@medecin.mssante.fr";
  for (const Tls tls : {Tls::kImplicit, Tls::kStartTls}) {
    for (const Identity identity : {Identity::kNone, Identity::kOtherCa}) {
      const Transfer denied = Imap(servers(), tls, identity, user, "/");
      EXPECT_EQ(denied.code, CURLE_LOGIN_DENIED) << Describe(denied);
    }
  }
  // Nor without TLS at all, even with the right password.
  const Transfer plain = Imap(servers(), Tls::kNone, Identity::kNone, user, "/");
  EXPECT_EQ(plain.code, CURLE_LOGIN_DENIED) << Describe(plain);
}

TEST_F(MailServersTest, DeliveredMessageIsServedOverImap) {
  const std::string to = "dr.bernard@medecin.mssante.fr";
  const std::string mdn =
      "From: dr.bernard@medecin.mssante.fr\r\nTo: navette@hopital.mssante.fr\r\n"
      "Subject: Read: compte rendu\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nLu.\r\n"
      "--b\r\nContent-Type: message/disposition-notification\r\n\r\n"
      "Final-Recipient: rfc822; dr.bernard@medecin.mssante.fr\r\n"
      "Disposition: manual-action/MDN-sent-manually; displayed\r\n--b--\r\n";
  servers().Deliver(to, mdn);
  ASSERT_EQ(servers().Messages(to).size(), 1u);
  EXPECT_EQ(servers().Messages(to)[0], mdn);

  const Transfer fetched = Imap(servers(), Tls::kImplicit, Identity::kClient, to, "/INBOX;UID=1");
  ASSERT_EQ(fetched.code, CURLE_OK) << Describe(fetched) << servers().dovecot_log();
  EXPECT_THAT(fetched.body, HasSubstr("Disposition: manual-action/MDN-sent-manually; displayed"));
}

TEST(MailServersOptionsTest, WithoutRequiredCertificatesAClientWithoutOneIsServed) {
  const std::filesystem::path dir = NewTestDir();
  {
    MailServers servers(
        dir, MailServerOptions{.mailboxes = {kSender}, .require_client_certificate = false});
    ASSERT_TRUE(servers.ok()) << servers.error();
    // Postfix still wants TLS before MAIL FROM.
    const Transfer clear =
        SendMail(servers, Tls::kNone, Identity::kNone, {kSender}, Message(kSender, "clear"));
    EXPECT_EQ(clear.response, 530) << Describe(clear);
    const Transfer sent =
        SendMail(servers, Tls::kStartTls, Identity::kNone, {kSender}, Message(kSender, "no-cert"));
    ASSERT_EQ(sent.code, CURLE_OK) << Describe(sent) << servers.postfix_log();
    ASSERT_EQ(servers.WaitForMessages(kSender, 1, kDeliveryTimeout).size(), 1u)
        << servers.postfix_log();
    const Transfer fetched =
        Imap(servers, Tls::kImplicit, Identity::kNone, kSender, "/INBOX;UID=1");
    ASSERT_EQ(fetched.code, CURLE_OK) << Describe(fetched) << servers.dovecot_log();
    EXPECT_THAT(fetched.body, HasSubstr("Subject: no-cert"));
  }
  std::filesystem::remove_all(dir);
}

TEST(MailServersOptionsTest, AMailboxThatIsNotAnAddressIsAnError) {
  const std::filesystem::path dir = NewTestDir();
  {
    MailServers servers(dir, MailServerOptions{.mailboxes = {"sans-arobase"}});
    EXPECT_FALSE(servers.ok());
    EXPECT_THAT(servers.error(), HasSubstr("sans-arobase"));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace navette::testing
