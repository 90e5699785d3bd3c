// Finding messages: the search index (index.search, keys.h) written with
// each message as received, and the query that combines every filter.
//
// A query takes its candidates, newest first, from the most selective
// source it has, and checks each against every other filter:
//
//   filter given                 candidates from
//   document_id / set_id         the documents CF (the message of each
//                                version), sorted newest first
//   control_id, ipp, ins, source index.search, the first given in that
//                                order (ids under one prefix are in time
//                                order: iterated backwards)
//   state                        index.status
//   none of these                the state CF
//
// Time bounds are id bounds (ids begin with their receipt time, in
// microseconds), so every iteration is bounded on both sides and a page
// costs its own entries, not those before it: the cursor is the last id
// shown. The other index filters are checked by a point lookup of their key
// for the candidate; route, destination and state against its state.
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>

#include <rocksdb/db.h>

#include "store/keys.h"
#include "store/message_id.h"
#include "store/store.h"
#include "store/write_helpers.h"

namespace navette::store {
namespace {

constexpr size_t kDigestBytes = 16;
constexpr char kSearchKeyName[] = "search/key";
constexpr char kIppKind = 'p';
constexpr char kInsKind = 'n';
constexpr char kControlIdKind = 'c';
constexpr char kSourceKind = 's';

// The smallest id issued at `at_us` (message_id.h): ids begin with their
// time, in milliseconds.
uint64_t FirstIdAt(int64_t at_us) { return std::max<uint64_t>(MessageIdLowerBound(at_us), 1); }

}  // namespace

absl::Status Store::LoadSearchKey() {
  std::string key;
  rocksdb::Status read = db_->Get(rocksdb::ReadOptions(), kSearchKeyName, &key);
  if (read.ok() && key.size() == 32) {
    search_key_ = std::move(key);
    return absl::OkStatus();
  }
  if (!read.ok() && !read.IsNotFound()) return FromRocks(read, "reading the search key");
  key.resize(32);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), 32) != 1) {
    return absl::InternalError("cannot draw the search index's key");
  }
  if (absl::Status written =
          FromRocks(db_->Put(SyncedWrite(), kSearchKeyName, key), "saving the search key");
      !written.ok()) {
    return written;
  }
  search_key_ = std::move(key);
  return absl::OkStatus();
}

std::string Store::SearchKey(char kind, std::string_view value, uint64_t id) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  std::string input(1, kind);
  input.append(value);
  HMAC(EVP_sha256(), search_key_.data(), static_cast<int>(search_key_.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest, &size);
  std::string key(1, kind);
  key.append(reinterpret_cast<const char*>(digest), kDigestBytes);
  if (id != 0) AppendBigEndian64(key, id);
  return key;
}

std::vector<std::string> Store::SearchTermKeys(uint64_t id, const navette::Envelope& envelope,
                                               const PatientIds& patient) const {
  std::vector<std::string> keys;
  keys.reserve(2 + patient.ipps.size() + patient.ins.size());
  keys.push_back(SearchKey(kSourceKind, envelope.source(), id));
  if (!envelope.hl7().control_id().empty()) {
    keys.push_back(SearchKey(kControlIdKind, envelope.hl7().control_id(), id));
  }
  for (const std::string& ipp : patient.ipps) keys.push_back(SearchKey(kIppKind, ipp, id));
  for (const std::string& ins : patient.ins) keys.push_back(SearchKey(kInsKind, ins, id));
  return keys;
}

void Store::PutSearchTerms(rocksdb::WriteBatch& batch, const IngressRecord& record) const {
  for (const std::string& key : SearchTermKeys(record.id, *record.envelope, record.patient)) {
    batch.Put(search_index_, key, "");
  }
}

void Store::DeleteSearchTerms(rocksdb::WriteBatch& batch, uint64_t id,
                              const navette::Envelope& envelope, const PatientIds& patient) const {
  for (const std::string& key : SearchTermKeys(id, envelope, patient)) {
    batch.Delete(search_index_, key);
  }
}

absl::StatusOr<SearchPage> Store::Search(const SearchFilter& filter) const {
  // Ids in [lowest, upper): the time bounds and the cursor.
  const uint64_t lowest = filter.since_us > 0 ? FirstIdAt(filter.since_us) : 1;
  uint64_t upper = filter.until_us > 0 ? FirstIdAt(filter.until_us) : ~uint64_t{0};
  if (filter.before_id != 0) upper = std::min(upper, filter.before_id);

  // The index filters, as keys to look up for a candidate, the most
  // selective first (its entries are the candidates): an MSH-10 names a
  // message or a few, an IPP or INS a patient's, a source a share of all.
  std::vector<std::pair<char, std::string>> terms;
  if (!filter.control_id.empty()) terms.emplace_back(kControlIdKind, filter.control_id);
  if (!filter.ipp.empty()) terms.emplace_back(kIppKind, filter.ipp);
  if (!filter.ins.empty()) terms.emplace_back(kInsKind, filter.ins);
  if (!filter.source.empty()) terms.emplace_back(kSourceKind, filter.source);

  SearchPage page;
  // Whether `id` passes every filter but the one its candidates came from
  // (`skip_term`); fills `state`.
  auto accept = [&](uint64_t id, size_t skip_term, MessageState& state) -> absl::StatusOr<bool> {
    for (size_t t = 0; t < terms.size(); ++t) {
      if (t == skip_term) continue;
      std::string ignored;
      rocksdb::Status found = db_->Get(rocksdb::ReadOptions(), search_index_,
                                       SearchKey(terms[t].first, terms[t].second, id), &ignored);
      if (found.IsNotFound()) return false;
      if (!found.ok()) return FromRocks(found, "searching messages");
    }
    auto read = GetState(id);
    if (absl::IsNotFound(read.status())) return false;  // gone since indexed
    if (!read.ok()) return read.status();
    state = std::move(*read);
    if (filter.status && state.status() != *filter.status) return false;
    if (!filter.route.empty() && std::find(state.routes().begin(), state.routes().end(),
                                           filter.route) == state.routes().end()) {
      return false;
    }
    if (!filter.destination.empty()) {
      bool found = false;
      for (const DestinationState& destination : state.destinations()) {
        found = found || destination.destination() == filter.destination;
      }
      if (!found) return false;
    }
    if (filter.also) return filter.also(id);
    return true;
  };
  // Takes candidates newest first until the page is full; true when a
  // further candidate matched (there is a next page).
  auto take = [&](uint64_t id, size_t skip_term) -> absl::StatusOr<bool> {
    MessageState state;
    auto accepted = accept(id, skip_term, state);
    if (!accepted.ok()) return accepted.status();
    if (!*accepted) return false;
    if (page.messages.size() == filter.limit) return true;
    page.messages.push_back({id, std::move(state)});
    return false;
  };
  auto finish = [&](bool more) {
    if (more && !page.messages.empty()) page.next_before_id = page.messages.back().id;
    return page;
  };

  if (!filter.document_id.empty() || !filter.set_id.empty()) {
    std::vector<uint64_t> ids;
    if (!filter.document_id.empty()) {
      auto version = GetDocumentVersion(filter.document_id);
      if (!version.ok()) return version.status();
      if (*version) ids.push_back((*version)->message_id());
    }
    if (!filter.set_id.empty()) {
      auto versions = GetDocumentSet(filter.set_id);
      if (!versions.ok()) return versions.status();
      std::vector<uint64_t> of_set;
      for (const DocumentVersion& version : *versions) of_set.push_back(version.message_id());
      if (filter.document_id.empty()) {
        ids = std::move(of_set);
      } else {
        // Both: the document must be a version of the set.
        std::erase_if(ids, [&](uint64_t id) {
          return std::find(of_set.begin(), of_set.end(), id) == of_set.end();
        });
      }
    }
    std::sort(ids.rbegin(), ids.rend());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (uint64_t id : ids) {
      if (id < lowest || id >= upper) continue;
      auto more = take(id, terms.size());
      if (!more.ok()) return more.status();
      if (*more) return finish(true);
    }
    return finish(false);
  }

  rocksdb::ReadOptions options;
  std::string lower_key, upper_key;
  rocksdb::ColumnFamilyHandle* family = nullptr;
  size_t skip_term = terms.size();
  size_t id_offset = 0;  // where the id is in the key
  if (!terms.empty()) {
    skip_term = 0;
    const std::string prefix = SearchKey(terms[0].first, terms[0].second, 0);
    lower_key = prefix;
    AppendBigEndian64(lower_key, lowest);
    upper_key = prefix;
    AppendBigEndian64(upper_key, upper);
    family = search_index_;
    id_offset = prefix.size();
  } else if (filter.status) {
    lower_key = StatusIndexKey(*filter.status, lowest);
    upper_key = StatusIndexKey(*filter.status, upper);
    family = status_index_;
    id_offset = 1;
  } else {
    lower_key = IdKey(lowest);
    upper_key = IdKey(upper);
    family = state_;
  }
  rocksdb::Slice lower_slice(lower_key), upper_slice(upper_key);
  options.iterate_lower_bound = &lower_slice;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family));
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    const uint64_t id = ReadBigEndian64(it->key().ToStringView().substr(id_offset));
    auto more = take(id, skip_term);
    if (!more.ok()) return more.status();
    if (*more) return finish(true);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "searching messages");
  return finish(false);
}

}  // namespace navette::store
