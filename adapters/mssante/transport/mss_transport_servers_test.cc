// SmtpClient and ImapClient against a real Postfix and Dovecot on loopback
// (tests/mail/mail_servers.h) over mutual TLS: submission over STARTTLS and
// implicit TLS, the refusals of a client without a trusted certificate, an
// outcome per recipient, DSNs, DATA refused for size, and the mailbox read
// without being changed except for the keyword.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "adapters/mssante/transport/imap_client.h"
#include "adapters/mssante/transport/smtp_client.h"
#include "tests/mail/mail_servers.h"

namespace navette::adapters::mssante::transport {
namespace {

using ::navette::testing::MailServerOptions;
using ::navette::testing::MailServers;
using ::testing::AllOf;
using ::testing::Each;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using Fate = RecipientResult::Fate;

constexpr char kSender[] = "navette@hopital.mssante.fr";
constexpr char kImapPasswordEnv[] = "NAVETTE_MSS_TRANSPORT_TEST_IMAP_PASSWORD";
constexpr char kP12PasswordEnv[] = "NAVETTE_MSS_TRANSPORT_TEST_P12_PASSWORD";
constexpr std::chrono::seconds kDeliveryTimeout{30};
constexpr char kKeyword[] = "$NavetteRead";

std::string Message(std::string_view to, std::string_view subject) {
  return absl::StrCat("From: ", kSender, "\r\nTo: ", std::string(to),
                      "\r\nSubject: ", std::string(subject), "\r\nMessage-ID: <",
                      std::string(subject),
                      "@navette.test>\r\nDate: Fri, 4 Dec 2026 10:00:00 +0100\r\n"
                      "MIME-Version: 1.0\r\n"
                      "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                      "Corps du message de test.\r\n.ligne commencant par un point\r\n"
                      "..et par deux\r\nfin.\r\n");
}

class MssTransportServersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     absl::StrCat("navette-mss-transport-", ::getpid()));
    servers_ = new MailServers(
        *dir_ / "servers",
        MailServerOptions{
            .mailboxes = {kSender, "dr.martin@medecin.mssante.fr", "dr.smtps@medecin.mssante.fr",
                          "secretariat@hopital.mssante.fr", "dr.durand@medecin.mssante.fr",
                          "dr.dsn@medecin.mssante.fr", "dr.big@medecin.mssante.fr",
                          "dr.reuse@medecin.mssante.fr", "dr.imap@medecin.mssante.fr"}});
    if (servers_->ok()) {
      // The client pair as PKCS#12 too, as an IGC-Santé .p12 comes.
      const std::string command =
          absl::StrCat("openssl pkcs12 -export -inkey '", servers_->client_key(), "' -in '",
                       servers_->client_cert(), "' -out '", (*dir_ / "client.p12").string(),
                       "' -passout pass:p12-secret >'", (*dir_ / "openssl.log").string(), "' 2>&1");
      p12_ok_ = std::system(command.c_str()) == 0;
    }
    ::setenv(kImapPasswordEnv, servers_->imap_password().c_str(), 1);
    ::setenv(kP12PasswordEnv, "p12-secret", 1);
  }
  static void TearDownTestSuite() {
    delete servers_;
    servers_ = nullptr;
    // Kept when a test failed, for the servers' logs and Maildirs.
    if (!::testing::UnitTest::GetInstance()->current_test_suite()->Failed()) {
      std::filesystem::remove_all(*dir_);
    }
    delete dir_;
  }
  void SetUp() override {
    ASSERT_TRUE(servers_->ok()) << servers_->error();
    ASSERT_TRUE(p12_ok_) << "openssl could not make client.p12";
  }

  static MailServers& servers() { return *servers_; }

  static MailTls ClientTls() {
    MailTls tls;
    tls.ca_file = servers().ca_file();
    tls.client_cert = servers().client_cert();
    tls.client_key = servers().client_key();
    return tls;
  }
  static SmtpServer Submission() {
    return SmtpServer{"127.0.0.1", servers().submission_port(), ClientTls(), "", "",
                      "",          "hopital.mssante.fr"};
  }
  static SmtpServer Smtps() {
    SmtpServer server = Submission();
    server.port = servers().smtps_port();
    server.tls.implicit_tls = true;
    return server;
  }
  static ImapServer Imap(std::string_view address) {
    return ImapServer{"127.0.0.1", servers().imap_port(), ClientTls(), servers().imap_user(address),
                      kImapPasswordEnv};
  }
  // Destroys this process's established connections to `port` (ss -K, as
  // a network fault or a server's idle timeout would end them); false when
  // the kernel does not allow it (no CONFIG_INET_DIAG_DESTROY).
  static bool DropConnectionsTo(int port) {
    const std::string filter = absl::StrCat("dst 127.0.0.1 dport = :", port);
    std::system(absl::StrCat("ss -K -t ", filter, " >/dev/null 2>&1").c_str());
    const std::string left = (*dir_ / "ss.out").string();
    if (std::system(
            absl::StrCat("ss -H -t state established ", filter, " >'", left, "' 2>&1").c_str()) !=
        0) {
      return false;
    }
    return std::filesystem::file_size(left) == 0;
  }

  // The flags Dovecot keeps in the names of a mailbox's files in cur/
  // ("…:2,S" for \Seen); keywords are lower-case letters.
  static std::vector<std::string> MaildirFlags(std::string_view domain, std::string_view local) {
    std::vector<std::string> flags;
    const std::filesystem::path cur =
        *dir_ / "servers" / "mail" / std::string(domain) / std::string(local) / "cur";
    if (!std::filesystem::exists(cur)) return flags;
    for (const auto& entry : std::filesystem::directory_iterator(cur)) {
      const std::string name = entry.path().filename().string();
      const size_t info = name.find(":2,");
      flags.push_back(info == std::string::npos ? "" : name.substr(info + 3));
    }
    return flags;
  }

  static inline std::filesystem::path* dir_ = nullptr;

 private:
  static inline MailServers* servers_ = nullptr;
  static inline bool p12_ok_ = false;
};

TEST_F(MssTransportServersTest, StartTlsSubmissionWithTheClientCertificateIsDelivered) {
  const std::string to = "dr.martin@medecin.mssante.fr";
  SmtpClient client(Submission());
  const std::string message = Message(to, "starttls");
  const std::vector<std::string> recipients = {to};
  const SubmitResult result = client.Submit(kSender, recipients, message, false);
  ASSERT_EQ(result.session_error, "") << servers().postfix_log();
  ASSERT_EQ(result.recipients.size(), 1u);
  EXPECT_EQ(result.recipients[0].address, to);
  EXPECT_EQ(result.recipients[0].fate, Fate::kAccepted);
  EXPECT_EQ(result.recipients[0].reply_code, 250);
  EXPECT_THAT(result.recipients[0].reply, StartsWith("250 2.0.0 Ok: queued"));

  const std::vector<std::string> delivered = servers().WaitForMessages(to, 1, kDeliveryTimeout);
  ASSERT_EQ(delivered.size(), 1u) << servers().postfix_log();
  // The lines starting with dots arrive as they were (DATA's dot-stuffing
  // undone by the server), and the message's bytes follow Postfix's headers.
  EXPECT_THAT(delivered[0], AllOf(HasSubstr("Return-Path: <navette@hopital.mssante.fr>"),
                                  HasSubstr("Received: from hopital.mssante.fr")));
  const std::string lf_message = [&] {
    std::string text = message;
    for (size_t at = text.find("\r\n"); at != std::string::npos; at = text.find("\r\n", at)) {
      text.erase(at, 1);
    }
    return text;
  }();
  // virtual(8) stores lines with LF ends.
  EXPECT_THAT(delivered[0], HasSubstr(lf_message));
}

TEST_F(MssTransportServersTest, ImplicitTlsSubmissionWithAPkcs12IsDelivered) {
  const std::string to = "dr.smtps@medecin.mssante.fr";
  SmtpServer server = Smtps();
  server.tls.client_cert = (*dir_ / "client.p12").string();
  server.tls.client_key = "";
  server.tls.client_key_password_env = kP12PasswordEnv;
  SmtpClient client(server);
  const std::vector<std::string> recipients = {to};
  const SubmitResult result = client.Submit(kSender, recipients, Message(to, "smtps"), false);
  ASSERT_EQ(result.session_error, "") << servers().postfix_log();
  EXPECT_EQ(result.recipients[0].fate, Fate::kAccepted) << result.recipients[0].reply;
  const std::vector<std::string> delivered = servers().WaitForMessages(to, 1, kDeliveryTimeout);
  ASSERT_EQ(delivered.size(), 1u) << servers().postfix_log();
  EXPECT_THAT(delivered[0], HasSubstr("Subject: smtps"));
}

TEST_F(MssTransportServersTest, WithoutATrustedClientCertificateTheSessionFailsAndAllAreTransient) {
  const std::string to = "secretariat@hopital.mssante.fr";
  const std::vector<std::string> recipients = {to, "dr.durand@medecin.mssante.fr"};
  for (bool implicit : {false, true}) {
    for (bool other_ca : {false, true}) {
      SmtpServer server = implicit ? Smtps() : Submission();
      server.tls.client_cert = other_ca ? servers().other_client_cert() : "";
      server.tls.client_key = other_ca ? servers().other_client_key() : "";
      SmtpClient client(server);
      const SubmitResult result = client.Submit(kSender, recipients, Message(to, "refused"), false);
      const std::string where = absl::StrCat(implicit ? "smtps" : "starttls",
                                             other_ca ? ", other CA" : ", no certificate");
      // Postfix lets the handshake through and refuses the session after it.
      EXPECT_THAT(result.session_error,
                  AllOf(HasSubstr("refused the session: 421 4.7.1"), HasSubstr("certificate")))
          << where;
      EXPECT_EQ(result.recipients[0].reply_code, 421) << where;
      ASSERT_EQ(result.recipients.size(), 2u) << where;
      EXPECT_THAT(result.recipients, Each(Field(&RecipientResult::fate, Fate::kTransient)))
          << where << ": " << result.session_error;
      EXPECT_THAT(result.recipients[1].address, "dr.durand@medecin.mssante.fr");
    }
  }
  // Nothing was queued: a submission with the right certificate after them
  // is the only message there.
  SmtpClient client(Submission());
  const std::vector<std::string> one = {to};
  ASSERT_EQ(client.Submit(kSender, one, Message(to, "accepted"), false).recipients[0].fate,
            Fate::kAccepted);
  const std::vector<std::string> delivered = servers().WaitForMessages(to, 1, kDeliveryTimeout);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_THAT(delivered[0], HasSubstr("Subject: accepted"));
  EXPECT_THAT(servers().Messages("dr.durand@medecin.mssante.fr"), IsEmpty());
}

TEST_F(MssTransportServersTest, AnUnknownRecipientIsPermanentAndTheOtherOneIsDelivered) {
  const std::string known = "dr.durand@medecin.mssante.fr";
  const std::string unknown = "inconnu@medecin.mssante.fr";
  SmtpClient client(Submission());
  const std::vector<std::string> recipients = {unknown, known};
  const SubmitResult result = client.Submit(kSender, recipients, Message(known, "mixed"), false);
  ASSERT_EQ(result.session_error, "");
  ASSERT_EQ(result.recipients.size(), 2u);
  EXPECT_EQ(result.recipients[0].address, unknown);
  EXPECT_EQ(result.recipients[0].fate, Fate::kPermanent);
  EXPECT_EQ(result.recipients[0].reply_code, 550);
  EXPECT_THAT(result.recipients[0].reply,
              AllOf(StartsWith("550 5.1.1 <inconnu@medecin.mssante.fr>"),
                    HasSubstr("Recipient address rejected")));
  EXPECT_EQ(result.recipients[1].address, known);
  EXPECT_EQ(result.recipients[1].fate, Fate::kAccepted);
  EXPECT_EQ(result.recipients[1].reply_code, 250);

  const std::vector<std::string> delivered = servers().WaitForMessages(known, 1, kDeliveryTimeout);
  ASSERT_EQ(delivered.size(), 1u) << servers().postfix_log();
  // One copy, for the known recipient only: no bounce came back for the
  // refused one (refused at RCPT, never queued).
  EXPECT_THAT(delivered[0], HasSubstr("Subject: mixed"));
  EXPECT_THAT(servers().Messages(kSender), Each(Not(HasSubstr("inconnu@"))));
}

TEST_F(MssTransportServersTest, NotifyBringsADeliveryStatusNotificationToTheSender) {
  const std::string to = "dr.dsn@medecin.mssante.fr";
  SmtpClient client(Submission());
  const std::vector<std::string> recipients = {to};
  const SubmitResult result = client.Submit(kSender, recipients, Message(to, "dsn-request"), true);
  ASSERT_EQ(result.recipients[0].fate, Fate::kAccepted)
      << result.session_error << result.recipients[0].reply;
  ASSERT_EQ(servers().WaitForMessages(to, 1, kDeliveryTimeout).size(), 1u);

  std::vector<std::string> reports;
  const auto deadline = std::chrono::steady_clock::now() + kDeliveryTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    reports.clear();
    for (const std::string& message : servers().Messages(kSender)) {
      if (message.find("Message-ID: <dsn-request@navette.test>") != std::string::npos) {
        reports.push_back(message);
      }
    }
    if (!reports.empty()) break;
    servers().WaitForMessages(kSender, servers().Messages(kSender).size() + 1,
                              std::chrono::milliseconds(200));
  }
  ASSERT_EQ(reports.size(), 1u) << servers().postfix_log();
  EXPECT_THAT(reports[0],
              AllOf(HasSubstr("Return-Path: <>"), HasSubstr("report-type=delivery-status"),
                    HasSubstr("Final-Recipient: rfc822; dr.dsn@medecin.mssante.fr"),
                    HasSubstr("Action: delivered"), HasSubstr("Status: 2.0.0")));
}

TEST_F(MssTransportServersTest, ARefusedDataAppliesToTheAcceptedRecipientsAndTheConnectionGoesOn) {
  const std::string to = "dr.big@medecin.mssante.fr";
  SmtpClient client(Submission());
  // Over Postfix's message_size_limit (50 MiB): refused after the final ".".
  std::string big = Message(to, "too-big");
  const std::string line(998, 'x');
  while (big.size() <= 52 * 1024 * 1024) big += line + "\r\n";
  const std::vector<std::string> recipients = {to, "inconnu@medecin.mssante.fr"};
  const SubmitResult refused = client.Submit(kSender, recipients, big, false);
  ASSERT_EQ(refused.session_error, "");
  EXPECT_EQ(refused.recipients[0].fate, Fate::kPermanent);
  EXPECT_EQ(refused.recipients[0].reply_code, 552);
  EXPECT_THAT(refused.recipients[0].reply, HasSubstr("too big"));
  EXPECT_EQ(refused.recipients[1].reply_code, 550);  // refused at RCPT: its own answer

  const std::vector<std::string> one = {to};
  const SubmitResult next = client.Submit(kSender, one, Message(to, "after-big"), false);
  EXPECT_EQ(next.recipients[0].fate, Fate::kAccepted) << next.recipients[0].reply;
  EXPECT_EQ(client.connections_opened(), 1);
  const std::vector<std::string> delivered = servers().WaitForMessages(to, 1, kDeliveryTimeout);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_THAT(delivered[0], HasSubstr("Subject: after-big"));
}

TEST_F(MssTransportServersTest, SuccessiveSubmissionsReuseTheConnection) {
  const std::string to = "dr.reuse@medecin.mssante.fr";
  SmtpClient client(Smtps());
  const std::vector<std::string> recipients = {to};
  for (int i = 0; i < 3; ++i) {
    const SubmitResult result =
        client.Submit(kSender, recipients, Message(to, absl::StrCat("reuse-", i)), false);
    EXPECT_EQ(result.recipients[0].fate, Fate::kAccepted) << result.session_error;
  }
  EXPECT_EQ(client.connections_opened(), 1);
  EXPECT_EQ(servers().WaitForMessages(to, 3, kDeliveryTimeout).size(), 3u);
}

TEST_F(MssTransportServersTest, AKeptConnectionThatWasDroppedIsReplaced) {
  const std::string to = "dr.reuse@medecin.mssante.fr";
  const size_t before = servers().Messages(to).size();
  SmtpClient smtp(Submission());
  const std::vector<std::string> recipients = {to};
  ASSERT_EQ(smtp.Submit(kSender, recipients, Message(to, "before-drop"), false).recipients[0].fate,
            Fate::kAccepted);
  if (!DropConnectionsTo(servers().submission_port())) {
    GTEST_SKIP() << "ss -K cannot destroy sockets here";
  }
  const SubmitResult after = smtp.Submit(kSender, recipients, Message(to, "after-drop"), false);
  EXPECT_EQ(after.session_error, "");
  EXPECT_EQ(after.recipients[0].fate, Fate::kAccepted) << after.recipients[0].reply;
  EXPECT_EQ(smtp.connections_opened(), 2);
  EXPECT_EQ(servers().WaitForMessages(to, before + 2, kDeliveryTimeout).size(), before + 2);

  ImapClient imap(Imap(to));
  const absl::StatusOr<uint32_t> validity = imap.UidValidity();
  ASSERT_TRUE(validity.ok()) << validity.status();
  ASSERT_TRUE(DropConnectionsTo(servers().imap_port()));
  const absl::StatusOr<std::vector<uint32_t>> unread = imap.SearchWithoutKeyword(kKeyword);
  ASSERT_TRUE(unread.ok()) << unread.status();
  EXPECT_EQ(unread->size(), before + 2);
  EXPECT_EQ(imap.connections_opened(), 2);
}

TEST_F(MssTransportServersTest, ImapSearchesFetchesExactBytesAndMarksWithoutChangingTheMailbox) {
  const std::string address = "dr.imap@medecin.mssante.fr";
  // Bytes a line reader would alter: dot lines, a line longer than libcurl's
  // response buffer, a line that looks like a tagged completion.
  const std::string first =
      "From: dr.imap@medecin.mssante.fr\r\nTo: navette@hopital.mssante.fr\r\n"
      "Subject: receipt one\r\nMessage-ID: <r1@medecin.test>\r\n\r\n"
      ".dot\r\nN3 OK looks like a completion\r\n* 1 FETCH (UID 9 BODY[] {3}\r\n" +
      std::string(40000, 'y') + "\r\nend\r\n";
  const std::string second =
      "From: dr.imap@medecin.mssante.fr\r\nSubject: receipt two\r\n\r\nsecond\r\n";
  servers().Deliver(address, first);
  servers().Deliver(address, second);

  ImapServer server = Imap(address);
  ImapClient client(server);
  const absl::StatusOr<uint32_t> validity = client.UidValidity();
  ASSERT_TRUE(validity.ok()) << validity.status() << servers().dovecot_log();
  EXPECT_GT(*validity, 0u);

  const absl::StatusOr<std::vector<uint32_t>> unread = client.SearchWithoutKeyword(kKeyword);
  ASSERT_TRUE(unread.ok()) << unread.status();
  ASSERT_EQ(unread->size(), 2u);
  EXPECT_LT((*unread)[0], (*unread)[1]);

  const absl::StatusOr<std::string> fetched = client.Fetch((*unread)[0]);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(*fetched, first);
  const absl::StatusOr<std::string> fetched_second = client.Fetch((*unread)[1]);
  ASSERT_TRUE(fetched_second.ok()) << fetched_second.status();
  EXPECT_EQ(*fetched_second, second);

  ASSERT_TRUE(client.AddKeyword((*unread)[0], kKeyword).ok());
  const absl::StatusOr<std::vector<uint32_t>> still_unread = client.SearchWithoutKeyword(kKeyword);
  ASSERT_TRUE(still_unread.ok()) << still_unread.status();
  EXPECT_EQ(*still_unread, std::vector<uint32_t>{(*unread)[1]});

  // The marked message is still there and still served; neither was \Seen.
  const absl::StatusOr<std::string> again = client.Fetch((*unread)[0]);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, first);
  EXPECT_EQ(servers().Messages(address).size(), 2u);
  const std::vector<std::string> flags = MaildirFlags("medecin.mssante.fr", "dr.imap");
  EXPECT_EQ(flags.size(), 2u);
  EXPECT_THAT(flags, Each(Not(HasSubstr("S"))));
  EXPECT_EQ(client.UidValidity().value_or(0), *validity);
  EXPECT_EQ(client.connections_opened(), 1);

  // A second client (implicit TLS) sees the keyword the first one set.
  server.port = servers().imaps_port();
  server.tls.implicit_tls = true;
  ImapClient other(server);
  const absl::StatusOr<std::vector<uint32_t>> seen_by_other = other.SearchWithoutKeyword(kKeyword);
  ASSERT_TRUE(seen_by_other.ok()) << seen_by_other.status();
  EXPECT_EQ(*seen_by_other, std::vector<uint32_t>{(*unread)[1]});
  EXPECT_EQ(other.UidValidity().value_or(0), *validity);

  const absl::StatusOr<std::string> missing = client.Fetch((*unread)[1] + 1000);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound) << missing.status();
}

TEST_F(MssTransportServersTest, ImapRefusalsAreUnavailableAndNameTheServer) {
  const std::string address = "dr.imap@medecin.mssante.fr";
  ImapServer no_certificate = Imap(address);
  no_certificate.tls.client_cert = "";
  no_certificate.tls.client_key = "";
  ImapClient without(no_certificate);
  const absl::StatusOr<uint32_t> refused = without.UidValidity();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.status().message()),
              AllOf(StartsWith("IMAP: 127.0.0.1:"), HasSubstr("refused the login: "),
                    HasSubstr("NO [ALERT] Client didn't present valid SSL certificate")));

  ImapServer other_ca = Imap(address);
  other_ca.port = servers().imaps_port();
  other_ca.tls.implicit_tls = true;
  other_ca.tls.client_cert = servers().other_client_cert();
  other_ca.tls.client_key = servers().other_client_key();
  ImapClient with_other(other_ca);
  EXPECT_EQ(with_other.UidValidity().status().code(), absl::StatusCode::kUnavailable);

  ImapServer missing_mailbox = Imap(address);
  missing_mailbox.mailbox = "Archives";
  ImapClient archives(missing_mailbox);
  const absl::StatusOr<std::vector<uint32_t>> search = archives.SearchWithoutKeyword(kKeyword);
  EXPECT_EQ(search.status().code(), absl::StatusCode::kFailedPrecondition) << search.status();
  EXPECT_THAT(std::string(search.status().message()), HasSubstr("SELECT"));
}

}  // namespace
}  // namespace navette::adapters::mssante::transport
