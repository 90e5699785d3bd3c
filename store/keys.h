// Key layouts of the RocksDB store. Integers are big-endian so that byte order
// is numeric order: iterating a column family visits ids, sequences and times
// in increasing order.
//
//   CF            key                                   value
//   journal       id(8)                                 StoredMessage (written once)
//   state         id(8)                                 MessageState
//   router_queue  id(8)                                 empty, or a ticket (RouterTicket)
//   q.<dest>      seq(8) id(8)                          DeliveryTask
//   history       id(8) event_seq(8)                    Event
//   index.status  status(1) id(8)                       empty
//   index.msh10   source '\0' control_id                ControlIdEntry
//   dead_letters  destination '\0' id(8)                 empty
//   identity      patient key                           identity.Identity
//   index.ins     oid '\0' matricule '\0' patient key   empty
//   identity_history  patient key '\0' event_seq(8)      identity.IdentityChange
//   parked        patient key '\0' id(8)                empty (reasons in state)
//   outputs       id(8) route                           RouteOutput
//   receipts      id(8) destination '\0' route          DeliveryReceipt
//   documents     document id (an OID)                  DocumentVersion
//                 '\0' setId '\0' version(8)            document id (the versions of a set)
//                 '\1' setId '\0' destination '\0' id(8)
//                                                      DeliveryReceipt (a set's receipts)
//   audit         at_us(8) seq(8)                       AuditEntry
//   index.search  kind(1) digest(16) id(8)              empty (store_search.cc)
//   default       "config/" version                     configuration text
//                 "search/key"                          the index.search HMAC key
//
// Invariants (each kept by one atomic WriteBatch per state change):
//   - (kind, digest, id) is in index.search iff message `id` is in journal
//     and was received with that source ('s'), MSH-10 ('c'), IPP ('p') or
//     INS ('n') (digest: HMAC-SHA-256 of the value under the store's
//     search key, first 16 bytes, so that no IPP or INS is in clear in
//     the index); written in the ingress batch.
//   - an id is in router_queue iff it is in journal and not yet routed;
//   - index.status holds exactly one entry per id in state, under its status;
//   - a (seq, id) in q.<dest> exists iff that delivery is pending (queued or
//     waiting for a retry);
//   - (destination, id) is in dead_letters iff that delivery is dead;
//   - (patient, id) is in parked iff the message's state has a parked route
//     under that patient;
//   - (id, destination, route) is in receipts iff that delivery's last
//     delivered outcome came with a receipt; it is written in the outcome's
//     batch. A message's receipts outlive a discard or a reroute (the peer
//     still holds what it returned); whatever deletes a message's records
//     deletes its receipts too: every key under IdKey(id).
//   - a document id is in documents iff a committed routing decision emitted
//     that version (build_cda), written in that decision's batch; routing the
//     message again rewrites the same record (ids are stable across a replay).
//   - (setId, destination, id) is in documents iff that delivery's last
//     delivered outcome came with a receipt about that set; written in the
//     outcome's batch, beside the receipts CF entry. It outlives the message:
//     the peer still holds the document (the DMP's entryUUID).
//   - (oid, matricule, patient) is in index.ins iff the identity record of
//     `patient` carries that INS. A record merged into another (A40, A47)
//     keeps its INS and its entry: a lookup follows merged_into, so that a
//     document naming the INS of an absorbed record finds the survivor.
//
// A patient key is the IPP and its assigning authority (routes/patient_key.h);
// it never holds '\0', so "<key>\0" bounds one patient's entries. A document
// that names its patient by the INS alone (no IPP in PID-3) is parked under
// InsParkKey: '\x1f' "INS" '\x1f' oid '\x1f' matricule, which no patient key
// equals (a patient key starts with a non-empty IPP). An INS reaches the store
// only checked (routes/ins/ins_number.h): digits, A/B and dots, no '\0'.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace navette::store {

inline constexpr char kJournalCf[] = "journal";
inline constexpr char kStateCf[] = "state";
inline constexpr char kRouterQueueCf[] = "router_queue";
inline constexpr char kHistoryCf[] = "history";
inline constexpr char kStatusIndexCf[] = "index.status";
inline constexpr char kControlIdIndexCf[] = "index.msh10";
inline constexpr char kDeadLettersCf[] = "dead_letters";
inline constexpr char kIdentityCf[] = "identity";
inline constexpr char kInsIndexCf[] = "index.ins";
inline constexpr char kIdentityHistoryCf[] = "identity_history";
inline constexpr char kParkedCf[] = "parked";
inline constexpr char kOutputsCf[] = "outputs";
inline constexpr char kReceiptsCf[] = "receipts";
inline constexpr char kDocumentsCf[] = "documents";
inline constexpr char kAuditCf[] = "audit";
inline constexpr char kSearchIndexCf[] = "index.search";
inline constexpr char kQueueCfPrefix[] = "q.";

void AppendBigEndian64(std::string& out, uint64_t value);
// documents CF: the key listing `version` under its setId, and the prefix of
// all the versions of `set_id` (in version order). A document id is an OID,
// so it never starts with '\0'.
std::string DocumentSetKey(std::string_view set_id, uint64_t version);
std::string DocumentSetPrefix(std::string_view set_id);
// documents CF: a receipt `destination` returned for message `id` about a
// version of `set_id` (DeliveryResult::receipt_document_key), and the prefix
// of all of them, in message id order.
std::string DocumentReceiptKey(std::string_view set_id, std::string_view destination, uint64_t id);
std::string DocumentReceiptPrefix(std::string_view set_id, std::string_view destination);
uint64_t ReadBigEndian64(std::string_view bytes);  // bytes.size() >= 8

std::string IdKey(uint64_t id);
std::string QueueKey(uint64_t seq, uint64_t id);
std::string HistoryKey(uint64_t id, uint64_t event_seq);
std::string StatusIndexKey(int status, uint64_t id);
std::string ControlIdKey(std::string_view source, std::string_view control_id);
std::string ConfigKey(std::string_view version);
std::string DeadLetterKey(std::string_view destination, uint64_t id);
std::string PatientPrefix(std::string_view patient);  // "<patient>\0"
std::string ParkedKey(std::string_view patient, uint64_t id);
std::string IdentityHistoryKey(std::string_view patient, uint64_t event_seq);
std::string OutputKey(uint64_t id, std::string_view route);
// audit CF: entries in time order; `seq` tells apart those of one
// microsecond.
std::string AuditKey(int64_t at_us, uint64_t seq);
std::string ReceiptKey(uint64_t id, std::string_view destination, std::string_view route);
std::string InsPrefix(std::string_view oid, std::string_view matricule);  // "<oid>\0<matricule>\0"
std::string InsIndexKey(std::string_view oid, std::string_view matricule, std::string_view patient);
std::string InsParkKey(std::string_view oid, std::string_view matricule);
// The value of a router-queue ticket: the message id, then the routes to run
// again (none: all), each ended by '\0'.
std::string RouterTicket(uint64_t id, const std::vector<std::string>& routes);
std::vector<std::string> ParseTicketRoutes(std::string_view routes);

}  // namespace navette::store
