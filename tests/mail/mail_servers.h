// A real Postfix (SMTP submission, client certificates, DSNs) and a real
// Dovecot (IMAP) on loopback for the MSSanté tests: Debian's packages, run as
// root with configurations of their own in a directory of the test, so that
// navette's SMTP and IMAP clients meet the servers an operator runs, not a
// fake that agrees with them.
//
// Layout of `dir` (everything traversable by users postfix and nobody):
//   pki/              ca, server (127.0.0.1, localhost), client
//                     ("navette-client", signed by ca), other_ca and
//                     other_client (signed by other_ca): <name>.pem/.key
//   postfix/etc/      main.cf, master.cf, mailboxes (texthash)
//   postfix/queue/    queue_directory; postfix/data/: data_directory
//   postfix.log       every Postfix daemon's log (postlogd, no syslog)
//   dovecot/          dovecot.conf, users (passwd-file), run/ (base_dir),
//                     state/ (state_dir), stderr.log
//   dovecot.log       Dovecot's log
//   mail/<domain>/<local part>/{tmp,new,cur}
//                     one Maildir a mailbox, owned by 65534:65534 (nobody),
//                     the uid both Postfix's virtual(8) and Dovecot use
//
// Ports: four free loopback ports, claimed for the process with the same
// scheme as tests/support/engine_process.h's FreePort, so parallel test
// processes never pick the same one.
//
// Threading: construct and destroy on a thread that lives as long as the
// servers (SetUpTestSuite's); Dovecot is told to stop when the thread that
// started it exits, so that a test process killed by a timeout leaves no
// Dovecot behind (Postfix's master detaches itself: a killed test process
// leaves it running on its ports until `postfix -c <dir>/postfix/etc stop`). The accessors and
// Messages/WaitForMessages/Deliver may be called from any thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace navette::testing {

struct MailServerOptions {
  // Addresses that exist, e.g. "navette@hopital.mssante.fr" (case does not
  // matter); any other address of their domains is refused at RCPT with
  // 550 5.1.1, and any address of another domain with 550 5.7.1.
  std::vector<std::string> mailboxes = {};
  // SMTP (both listeners) and IMAP (both listeners) refuse a client without
  // a certificate signed by the test CA. When false, a certificate is still
  // asked for but not required, and note that Dovecot then takes a login
  // without TLS on imap_port(): it counts a client whose address equals its
  // own (loopback to loopback) as secured, whatever ssl=required says.
  // Postfix requires TLS either way.
  bool require_client_certificate = true;
};

class MailServers {
 public:
  // Creates `dir`, the PKI, the configurations and the Maildirs, starts
  // Postfix and Dovecot and waits until all four ports greet a client. On
  // failure ok() is false and error() says why, with the servers' log tails.
  MailServers(std::filesystem::path dir, MailServerOptions options);
  // Stops both servers and waits for them to exit; leaves `dir` in place.
  ~MailServers();
  MailServers(const MailServers&) = delete;
  MailServers& operator=(const MailServers&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // SMTP requiring STARTTLS (smtpd_tls_security_level=encrypt), as on 587.
  int submission_port() const { return ports_.submission; }
  // SMTP over implicit TLS (smtpd_tls_wrappermode), as on 465.
  int smtps_port() const { return ports_.smtps; }
  // IMAP with STARTTLS: without it, no login (when a client certificate is
  // required; see MailServerOptions).
  int imap_port() const { return ports_.imap; }
  // IMAP over implicit TLS, as on 993.
  int imaps_port() const { return ports_.imaps; }

  std::string ca_file() const;
  std::string client_cert() const;
  std::string client_key() const;
  // A client certificate signed by another CA: both servers refuse it.
  std::string other_client_cert() const;
  std::string other_client_key() const;

  // The IMAP login of a mailbox (its address) and the password of all.
  std::string imap_user(std::string_view address) const;
  std::string imap_password() const;

  // The mailbox's messages as delivered (with the Return-Path, Delivered-To
  // and Received headers Postfix adds), from new/ and cur/, oldest first.
  std::vector<std::string> Messages(std::string_view address) const;
  // Polls until the mailbox holds at least `n` messages or `timeout` passes;
  // returns what it holds then (fewer than `n` on timeout).
  std::vector<std::string> WaitForMessages(std::string_view address, size_t n,
                                           std::chrono::milliseconds timeout) const;
  // Puts `raw` in the mailbox as a delivery would (tmp/, then a rename into
  // new/), for Dovecot to serve: the MDNs and other mail tests place.
  void Deliver(std::string_view address, std::string_view raw) const;

  // The servers' logs, for test failure messages.
  std::string postfix_log() const;
  std::string dovecot_log() const;

  struct Ports {
    int submission = 0;
    int smtps = 0;
    int imap = 0;
    int imaps = 0;
  };

 private:
  // One attempt at starting both servers on `ports_`; false with error_ set.
  // `port_taken` says the failure was a port another process took meanwhile.
  bool Start(bool& port_taken);
  bool StartPostfix(bool& port_taken);
  bool StartDovecot();
  bool WaitUntilServing(bool& port_taken);
  void StopPostfix();
  void StopDovecot();
  std::filesystem::path MaildirOf(std::string_view address) const;

  std::filesystem::path dir_;
  MailServerOptions options_;
  std::string error_;
  Ports ports_;
  bool postfix_started_ = false;
  pid_t dovecot_pid_ = -1;
  // Makes the names Deliver gives its files unique within the process.
  mutable std::atomic<unsigned> deliveries_{0};
};

}  // namespace navette::testing
