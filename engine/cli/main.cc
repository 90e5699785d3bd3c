// The navette binary: argument parsing and dispatch to engine/cli/*_command.cc.
#include <iostream>

#include <CLI/CLI.hpp>

#include "engine/admin_views.h"
#include "engine/builtin_kinds.h"
#include "engine/cli/commands.h"
#include "engine/config/check_command.h"
#include "engine/config/default_config.h"
#include "engine/config/loader.h"
#include "engine/event_feed.h"

namespace {

// The filters `messages list` and `messages export` share.
void AddSearchOptions(CLI::App* command, navette::engine::cli::SearchOptions& search) {
  command->add_option("--state", search.state, navette::engine::StateNames());
  command->add_option("--source", search.source, "Source name");
  command->add_option("--route", search.route, "Route name");
  command->add_option("--destination", search.destination, "Destination name");
  command->add_option("--ipp", search.ipp, "The patient's IPP (PID-3, type PI)");
  command->add_option("--ins", search.ins, "The patient's INS (PID-3, type INS)");
  command->add_option("--control-id", search.control_id, "MSH-10");
  command->add_option("--document-id", search.document_id, "A CDA document id");
  command->add_option("--set-id", search.set_id, "Every version of a CDA document");
  command->add_option("--field", search.field,
                      "PATH=VALUE: a field of the message as received, e.g. PID-3.1=000123 or "
                      "OBR-4.1=11502-2 (needs --since)");
  command->add_option("--since", search.since,
                      "Received at or after: 2026-12-05T08:30:00Z, 2026-12-05, or 45m, 6h, 2d ago");
  command->add_option("--until", search.until, "Received before (same forms)");
  command->add_option("--before", search.before,
                      "Older than this message id: the cursor a previous page printed");
}

// The options of every command that talks to the admin API: where it is and
// which token to send (the rules are in engine/cli/admin_target.h).
void AddAdminOptions(CLI::App* command, navette::engine::cli::AdminOptions& options) {
  command->add_option("--admin", options.admin_url,
                      "Admin API URL or host:port (default: $NAVETTE_ADMIN, else the "
                      "configuration's engine.admin.listen)");
  command->add_option("--config,-c", options.config_path,
                      "The engine's configuration file, for its admin address (default: "
                      "$NAVETTE_CONFIG, else the embedded default configuration)");
  command->add_option("--token", options.token,
                      "Admin API token (default: $NAVETTE_TOKEN, else <data dir>/admin.token)");
  command
      ->add_option("--data-dir,-d", options.data_dir,
                   "The engine's data directory (as given to `navette serve`), for its local "
                   "admin token")
      ->capture_default_str();
  command->add_option("--ca", options.ca_file,
                      "HTTPS: PEM CA bundle that signed the engine's certificate (default: "
                      "$NAVETTE_CA, else the system's store)");
  command->add_option("--cert", options.cert_file,
                      "HTTPS: PEM client certificate, for an API that requires one (default: "
                      "$NAVETTE_CERT)");
  command->add_option("--key", options.key_file,
                      "HTTPS: PEM private key of --cert (default: $NAVETTE_KEY)");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace navette::engine;
  CLI::App app{"navette: integration engine for French hospitals (HL7 v2, INS, CDA, DMP, MSSanté)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", NAVETTE_VERSION);

  cli::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the engine");
  serve_cmd->add_option("--config,-c", serve.config_path,
                        "Configuration file (default: the embedded default configuration)");
  serve_cmd->add_option("--data-dir,-d", serve.data_dir, "Data directory")->capture_default_str();
  serve_cmd->add_option("--log-level", serve.log_level, "trace, debug, info, warn, error")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

  std::string check_path;
  config::CheckOptions check;
  auto* check_cmd = app.add_subcommand("check", "Validate a configuration file without starting");
  check_cmd->add_option("file", check_path, "Configuration file")->required();
  check_cmd
      ->add_option("--data-dir,-d", check.data_dir,
                   "Data directory, as given to `navette serve` (relative directories are "
                   "checked against it; nothing is created)")
      ->capture_default_str();
  check_cmd->add_flag("--connect", check.connect,
                      "Also connect to each destination (TCP, TLS handshake; nothing sent) and "
                      "say what was found; exit 1 if one cannot be reached");

  auto* config_cmd = app.add_subcommand("config", "Configuration helpers");
  config_cmd->require_subcommand(1);
  auto* config_default_cmd =
      config_cmd->add_subcommand("default", "Print the embedded default configuration");

  cli::SendOptions send;
  auto* send_cmd = app.add_subcommand(
      "send", "Send HL7 v2 files over MLLP, print each ACK; exit 1 on AE/AR or error");
  send_cmd->add_option("--host", send.host, "Host")->capture_default_str();
  send_cmd->add_option("--port,-p", send.port, "Port")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  send_cmd->add_option("--timeout-ms", send.timeout_ms, "Connect and ACK timeout")
      ->capture_default_str();
  send_cmd->add_flag("--tls", send.tls,
                     "Connect with TLS, verifying the listener's certificate for --host");
  send_cmd->add_option("--ca", send.ca_file,
                       "PEM CA bundle to verify the listener with (implies --tls; default: the "
                       "system's store)");
  send_cmd->add_option("--cert", send.cert_file,
                       "PEM client certificate, for a listener that requires one (implies --tls)");
  send_cmd->add_option("--key", send.key_file, "PEM private key of --cert");
  send_cmd->add_option("files", send.files, "HL7 v2 files (LF or CR segment terminators)")
      ->required()
      ->check(CLI::ExistingFile);

  auto* messages_cmd = app.add_subcommand("messages", "Find and inspect messages");
  messages_cmd->require_subcommand(1);
  cli::ListOptions list;
  auto* list_cmd = messages_cmd->add_subcommand("list", "List messages, newest first");
  AddSearchOptions(list_cmd, list.search);
  list_cmd->add_option("--limit", list.limit, "Most messages shown")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  list_cmd->add_flag("--json", list.json, "One JSON object per line");
  AddAdminOptions(list_cmd, list.admin);
  cli::ExportOptions export_options;
  auto* export_cmd = messages_cmd->add_subcommand(
      "export",
      "Write a selection of messages as received (the filters of `list`): one .hl7 file each "
      "(--dir), or one HL7 batch file (--batch), oldest first");
  AddSearchOptions(export_cmd, export_options.search);
  auto* export_target = export_cmd->add_option_group("target", "Where the messages go");
  export_target->add_option("--dir", export_options.directory,
                            "A directory (created if absent): ID.hl7 per message");
  export_target->add_option(
      "--batch", export_options.batch_file,
      "One HL7 batch file (FHS, BHS, the messages, BTS, FTS); must not exist");
  export_target->require_option(1);
  export_cmd->add_option("--limit", export_options.limit, "Most messages exported (newest kept)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  AddAdminOptions(export_cmd, export_options.admin);
  cli::ShowOptions show;
  auto* show_cmd = messages_cmd->add_subcommand("show", "Show one message with its history");
  show_cmd->add_option("id", show.id, "Message id")->required();
  show_cmd->add_flag("--json", show.json, "One JSON object");
  show_cmd->add_option("--as-delivered", show.as_delivered,
                       "Show the message as this destination got it, after its route's steps");
  show_cmd->add_option("--route", show.route,
                       "With --as-delivered: the route, when two send it to the destination");
  show_cmd->add_flag("--raw", show.raw, "Print every field whole (long ones are otherwise folded)");
  show_cmd->add_flag("--no-payload", show.no_payload,
                     "Header and history only, without the HL7 text (no payload view audited)");
  AddAdminOptions(show_cmd, show.admin);

  cli::ReplayOptions replay;
  auto* replay_cmd = messages_cmd->add_subcommand(
      "replay",
      "Deliver a message again (by ID), or replay dead letters in bulk (--state dead and filters)");
  replay_cmd->add_option("id", replay.id, "Message id; omit for a bulk replay");
  replay_cmd->add_option("--destination", replay.destination,
                         "Only this destination (default: every one that is not pending)");
  replay_cmd->add_flag("--reroute", replay.reroute,
                       "Route the message again with the current routes instead");
  replay_cmd->add_option("--state", replay.state, "Bulk replay of messages in this state")
      ->check(CLI::IsMember({"dead"}));
  replay_cmd->add_option("--since", replay.since,
                         "Bulk: received at or after (2026-11-22T08:00:00Z, 2026-11-22, 6h)");
  replay_cmd->add_option("--until", replay.until, "Bulk: received before (same forms)");
  AddAdminOptions(replay_cmd, replay.admin);
  cli::DiscardOptions discard;
  auto* discard_cmd =
      messages_cmd->add_subcommand("discard",
                                   "Give up on a message: its pending and dead deliveries are "
                                   "dropped; the message and its history stay");
  discard_cmd->add_option("id", discard.id, "Message id")->required();
  AddAdminOptions(discard_cmd, discard.admin);
  cli::DiscardOptions release;
  auto* release_cmd = messages_cmd->add_subcommand(
      "release",
      "Run a parked message's routes again now (it parks again if the patient's identity "
      "still cannot carry the INS)");
  release_cmd->add_option("id", release.id, "Message id")->required();
  AddAdminOptions(release_cmd, release.admin);
  cli::ResendOptions resend;
  auto* resend_cmd = messages_cmd->add_subcommand(
      "resend",
      "Send a message, as received, to a configured destination no route gave it (to one it "
      "already went to: replay)");
  resend_cmd->add_option("id", resend.id, "Message id")->required();
  resend_cmd->add_option("--to", resend.to, "The destination")->required();
  AddAdminOptions(resend_cmd, resend.admin);
  cli::EditOptions edit;
  auto* edit_cmd = messages_cmd->add_subcommand(
      "edit",
      "Correct a message: the corrected text is stored as a new message, linked to the original "
      "(kept unchanged, marked superseded), and routed");
  edit_cmd->add_option("id", edit.id, "Message id")->required();
  edit_cmd->add_option("--file", edit.file,
                       "The corrected HL7 text (default: edit the message in $EDITOR, or vi)");
  AddAdminOptions(edit_cmd, edit.admin);

  auto* identities_cmd =
      app.add_subcommand("identities", "What the identity feed (PAM-FR) recorded about patients");
  identities_cmd->require_subcommand(1);
  cli::IdentitiesShowOptions identities_show;
  auto* identities_show_cmd = identities_cmd->add_subcommand(
      "show",
      "Show the identity of an IPP or INS: status, traits, INS, history of changes and the "
      "documents parked under it (a payload view, audited)");
  identities_show_cmd->add_option("patient", identities_show.patient, "An IPP or an INS")
      ->required();
  auto* only = identities_show_cmd->add_option_group("match", "Default: both");
  only->add_flag("--ipp", identities_show.ipp_only, "Look the value up as an IPP only");
  only->add_flag("--ins", identities_show.ins_only, "Look the value up as an INS only");
  only->require_option(0, 1);
  identities_show_cmd->add_flag("--json", identities_show.json, "One JSON object");
  AddAdminOptions(identities_show_cmd, identities_show.admin);

  cli::TapOptions tap;
  auto* tap_cmd = app.add_subcommand(
      "tap",
      "Follow events live as the engine commits them (received, routed, retry, delivered, dead, "
      "replayed, ...), one line each, never a payload; reconnects when the engine restarts");
  tap_cmd->add_option("--source", tap.source, "Only messages from this source");
  tap_cmd->add_option("--route", tap.route, "Only events of this route");
  tap_cmd->add_option("--destination", tap.destination, "Only events of this destination");
  tap_cmd->add_option("--state", tap.state,
                      "Only these event kinds, comma-separated: " + EventTypeNames());
  tap_cmd->add_flag("--json", tap.json, "One JSON object per event (the admin API's)");
  AddAdminOptions(tap_cmd, tap.admin);

  auto* token_cmd = app.add_subcommand("token", "Admin API tokens");
  token_cmd->require_subcommand(1);
  cli::TokenNewOptions token_new;
  auto* token_new_cmd = token_cmd->add_subcommand(
      "new", "Print a new token and the engine.admin.tokens entry that accepts it");
  token_new_cmd->add_option("--user", token_new.user, "Who the token is for")->required();
  token_new_cmd->add_option("--role", token_new.role, "viewer, operator or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "operator", "admin"}));

  cli::ReloadCommandOptions reload;
  auto* reload_cmd = app.add_subcommand(
      "reload",
      "Have the engine read its configuration file again, check it and swap it in (admin role); "
      "a refused file leaves the running configuration in place");
  AddAdminOptions(reload_cmd, reload.admin);

  auto* audit_cmd = app.add_subcommand("audit", "The audit trail: who viewed or acted on what");
  audit_cmd->require_subcommand(1);
  cli::AuditListOptions audit_list;
  auto* audit_list_cmd =
      audit_cmd->add_subcommand("list", "List audit entries, newest first (admin role)");
  audit_list_cmd->add_option("--user", audit_list.user, "Entries of this user");
  audit_list_cmd->add_option("--since", audit_list.since,
                             "At or after: 2026-12-05T08:30:00Z, 2026-12-05, or 45m, 6h, 2d ago");
  audit_list_cmd->add_option("--message", audit_list.message, "Entries naming this message id");
  audit_list_cmd->add_option("--limit", audit_list.limit, "Most entries shown")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  audit_list_cmd->add_option("--cursor", audit_list.cursor,
                             "The next page, as the previous page's last line gives it");
  audit_list_cmd->add_flag("--json", audit_list.json, "One JSON object");
  AddAdminOptions(audit_list_cmd, audit_list.admin);

  auto* keys_cmd = app.add_subcommand("keys", "CURVE keys of the engine's tcp bus");
  keys_cmd->require_subcommand(1);
  cli::KeysNewOptions keys_new;
  auto* keys_new_cmd = keys_cmd->add_subcommand(
      "new",
      "Write a new CURVE key pair (PREFIX.key, mode 0600, and PREFIX.pub) and print the public "
      "key and the engine.ingress.curve.authorized_keys entry");
  keys_new_cmd
      ->add_option("--out,-o", keys_new.out,
                   "Path prefix of the two files; neither may exist (a key file is never "
                   "replaced)")
      ->capture_default_str();

  auto* sim_cmd = app.add_subcommand("sim", "Simulators of the national services, for trials");
  sim_cmd->require_subcommand(1);
  // Every argument after `dmp`, --help included, is the simulator's: it has
  // its own options and help (navette-dmp-sim, run in this process's place).
  auto* sim_dmp_cmd = sim_cmd->add_subcommand(
      "dmp",
      "Run the DMP simulator (navette-dmp-sim): a strict, mutual-TLS stand-in for the national "
      "DMP, with its test PKI and a destination to paste; `navette sim dmp --help` for its "
      "options");
  sim_dmp_cmd->prefix_command()->allow_extras()->set_help_flag();

  CLI11_PARSE(app, argc, argv);

  if (serve_cmd->parsed()) return cli::RunServe(serve);
  if (check_cmd->parsed())
    return config::RunCheck(check_path, BuiltinKinds(), std::cout, std::cerr, check);
  if (config_default_cmd->parsed()) {
    std::cout << config::DefaultConfigText();
    return 0;
  }
  if (send_cmd->parsed()) return cli::RunSend(send);
  if (list_cmd->parsed()) return cli::RunMessagesList(list);
  if (show_cmd->parsed()) return cli::RunMessagesShow(show);
  if (export_cmd->parsed()) return cli::RunMessagesExport(export_options);
  if (identities_show_cmd->parsed()) return cli::RunIdentitiesShow(identities_show);
  if (replay_cmd->parsed()) return cli::RunMessagesReplay(replay);
  if (discard_cmd->parsed()) return cli::RunMessagesDiscard(discard);
  if (release_cmd->parsed()) return cli::RunMessagesRelease(release);
  if (resend_cmd->parsed()) return cli::RunMessagesResend(resend);
  if (edit_cmd->parsed()) return cli::RunMessagesEdit(edit);
  if (token_new_cmd->parsed()) return cli::RunTokenNew(token_new);
  if (tap_cmd->parsed()) return cli::RunTap(tap);
  if (audit_list_cmd->parsed()) return cli::RunAuditList(audit_list);
  if (reload_cmd->parsed()) return cli::RunReload(reload);
  if (keys_new_cmd->parsed()) return cli::RunKeysNew(keys_new);
  if (sim_dmp_cmd->parsed()) return cli::RunSimDmp(sim_dmp_cmd->remaining());
  return 1;
}
