// The configuration files of the test mail servers, as text: Postfix's
// main.cf, master.cf and mailbox table, Dovecot's dovecot.conf and users.
// Pure functions of the settings, so that what each server is told is
// written once, here, with the reason for every choice beside it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/mail/mail_servers.h"

namespace navette::testing::mail {

// The uid and gid that own every Maildir: Postfix's virtual(8) delivers as
// them and Dovecot serves as them ("nobody"/"nogroup" on Debian).
inline constexpr int kMailUid = 65534;
inline constexpr int kMailGid = 65534;

// Where everything lives under the test's directory (see mail_servers.h).
struct Layout {
  explicit Layout(const std::filesystem::path& dir);
  std::filesystem::path dir;
  std::filesystem::path pki;
  std::filesystem::path postfix_etc;
  std::filesystem::path postfix_queue;
  std::filesystem::path postfix_data;
  std::filesystem::path postfix_log;
  std::filesystem::path postfix_start_log;
  std::filesystem::path dovecot;
  std::filesystem::path dovecot_conf;
  std::filesystem::path dovecot_users;
  std::filesystem::path dovecot_run;
  std::filesystem::path dovecot_state;
  std::filesystem::path dovecot_log;
  std::filesystem::path dovecot_stderr;
  std::filesystem::path mail;
};

struct Address {
  std::string local;
  std::string domain;
};
// "local@domain" in lower case, split at the last '@'; nullopt unless both
// parts are non-empty and free of characters a path or a table line would
// misread ('/', whitespace, ':').
std::optional<Address> ParseAddress(std::string_view address);

struct ServerSettings {
  Layout layout;
  MailServers::Ports ports;
  std::vector<Address> mailboxes;
  bool require_client_certificate = true;
};

std::string PostfixMainCf(const ServerSettings& settings);
std::string PostfixMasterCf(const ServerSettings& settings);
// virtual_mailbox_maps as texthash (read as is, no postmap): address and
// Maildir path relative to virtual_mailbox_base, '/' ending meaning Maildir.
std::string PostfixMailboxes(const ServerSettings& settings);

std::string DovecotConf(const ServerSettings& settings);
// passwd-file lines "address:{PLAIN}password".
std::string DovecotUsers(const ServerSettings& settings, std::string_view password);

}  // namespace navette::testing::mail
