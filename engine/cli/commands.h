// The subcommands of the `navette` binary. Each returns the process exit
// code; main.cc only parses arguments (CLI11) and dispatches.
#pragma once

#include <iostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/cli/admin_client.h"

namespace navette::engine::cli {

struct ServeOptions {
  std::string config_path;  // empty: the embedded default configuration
  std::string data_dir = "navette-data";
  std::string log_level = "info";
};
int RunServe(const ServeOptions& options);

struct SendOptions {
  std::string host = "127.0.0.1";
  int port = 2575;
  int timeout_ms = 30000;
  std::vector<std::string> files;
  // TLS (docs/security.md): on with --tls or any of the files below.
  bool tls = false;
  std::string ca_file;    // the listener's CA; default: the system's store
  std::string cert_file;  // client certificate and key, for a listener
  std::string key_file;   // that requires one
};
int RunSend(const SendOptions& options);

// The filters of `messages list`, also those of `messages export`.
struct SearchOptions {
  std::string state, source, route, destination;
  std::string ipp, ins, control_id, document_id, set_id;
  std::string field;         // PATH=VALUE, e.g. PID-3.1=000123 (needs --since)
  std::string since, until;  // as --since of replay (time_bound.h)
  std::string before;        // the cursor the previous page printed
};
// The query string of GET /v1/messages and GET /v1/export for `search`
// ("&name=value" pairs, each starting with '&'); an error names the option
// (a time bound that cannot be read).
absl::StatusOr<std::string> SearchQuery(const SearchOptions& search);

struct ListOptions {
  AdminOptions admin;
  SearchOptions search;
  int limit = 50;
  bool json = false;
};
int RunMessagesList(const ListOptions& options);

// `messages export`: the selection as received, one .hl7 file per message
// in `directory`, or every message in one HL7 batch file (FHS/BHS … BTS/FTS)
// at `batch_file`, oldest first (export_command.cc).
struct ExportOptions {
  AdminOptions admin;
  SearchOptions search;
  std::string directory;
  std::string batch_file;
  int limit = 1000;  // most messages exported
};
int RunMessagesExport(const ExportOptions& options);

// `identities show`: the identity records of an IPP or INS, with their
// history and parked documents (identities_command.cc).
struct IdentitiesShowOptions {
  AdminOptions admin;
  std::string patient;  // an IPP or an INS
  bool ipp_only = false;
  bool ins_only = false;
  bool json = false;
};
int RunIdentitiesShow(const IdentitiesShowOptions& options);

struct ShowOptions {
  AdminOptions admin;
  std::string id;
  bool json = false;
  std::string as_delivered;  // a destination: show what it got instead
  std::string route;         // with as_delivered, when two routes lead there
  bool raw = false;          // no folding of long fields
  bool no_payload = false;   // header and history only: no payload view to audit
};
int RunMessagesShow(const ShowOptions& options);

// `navette audit list`: the audit trail, newest first (admin role).
struct AuditListOptions {
  AdminOptions admin;
  std::string user;
  std::string since;    // as --since of replay (time_bound.h)
  std::string message;  // a message id
  int limit = 50;
  std::string cursor;  // the next page, as the previous one printed it
  bool json = false;
};
int RunAuditList(const AuditListOptions& options);

// `navette reload`.
struct ReloadCommandOptions {
  AdminOptions admin;
};
int RunReload(const ReloadCommandOptions& options);

// `navette messages replay`: one message by ID, or the dead letters that
// match --state dead and the filters, as a job followed to its end.
struct ReplayOptions {
  AdminOptions admin;
  std::string id;
  std::string destination;
  bool reroute = false;
  std::string state, since, until;  // bulk replay only
};
int RunMessagesReplay(const ReplayOptions& options);

struct DiscardOptions {
  AdminOptions admin;
  std::string id;
};
int RunMessagesDiscard(const DiscardOptions& options);
// `navette messages release ID`: a parked message's routes run again now.
int RunMessagesRelease(const DiscardOptions& options);

// `navette messages resend ID --to D`: the message, as received, to a
// configured destination no route gave it.
struct ResendOptions {
  AdminOptions admin;
  std::string id;
  std::string to;
};
int RunMessagesResend(const ResendOptions& options);

// `navette messages edit ID [--file F]`: the corrected message stored as a
// new one and routed; without --file, the text is edited in $EDITOR.
struct EditOptions {
  AdminOptions admin;
  std::string id;
  std::string file;
};
int RunMessagesEdit(const EditOptions& options);

// `navette tap`: the events the engine commits, one line each (JSON with
// --json), as they happen, until interrupted; reconnects when the engine
// restarts (tap_command.cc, docs/operations.md).
struct TapOptions {
  AdminOptions admin;
  std::string source, route, destination;
  std::string state;  // event kinds, comma-separated (engine/event_feed.h)
  bool json = false;
};
int RunTap(const TapOptions& options);

// `navette token new`: prints a new token and the configuration entry that
// accepts it (its SHA-256, never the token itself, goes in the file).
struct TokenNewOptions {
  std::string user;
  std::string role;  // viewer, operator or admin
};
int RunTokenNew(const TokenNewOptions& options);

// `navette keys new`: a CURVE key pair for the bus (engine.ingress.curve),
// written to <out>.key (the secret key, mode 0600) and <out>.pub (the public
// key); neither file may exist. Prints the public key on the first line,
// then where each file goes and the authorized_keys entry to paste. The
// file format is in adapters/bus/curve_keys.h.
struct KeysNewOptions {
  std::string out = "navette-curve";  // path prefix of the two files
};
int RunKeysNew(const KeysNewOptions& options, std::ostream& out = std::cout,
               std::ostream& err = std::cerr);

// `navette sim dmp ARGS…`: replaces this process with the DMP simulator
// program, navette-dmp-sim, found beside the navette binary, given ARGS as
// they came (its own --help included). Returns only when it cannot: 1, with
// the path it looked for on stderr.
int RunSimDmp(const std::vector<std::string>& arguments);

}  // namespace navette::engine::cli
