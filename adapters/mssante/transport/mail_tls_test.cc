// The settings checks (CheckMailTls, CheckMailEndpoint) on files a
// throw-away openssl PKI makes, and the clients' answers when no server is
// there or a setting is refused: what is known before any mail server runs.
#include "adapters/mssante/transport/mail_tls.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "adapters/mssante/transport/imap_client.h"
#include "adapters/mssante/transport/mail_connection.h"
#include "adapters/mssante/transport/smtp_client.h"

namespace navette::adapters::mssante::transport {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// ca.pem; the client pair client.pem/client.key, client.p12 (password
// p12-secret), client_enc.key (the key under key-secret), combined.pem
// (certificate and key in one file); other.key, another key.
constexpr char kMakePki[] = R"(
openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=test CA' &&
openssl req -new -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj '/CN=bal.applicative' &&
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 2 -out client.pem &&
openssl pkcs12 -export -inkey client.key -in client.pem -out client.p12 -passout pass:p12-secret &&
openssl pkey -in client.key -aes256 -passout pass:key-secret -out client_enc.key &&
cat client.pem client.key > combined.pem &&
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.key
)";
constexpr char kP12Env[] = "NAVETTE_MSS_TRANSPORT_TEST_P12";
constexpr char kKeyEnv[] = "NAVETTE_MSS_TRANSPORT_TEST_KEY";
constexpr char kUnsetEnv[] = "NAVETTE_MSS_TRANSPORT_TEST_UNSET";

class MailTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     absl::StrCat("navette_mss_transport_test_", ::getpid()));
    std::filesystem::create_directories(*dir_);
    const std::string command =
        absl::StrCat("cd '", dir_->string(), "' && (", kMakePki, ") >openssl.log 2>&1");
    pki_ok_ = std::system(command.c_str()) == 0;
    ::setenv(kP12Env, "p12-secret", 1);
    ::setenv(kKeyEnv, "key-secret", 1);
    ::unsetenv(kUnsetEnv);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(pki_ok_) << "openssl failed, see openssl.log"; }

  static std::string Path(const char* name) { return (*dir_ / name).string(); }
  static MailTls PemTls() {
    MailTls tls;
    tls.ca_file = Path("ca.pem");
    tls.client_cert = Path("client.pem");
    tls.client_key = Path("client.key");
    return tls;
  }

  static std::filesystem::path* dir_;
  static bool pki_ok_;
};
std::filesystem::path* MailTlsTest::dir_ = nullptr;
bool MailTlsTest::pki_ok_ = false;

TEST_F(MailTlsTest, AcceptsEachFormOfTheClientPair) {
  EXPECT_TRUE(CheckMailTls(PemTls()).ok()) << CheckMailTls(PemTls());

  MailTls p12;
  p12.client_cert = Path("client.p12");  // no ca_file: the system store
  p12.client_key_password_env = kP12Env;
  EXPECT_TRUE(IsPkcs12(p12));
  EXPECT_TRUE(CheckMailTls(p12).ok()) << CheckMailTls(p12);

  MailTls encrypted = PemTls();
  encrypted.client_key = Path("client_enc.key");
  encrypted.client_key_password_env = kKeyEnv;
  EXPECT_FALSE(IsPkcs12(encrypted));
  EXPECT_TRUE(CheckMailTls(encrypted).ok()) << CheckMailTls(encrypted);

  MailTls combined;
  combined.client_cert = Path("combined.pem");
  EXPECT_FALSE(IsPkcs12(combined));
  EXPECT_TRUE(CheckMailTls(combined).ok()) << CheckMailTls(combined);

  EXPECT_TRUE(CheckMailTls(MailTls{}).ok());  // no certificate: the server's call
}

TEST_F(MailTlsTest, IsPkcs12ByNameWhenNoKeyIsGiven) {
  MailTls tls;
  tls.client_cert = "/etc/mss/BAL.PFX";
  EXPECT_TRUE(IsPkcs12(tls));
  tls.client_key = "/etc/mss/bal.key";
  EXPECT_FALSE(IsPkcs12(tls));
  tls.client_key.clear();
  tls.client_cert = "/etc/mss/bal.pem";
  EXPECT_FALSE(IsPkcs12(tls));
}

TEST_F(MailTlsTest, RefusalsNameTheSetting) {
  struct Case {
    std::string name;
    MailTls tls;
    std::string message_start;
    std::string detail;
  };
  std::vector<Case> cases;
  MailTls tls = PemTls();
  tls.ca_file = Path("missing.pem");
  cases.push_back({"missing CA", tls, "tls.ca_file: cannot read", "missing.pem"});
  tls = PemTls();
  tls.ca_file = Path("client.key");
  cases.push_back({"CA not a certificate", tls, "tls.ca_file: ", "holds no PEM certificate"});
  tls = PemTls();
  tls.client_cert = Path("client.key");
  cases.push_back({"cert not a certificate", tls, "tls.client_cert: ", "holds no PEM certificate"});
  tls = PemTls();
  tls.client_key = Path("other.key");
  cases.push_back({"another key", tls, "tls.client_key: ", "is not the key of the certificate"});
  tls = PemTls();
  tls.client_key = Path("ca.pem");
  cases.push_back({"key not a key", tls, "tls.client_key: ", "holds no PEM private key"});
  tls = PemTls();
  tls.client_key = Path("client_enc.key");
  cases.push_back(
      {"encrypted key, no password", tls, "tls.client_key: ", "tls.client_key_password_env"});
  tls.client_key_password_env = kP12Env;  // the other password
  cases.push_back(
      {"encrypted key, wrong password", tls, "tls.client_key_password_env: ", "does not open"});
  tls = MailTls{};
  tls.client_key = Path("client.key");
  cases.push_back({"key without cert", tls, "tls.client_key: ", "needs its certificate"});
  tls = MailTls{};
  tls.client_cert = Path("client.p12");
  tls.client_key_password_env = kKeyEnv;
  cases.push_back({"p12, wrong password", tls, "tls.client_key_password_env: ", "wrong password"});
  tls.client_key_password_env = kUnsetEnv;
  cases.push_back({"password variable unset", tls,
                   "tls.client_key_password_env: ", "NAVETTE_MSS_TRANSPORT_TEST_UNSET is not set"});
  tls = MailTls{};
  tls.client_cert = Path("client.pem.p12");
  std::filesystem::copy_file(Path("client.pem"), Path("client.pem.p12"),
                             std::filesystem::copy_options::overwrite_existing);
  cases.push_back({"p12 name, PEM content", tls, "tls.client_cert: ", "is not a PKCS#12 file"});
  tls = PemTls();
  tls.connect_timeout = std::chrono::milliseconds(0);
  cases.push_back({"connect timeout", tls, "tls.connect_timeout: ", "must be positive"});
  tls = PemTls();
  tls.timeout = std::chrono::milliseconds(-1);
  cases.push_back({"timeout", tls, "tls.timeout: ", "must be positive"});

  for (const Case& c : cases) {
    const absl::Status status = CheckMailTls(c.tls);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(std::string(status.message()), StartsWith(c.message_start)) << c.name;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.detail)) << c.name;
  }
}

TEST_F(MailTlsTest, EndpointChecksNameTheSetting) {
  auto endpoint = [] {
    MailEndpoint e;
    e.protocol = MailEndpoint::Protocol::kSmtp;
    e.host = "smtp.mssante.example";
    e.port = 587;
    e.tls = PemTls();
    return e;
  };
  EXPECT_TRUE(CheckMailEndpoint(endpoint()).ok()) << CheckMailEndpoint(endpoint());
  MailEndpoint external = endpoint();
  external.sasl = "external";
  EXPECT_TRUE(CheckMailEndpoint(external).ok());

  struct Case {
    MailEndpoint endpoint;
    std::string message_start;
  };
  std::vector<Case> cases;
  MailEndpoint e = endpoint();
  e.host = "";
  cases.push_back({e, "host: "});
  e = endpoint();
  e.host = "smtp.example/evil";
  cases.push_back({e, "host: "});
  e = endpoint();
  e.port = 70000;
  cases.push_back({e, "port: "});
  e = endpoint();
  e.sasl = "XOAUTH2";
  cases.push_back({e, "sasl: unknown mechanism 'XOAUTH2'"});
  e = endpoint();
  e.sasl = "PLAIN";
  cases.push_back({e, "username: "});
  e.username = "bal@hopital.mssante.fr";
  cases.push_back({e, "password_env: "});
  e.password_env = kUnsetEnv;
  cases.push_back({e, "password_env: environment variable"});
  e = endpoint();
  e.helo_domain = "hopital.example\r\nMAIL FROM:<x@y>";
  cases.push_back({e, "helo_domain: "});
  e = endpoint();
  e.protocol = MailEndpoint::Protocol::kImap;
  cases.push_back({e, "username: "});  // IMAP always logs in
  e = endpoint();
  e.tls.client_cert = Path("missing.pem");
  cases.push_back({e, "tls.client_cert: "});
  for (const Case& c : cases) {
    const absl::Status status = CheckMailEndpoint(c.endpoint);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.message_start;
    EXPECT_THAT(std::string(status.message()), StartsWith(c.message_start));
  }
}

// A loopback port where nothing listens: bound, never listening, so that a
// connection is refused at once and no other test can take the port.
class ClosedPort {
 public:
  ClosedPort() : socket_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (socket_ >= 0 && ::bind(socket_, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
        ::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~ClosedPort() {
    if (socket_ >= 0) ::close(socket_);
  }
  int port() const { return port_; }

 private:
  int socket_;
  int port_ = 0;
};

TEST_F(MailTlsTest, SubmitWithoutAServerFailsTheSessionAndKeepsEveryRecipientTransient) {
  ClosedPort closed;
  ASSERT_NE(closed.port(), 0);
  SmtpClient client(SmtpServer{"127.0.0.1", closed.port(), PemTls()});
  const std::vector<std::string> recipients = {"a@example.test", "b@example.test"};
  const SubmitResult result =
      client.Submit("bal@example.test", recipients, "Subject: x\r\n\r\nbody\r\n", true);
  EXPECT_THAT(result.session_error, StartsWith("cannot connect to 127.0.0.1:"));
  ASSERT_EQ(result.recipients.size(), 2u);
  for (size_t i = 0; i < recipients.size(); ++i) {
    EXPECT_EQ(result.recipients[i].address, recipients[i]);
    EXPECT_EQ(result.recipients[i].fate, RecipientResult::Fate::kTransient);
    EXPECT_EQ(result.recipients[i].reply_code, 0);
  }
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(MailTlsTest, SubmitRefusesAddressesThatWouldInjectCommandsBeforeConnecting) {
  ClosedPort closed;
  SmtpClient client(SmtpServer{"127.0.0.1", closed.port(), PemTls()});
  const std::vector<std::string> recipients = {"a@b> NOTIFY=NEVER", "c@d\r\nDATA"};
  const SubmitResult result = client.Submit("bal@example.test", recipients, "x\r\n", false);
  EXPECT_EQ(result.session_error, "");
  for (const RecipientResult& recipient : result.recipients) {
    EXPECT_EQ(recipient.fate, RecipientResult::Fate::kPermanent) << recipient.address;
    EXPECT_THAT(recipient.reply, StartsWith("not sent"));
  }
  EXPECT_EQ(client.connections_opened(), 0);

  const std::vector<std::string> good = {"a@example.test"};
  const SubmitResult bad_sender = client.Submit("bal@x>\r\nRSET", good, "x\r\n", false);
  EXPECT_THAT(bad_sender.session_error, HasSubstr("envelope sender"));
  EXPECT_EQ(bad_sender.recipients[0].fate, RecipientResult::Fate::kTransient);
  EXPECT_EQ(client.connections_opened(), 0);
}

TEST_F(MailTlsTest, SubmitReportsASettingRefusalAsTheSessionError) {
  SmtpServer server{"127.0.0.1", 587, PemTls()};
  server.sasl = "CRAM-MD5";
  SmtpClient client(server);
  const std::vector<std::string> recipients = {"a@example.test"};
  const SubmitResult result = client.Submit("bal@example.test", recipients, "x\r\n", false);
  EXPECT_THAT(result.session_error, StartsWith("sasl: unknown mechanism"));
  EXPECT_EQ(result.recipients[0].fate, RecipientResult::Fate::kTransient);
}

TEST_F(MailTlsTest, ImapWithoutAServerIsUnavailableAndBadArgumentsAreRefusedFirst) {
  ClosedPort closed;
  ImapServer server{"127.0.0.1", closed.port(), PemTls(), "bal@example.test", kP12Env};
  ImapClient client(server);
  const absl::StatusOr<uint32_t> validity = client.UidValidity();
  EXPECT_EQ(validity.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(validity.status().message()), HasSubstr("cannot connect to 127.0.0.1:"));

  EXPECT_EQ(client.SearchWithoutKeyword("$Navette Read").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client.AddKeyword(3, "\\Deleted").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client.Fetch(0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client.connections_opened(), 1);

  server.mailbox = "Re\xc3\xa7us";
  ImapClient non_ascii(server);
  EXPECT_EQ(non_ascii.Fetch(1).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace navette::adapters::mssante::transport
