// The Store's identity part: identity records, their history and their INS
// index, parked messages, route outputs, and the release of parked messages
// when an identity update qualifies their patient.
#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "store/keys.h"
#include "store/store.h"
#include "store/write_helpers.h"

namespace navette::store {

absl::StatusOr<std::optional<identity::Identity>> Store::GetIdentity(
    std::string_view patient) const {
  std::string value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), identity_, rocksdb::Slice(patient), &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return FromRocks(status, "reading an identity");
  identity::Identity record;
  if (!record.ParseFromString(value)) return absl::DataLossError("store: corrupt identity record");
  return record;
}

namespace {

// Calls `fn(rest of key, value)` on each entry of `cf` whose key starts with
// `prefix` ("<patient>\0", "<oid>\0<matricule>\0", "<ipp>\x1f"), in key order;
// stops early when `fn` returns an error. `what` names the read in an error.
// The prefix's last byte is a separator below 0xff, so the keys under it end
// before the same prefix with that byte plus one.
absl::Status ForEachUnder(
    rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, const std::string& prefix,
    std::string_view what,
    const std::function<absl::Status(std::string_view, std::string_view)>& fn) {
  std::string upper = prefix;
  ++upper.back();
  rocksdb::Slice lower_slice(prefix), upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(options, cf));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    absl::Status status = fn(key.substr(prefix.size()), it->value().ToStringView());
    if (!status.ok()) return status;
  }
  return FromRocks(it->status(), what);
}

// Each entry of `cf` under one patient key.
absl::Status ForEachOfPatient(
    rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, std::string_view patient,
    const std::function<absl::Status(std::string_view, std::string_view)>& fn) {
  return ForEachUnder(db, cf, PatientPrefix(patient), "reading a patient's entries", fn);
}

}  // namespace

absl::StatusOr<std::vector<uint64_t>> Store::ListParked(std::string_view patient) const {
  std::vector<uint64_t> ids;
  absl::Status read =
      ForEachOfPatient(*db_, parked_, patient, [&](std::string_view id, std::string_view) {
        if (id.size() != 8) return absl::DataLossError("store: corrupt parked key");
        ids.push_back(ReadBigEndian64(id));
        return absl::OkStatus();
      });
  if (!read.ok()) return read;
  return ids;
}

absl::StatusOr<std::vector<IdentityRecord>> Store::FindIdentitiesByIpp(std::string_view ipp) const {
  std::vector<IdentityRecord> records;
  if (ipp.empty()) return records;  // no patient key has an empty IPP
  // A patient key is the IPP, '\x1f', the authority (routes/patient_key.h).
  const std::string prefix = std::string(ipp) + '\x1f';
  absl::Status read = ForEachUnder(
      *db_, identity_, prefix, "reading identities by IPP",
      [&](std::string_view authority, std::string_view value) {
        IdentityRecord record;
        record.patient = prefix + std::string(authority);
        if (!record.identity.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          return absl::DataLossError("store: corrupt identity record");
        }
        records.push_back(std::move(record));
        return absl::OkStatus();
      });
  if (!read.ok()) return read;
  return records;
}

absl::StatusOr<std::vector<identity::IdentityChange>> Store::GetIdentityHistory(
    std::string_view patient) const {
  std::vector<identity::IdentityChange> changes;
  absl::Status read = ForEachOfPatient(
      *db_, identity_history_, patient, [&](std::string_view, std::string_view value) {
        identity::IdentityChange change;
        if (!change.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          return absl::DataLossError("store: corrupt identity history record");
        }
        changes.push_back(std::move(change));
        return absl::OkStatus();
      });
  if (!read.ok()) return read;
  return changes;
}

absl::StatusOr<std::vector<std::string>> Store::FindPatientsByIns(
    std::string_view oid, std::string_view matricule) const {
  std::vector<std::string> patients;
  absl::Status read =
      ForEachUnder(*db_, ins_index_, InsPrefix(oid, matricule), "reading the INS index",
                   [&](std::string_view patient, std::string_view) {
                     patients.emplace_back(patient);
                     return absl::OkStatus();
                   });
  if (!read.ok()) return read;
  return patients;
}

absl::StatusOr<RouteOutput> Store::GetOutput(uint64_t id, std::string_view route) const {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), outputs_, OutputKey(id, route), &value);
  if (status.IsNotFound()) {
    return absl::NotFoundError(
        fmt::format("no output of route '{}' for message {:016x}", route, id));
  }
  if (!status.ok()) return FromRocks(status, "reading a route output");
  RouteOutput output;
  if (!output.ParseFromString(value)) return absl::DataLossError("store: corrupt route output");
  return output;
}

void Store::Unpark(rocksdb::WriteBatch& batch, uint64_t id,
                   const google::protobuf::RepeatedPtrField<RouteHold>& holds) {
  for (const RouteHold& hold : holds) batch.Delete(parked_, ParkedKey(hold.patient(), id));
}

namespace {

std::string JoinRoutes(const std::vector<std::string>& routes) {
  std::string joined;
  for (const std::string& route : routes) joined += (joined.empty() ? "'" : ", '") + route + "'";
  return joined;
}

}  // namespace

std::vector<std::string> Store::ParkKeysOf(const IdentityUpdate& update) {
  std::vector<std::string> keys = {update.patient};
  if (!update.prior.empty()) keys.push_back(update.prior);
  const identity::Ins& ins = update.identity.ins();
  if (!ins.matricule().empty()) keys.push_back(InsParkKey(ins.oid(), ins.matricule()));
  return keys;
}

absl::Status Store::IndexIns(rocksdb::WriteBatch& batch, const std::string& patient,
                             const identity::Identity& after) const {
  auto before = GetIdentity(patient);
  if (!before.ok()) return before.status();
  const identity::Ins* old_ins =
      before->has_value() && !(*before)->ins().matricule().empty() ? &(*before)->ins() : nullptr;
  const identity::Ins* new_ins = after.ins().matricule().empty() ? nullptr : &after.ins();
  if (old_ins != nullptr && (new_ins == nullptr || old_ins->oid() != new_ins->oid() ||
                             old_ins->matricule() != new_ins->matricule())) {
    batch.Delete(ins_index_, InsIndexKey(old_ins->oid(), old_ins->matricule(), patient));
  }
  if (new_ins != nullptr) {
    batch.Put(ins_index_, InsIndexKey(new_ins->oid(), new_ins->matricule(), patient), "");
  }
  return absl::OkStatus();
}

absl::Status Store::BuildInsIndex() {
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), identity_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    identity::Identity record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("store: corrupt identity record");
    }
    if (record.ins().matricule().empty()) continue;
    batch.Put(ins_index_,
              InsIndexKey(record.ins().oid(), record.ins().matricule(), it->key().ToStringView()),
              "");
  }
  absl::Status read = FromRocks(it->status(), "reading the identity records");
  if (!read.ok()) return read;
  return FromRocks(db_->Write(SyncedWrite(), &batch), "building the INS index");
}

absl::Status Store::ApplyIdentityUpdate(rocksdb::WriteBatch& batch, const IdentityUpdate& update,
                                        const std::function<uint64_t()>& next_ticket_id,
                                        int64_t now) {
  if (absl::Status indexed = IndexIns(batch, update.patient, update.identity); !indexed.ok()) {
    return indexed;
  }
  batch.Put(identity_, update.patient, Serialize(update.identity));
  batch.Put(identity_history_, IdentityHistoryKey(update.patient, NextEventSeq()),
            Serialize(update.change));
  Event event;
  event.set_at_us(now);
  event.set_type(EVENT_IDENTITY);
  event.set_detail(update.change.summary());
  batch.Put(history_, HistoryKey(update.change.message_id(), NextEventSeq()), Serialize(event));

  // Messages whose state changes, loaded once: previous status, new state.
  std::map<uint64_t, std::pair<MessageStatus, MessageState>> changed;
  auto load = [&](uint64_t id) -> absl::StatusOr<MessageState*> {
    auto it = changed.find(id);
    if (it == changed.end()) {
      auto state = GetState(id);
      if (!state.ok()) return state.status();
      it = changed.emplace(id, std::pair(state->status(), std::move(*state))).first;
    }
    return &it->second.second;
  };
  // Read again, now that the caller holds the locks: an operator's release
  // or discard may have unparked a message since the caller listed it.
  auto parked = ListParked(update.patient);
  if (!parked.ok()) return parked.status();
  std::vector<uint64_t> ids = std::move(*parked);

  if (!update.prior.empty()) {
    if (absl::Status indexed = IndexIns(batch, update.prior, update.prior_identity);
        !indexed.ok()) {
      return indexed;
    }
    batch.Put(identity_, update.prior, Serialize(update.prior_identity));
    batch.Put(identity_history_, IdentityHistoryKey(update.prior, NextEventSeq()),
              Serialize(update.prior_change));
    // The documents waiting for the absorbed (or renamed) IPP now wait for
    // the identity that stands for it.
    auto moved = ListParked(update.prior);
    if (!moved.ok()) return moved.status();
    for (uint64_t id : *moved) {
      auto state = load(id);
      if (!state.ok()) return state.status();
      for (RouteHold& hold : *(*state)->mutable_parked()) {
        if (hold.patient() == update.prior) hold.set_patient(update.patient);
      }
      batch.Delete(parked_, ParkedKey(update.prior, id));
      batch.Put(parked_, ParkedKey(update.patient, id), "");
      event.Clear();
      event.set_at_us(now);
      event.set_type(EVENT_PARKED);
      event.set_detail(fmt::format(
          "patient identifier {} by {}: now parked under the identity "
          "that stands for it",
          update.change.trigger() == "A47" ? "changed" : "merged", update.change.trigger()));
      batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }

  if (update.release) {
    // The documents waiting for this patient (moved ones included), and
    // those that name it by the INS it now may carry.
    std::vector<std::pair<std::string, uint64_t>> waiting;
    for (uint64_t id : ids) waiting.emplace_back(update.patient, id);
    const identity::Ins& ins = update.identity.ins();
    if (!ins.matricule().empty()) {
      const std::string ins_key = InsParkKey(ins.oid(), ins.matricule());
      auto by_ins = ListParked(ins_key);
      if (!by_ins.ok()) return by_ins.status();
      for (uint64_t id : *by_ins) waiting.emplace_back(ins_key, id);
    }
    for (const auto& [key, id] : waiting) {
      auto state = load(id);
      if (!state.ok()) return state.status();
      std::vector<std::string> routes = TakeParkedRoutes(**state, key);
      if (routes.empty()) continue;
      batch.Delete(parked_, ParkedKey(key, id));
      const uint64_t ticket = next_ticket_id();
      batch.Put(router_queue_, IdKey(ticket), RouterTicket(id, routes));
      SendBackToRouter(**state, ticket);  // RECEIVED until the router has run the routes again
      event.Clear();
      event.set_at_us(now);
      event.set_type(EVENT_RELEASED);
      event.set_detail(fmt::format("identity qualified by {}: route {} sent back to the router",
                                   update.change.trigger(), JoinRoutes(routes)));
      batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
    }
  }
  for (auto& [id, entry] : changed) {
    entry.second.set_updated_at_us(now);
    PutState(batch, state_, status_index_, id, entry.first, entry.second);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Store::Release(uint64_t id, uint64_t ticket_id,
                                                        std::string_view actor) {
  auto locks = LockStates({id});
  auto state = GetState(id);
  if (!state.ok()) return state.status();
  if (absl::Status allowed = CheckRelease(id, *state); !allowed.ok()) return allowed;
  const MessageStatus previous = state->status();
  const int64_t now = clock_->NowMicros();
  ReleaseResult released = ApplyRelease(*state, ticket_id, now);
  rocksdb::WriteBatch batch;
  Unpark(batch, id, released.unparked);
  batch.Put(router_queue_, IdKey(ticket_id), RouterTicket(id, released.routes));
  Event event;
  event.set_at_us(now);
  event.set_type(EVENT_RELEASED);
  event.set_actor(std::string(actor));
  event.set_detail(fmt::format("release requested: route {} sent back to the router",
                               JoinRoutes(released.routes)));
  batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
  PutState(batch, state_, status_index_, id, previous, *state);
  absl::Status written = FromRocks(db_->Write(SyncedWrite(), &batch), "recording a release");
  if (!written.ok()) return written;
  return std::move(released.routes);
}

}  // namespace navette::store
