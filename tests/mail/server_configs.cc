#include "tests/mail/server_configs.h"

#include <cctype>
#include <set>

#include <fmt/format.h>

namespace navette::testing::mail {

Layout::Layout(const std::filesystem::path& root)
    : dir(root),
      pki(root / "pki"),
      postfix_etc(root / "postfix" / "etc"),
      postfix_queue(root / "postfix" / "queue"),
      postfix_data(root / "postfix" / "data"),
      postfix_log(root / "postfix.log"),
      postfix_start_log(root / "postfix" / "start.log"),
      dovecot(root / "dovecot"),
      dovecot_conf(root / "dovecot" / "dovecot.conf"),
      dovecot_users(root / "dovecot" / "users"),
      dovecot_run(root / "dovecot" / "run"),
      dovecot_state(root / "dovecot" / "state"),
      dovecot_log(root / "dovecot.log"),
      dovecot_stderr(root / "dovecot" / "stderr.log"),
      mail(root / "mail") {}

std::optional<Address> ParseAddress(std::string_view address) {
  const size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return std::nullopt;
  std::string lower(address);
  for (char& c : lower) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isspace(u) || c == '/' || c == ':' || c == '%' || u < 0x20) return std::nullopt;
    c = static_cast<char>(std::tolower(u));
  }
  if (lower.find('@') != at) return std::nullopt;  // one '@' only
  return Address{lower.substr(0, at), lower.substr(at + 1)};
}

std::string PostfixMainCf(const ServerSettings& s) {
  std::set<std::string> domains;
  for (const Address& a : s.mailboxes) domains.insert(a.domain);
  std::string domain_list;
  for (const std::string& d : domains) domain_list += (domain_list.empty() ? "" : " ") + d;
  const Layout& l = s.layout;
  return fmt::format(
      R"(# One test's Postfix, written by tests/mail/server_configs.cc.
compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
# postlogd writes every daemon's log here: no syslog in containers and CI.
# The prefix list must allow the path, or postlogd refuses it.
maillog_file = {log}
maillog_file_prefixes = {dir}

myhostname = mx.navette.test
mydomain = navette.test
myorigin = $myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
# Every mailbox is virtual: no local(8) domain, no aliases (whose default
# nis:mail.aliases warns on every smtpd start).
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
virtual_mailbox_domains = {domains}
virtual_mailbox_maps = texthash:{mailboxes}
virtual_mailbox_base = {mail}
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_mailbox_limit = 0
message_size_limit = 52428800
# Unknown addresses of the domains: 550 5.1.1 at RCPT, not a bounce later.
smtpd_reject_unlisted_recipient = yes

# Nothing leaves: other domains resolve to the error transport, so smtpd
# refuses them at RCPT (550 5.7.1), even for a client allowed to relay, and
# nothing waits on DNS lookups in a deferred queue. Postmaster notices
# (which would go to $myorigin) are off. DSNs to senders of the test
# domains are delivered by virtual(8) like any mail.
default_transport = error:5.7.1 the test mail servers deliver only to their own domains
relay_transport = $default_transport
smtp_dns_support_level = disabled
notify_classes =
smtpd_peername_lookup = no

# TLS: STARTTLS (or the wrapper on the smtps listener) before MAIL FROM;
# a client certificate is always asked for and, if required, must chain to
# the test CA (the only CA trusted: no system CAs are appended).
smtpd_tls_security_level = encrypt
smtpd_tls_cert_file = {pki}/server.pem
smtpd_tls_key_file = {pki}/server.key
smtpd_tls_CAfile = {pki}/ca.pem
smtpd_tls_ask_ccert = yes
smtpd_tls_req_ccert = {req_ccert}
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_loglevel = 1
tls_append_default_CA = no
# Relaying (to other domains) only for a client whose certificate chains
# to the test CA; the test domains take mail from any client allowed in.
smtpd_relay_restrictions = permit_tls_all_clientcerts, reject_unauth_destination

# Tests send bursts and expect errors: no throttling pauses.
in_flow_delay = 0
smtpd_error_sleep_time = 0
)",
      fmt::arg("queue", l.postfix_queue.string()), fmt::arg("data", l.postfix_data.string()),
      fmt::arg("log", l.postfix_log.string()), fmt::arg("dir", l.dir.string()),
      fmt::arg("domains", domain_list),
      fmt::arg("mailboxes", (l.postfix_etc / "mailboxes").string()),
      fmt::arg("mail", l.mail.string()), fmt::arg("uid", kMailUid), fmt::arg("gid", kMailGid),
      fmt::arg("pki", l.pki.string()),
      fmt::arg("req_ccert", s.require_client_certificate ? "yes" : "no"));
}

std::string PostfixMasterCf(const ServerSettings& s) {
  // Only the services the test servers use, none chrooted (a chroot would
  // need copies of /etc files and the PKI inside the queue directory).
  return fmt::format(
      R"(# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:{submission} inet n - n - - smtpd
  -o syslog_name=postfix/submission
127.0.0.1:{smtps} inet n - n - - smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
)",
      fmt::arg("submission", s.ports.submission), fmt::arg("smtps", s.ports.smtps));
}

std::string PostfixMailboxes(const ServerSettings& s) {
  std::string table;
  for (const Address& a : s.mailboxes) {
    table += fmt::format("{}@{} {}/{}/\n", a.local, a.domain, a.domain, a.local);
  }
  return table;
}

std::string DovecotConf(const ServerSettings& s) {
  const Layout& l = s.layout;
  const char* require = s.require_client_certificate ? "yes" : "no";
  // %d and %n split the login (the address) as Postfix's table splits the
  // Maildir path: <mail>/<domain>/<local part>.
  return fmt::format(
      R"(# One test's Dovecot, written by tests/mail/server_configs.cc.
protocols = imap
listen = 127.0.0.1
base_dir = {run}
state_dir = {state}
instance_name = navette-test
log_path = {log}
auth_verbose = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
# The mail user is nobody (65534): stated rather than left to the default
# range, which a distribution's configuration may narrow.
first_valid_uid = 100
first_valid_gid = 100

ssl = required
ssl_cert = <{pki}/server.pem
ssl_key = <{pki}/server.key
ssl_ca = <{pki}/ca.pem
ssl_dh = </usr/share/dovecot/dh.pem
ssl_min_protocol = TLSv1.2
ssl_verify_client_cert = {require}
auth_ssl_require_client_cert = {require}
# The test CA publishes no CRL; Dovecot would otherwise reject every client
# certificate for want of one.
ssl_require_crl = no

mail_location = maildir:{mail}/%d/%n
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%d/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
)",
      fmt::arg("run", l.dovecot_run.string()), fmt::arg("state", l.dovecot_state.string()),
      fmt::arg("log", l.dovecot_log.string()), fmt::arg("pki", l.pki.string()),
      fmt::arg("require", require), fmt::arg("mail", l.mail.string()),
      fmt::arg("users", l.dovecot_users.string()), fmt::arg("uid", kMailUid),
      fmt::arg("gid", kMailGid), fmt::arg("imap", s.ports.imap), fmt::arg("imaps", s.ports.imaps));
}

std::string DovecotUsers(const ServerSettings& s, std::string_view password) {
  std::string users;
  for (const Address& a : s.mailboxes) {
    users += fmt::format("{}@{}:{{PLAIN}}{}\n", a.local, a.domain, password);
  }
  return users;
}

}  // namespace navette::testing::mail
