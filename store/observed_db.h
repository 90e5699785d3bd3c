// The store's RocksDB handle with one addition: after each batch it commits,
// the history events the batch wrote go to the CommitObserver, if one
// listens (store/commit_observer.h). Private to the store (Store::Open wraps
// the database it opens in it).
//
// Why here, under every write, rather than at each place the store writes
// an event: the events come from one place, whatever writes them (ingress,
// routing, delivery outcomes, operator actions, identity updates, late
// receipts, and what later code adds), and a batch is published exactly when
// it is durable in RocksDB's sense.
//
// Ordering: RocksDB applies batches in sequence order, but two threads
// returning from Write() may publish in either order. While an observer
// listens, Write() and the publication run under one mutex, so that events
// are published in commit order (the router cannot publish `routed` before
// the ingress thread has published `received`). The cost, only while someone
// taps: concurrent commits no longer share a group commit. With nobody
// listening Write() is RocksDB's, untouched.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include <rocksdb/utilities/stackable_db.h>

#include "store/commit_observer.h"

namespace navette::store {

class ObservedDb final : public rocksdb::StackableDB {
 public:
  explicit ObservedDb(rocksdb::DB* db) : rocksdb::StackableDB(db) {}

  // `observer` (null: none) gets the events written to `history` with the
  // source read from `state`. Any thread; the observer must outlive the
  // database or be unset first.
  void Observe(CommitObserver* observer, rocksdb::ColumnFamilyHandle* history,
               rocksdb::ColumnFamilyHandle* state);

  rocksdb::Status Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch) override;

 private:
  // The history events of a committed `batch`, each with its message's source.
  std::vector<CommittedEvent> EventsOf(rocksdb::WriteBatch& batch);

  std::atomic<CommitObserver*> observer_{nullptr};
  // Set with observer_, before it; read only when observer_ is set.
  std::atomic<rocksdb::ColumnFamilyHandle*> history_{nullptr};
  std::atomic<rocksdb::ColumnFamilyHandle*> state_{nullptr};
  std::mutex publish_mu_;  // held across a write and its publication
};

}  // namespace navette::store
