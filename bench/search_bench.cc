// The search benchmark (issue 16): a store loaded with generated messages
// (several thousand patients, each with an IPP and an INS, four sources,
// a unique MSH-10 each), written through Store::CommitIngress as the engine
// writes them (synced batches, search index included), then the latency of
// each kind of query (p50, p99 over random values) and the index's share of
// the disk.
//
//   navette_search_bench [--messages 10000000] [--patients 5000] [--dir D]
//                        [--queries 200] [--keep]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <CLI/CLI.hpp>

#include "store/message_id.h"
#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
using navette::store::SearchFilter;

struct Options {
  uint64_t messages = 10'000'000;
  int patients = 5000;
  int queries = 200;
  std::string dir = "navette-search-bench";
  bool keep = false;
};

std::string Ipp(int patient) { return fmt::format("IPP{:07d}", patient); }
std::string Ins(int patient) { return fmt::format("2{:014d}", 79035121500000LL + patient); }
constexpr const char* kSources[] = {"dpi", "ris", "sgl", "urgences"};

// One day of messages per million, so that time-bounded queries have days
// to choose from.
constexpr int64_t kT0 = 1'764'547'200'000'000;  // 2025-12-01T00:00:00Z
constexpr int64_t kUsPerMessage = 86'400;       // 1,000,000 messages a day

uint64_t IdOf(uint64_t n) {
  return navette::store::MessageIdLowerBound(kT0 + static_cast<int64_t>(n) * kUsPerMessage) +
         (n & 0x3ff);
}

std::string Raw(uint64_t n, int patient) {
  return fmt::format(
      "MSH|^~\\&|SIL|CHU|PFI|CHU|20251201120000||ORU^R01^ORU_R01|C{}|P|2.5\r"
      "PID|||{}^^^CHU&1.2.250.1.71.4.2.2&ISO^PI~{}^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^"
      "INS||NOM^PRENOM||19790328|F\r"
      "OBR|1|{}|{}|2160-0^Creatinine^LN\rOBX|1|NM|2160-0^Creatinine^LN||81|umol/L|||||F\r",
      n, Ipp(patient), Ins(patient), n, n);
}

double Load(navette::store::Store& store, const Options& options) {
  constexpr uint64_t kBatch = 5000;
  std::mt19937 random(42);
  std::uniform_int_distribution<int> patients(0, options.patients - 1);
  const auto started = Clock::now();
  std::vector<navette::Envelope> envelopes(kBatch);
  std::vector<navette::store::IngressRecord> records(kBatch);
  for (uint64_t first = 0; first < options.messages; first += kBatch) {
    const uint64_t count = std::min(kBatch, options.messages - first);
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t n = first + i;
      const int patient = patients(random);
      navette::Envelope& envelope = envelopes[i];
      envelope.set_source(kSources[n % 4]);
      envelope.set_received_at_us(kT0 + static_cast<int64_t>(n) * kUsPerMessage);
      envelope.set_raw(Raw(n, patient));
      envelope.mutable_hl7()->set_control_id(fmt::format("C{}", n));
      envelope.mutable_hl7()->set_message_type("ORU^R01^ORU_R01");
      records[i] = navette::store::IngressRecord{IdOf(n), &envelope, "h", {}};
      records[i].patient.ipps = {Ipp(patient)};
      records[i].patient.ins = {Ins(patient)};
    }
    if (absl::Status committed = store.CommitIngress({records.data(), count}); !committed.ok()) {
      std::fprintf(stderr, "load: %s\n", std::string(committed.message()).c_str());
      std::exit(1);
    }
    if ((first / kBatch) % 200 == 0) {
      std::fprintf(stderr, "\rloaded %llu", static_cast<unsigned long long>(first + count));
    }
  }
  std::fprintf(stderr, "\n");
  return std::chrono::duration<double>(Clock::now() - started).count();
}

struct Figures {
  double p50_ms = 0, p99_ms = 0, mean_results = 0;
};

template <typename MakeFilter>
Figures Measure(const navette::store::Store& store, int queries, MakeFilter make) {
  std::vector<double> ms;
  double results = 0;
  for (int q = 0; q < queries; ++q) {
    SearchFilter filter = make(q);
    const auto started = Clock::now();
    auto page = store.Search(filter);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    if (!page.ok()) {
      std::fprintf(stderr, "query: %s\n", std::string(page.status().message()).c_str());
      std::exit(1);
    }
    results += static_cast<double>(page->messages.size());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], results / queries};
}

uint64_t FamilySize(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family) {
  uint64_t size = 0;
  db.GetIntProperty(family, "rocksdb.total-sst-files-size", &size);
  uint64_t memtable = 0;
  db.GetIntProperty(family, "rocksdb.cur-size-all-mem-tables", &memtable);
  return size + memtable;
}

// Each column family's share of the disk, read with a second, read-only
// handle once the store is closed.
void PrintDiskShares(const std::string& path) {
  rocksdb::Options options;
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, path, &names).ok()) return;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(options, path, descriptors, &handles, &raw).ok()) return;
  std::unique_ptr<rocksdb::DB> db(raw);
  uint64_t total = 0;
  std::vector<uint64_t> sizes;
  for (auto* handle : handles) total += sizes.emplace_back(FamilySize(*db, handle));
  std::printf("\n%-16s %12s %7s\n", "column family", "bytes", "share");
  for (size_t i = 0; i < names.size(); ++i) {
    if (sizes[i] == 0) continue;
    std::printf("%-16s %12llu %6.1f%%\n", names[i].c_str(),
                static_cast<unsigned long long>(sizes[i]), 100.0 * sizes[i] / total);
  }
  std::printf("%-16s %12llu\n", "total", static_cast<unsigned long long>(total));
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("navette search benchmark");
  app.add_option("--messages", options.messages, "Messages loaded")->capture_default_str();
  app.add_option("--patients", options.patients, "Distinct patients")->capture_default_str();
  app.add_option("--queries", options.queries, "Queries of each kind")->capture_default_str();
  app.add_option("--dir", options.dir, "Store directory (emptied first)")->capture_default_str();
  app.add_flag("--keep", options.keep, "Keep the store afterwards");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::remove_all(options.dir);
  double load_seconds = 0;
  {
    auto store = navette::store::Store::Open(options.dir);
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
      return 1;
    }
    load_seconds = Load(**store, options);
    std::printf("loaded %llu messages (%d patients) in %.0f s: %.0f messages/s\n",
                static_cast<unsigned long long>(options.messages), options.patients, load_seconds,
                options.messages / load_seconds);
    std::mt19937 random(7);
    std::uniform_int_distribution<int> patient(0, options.patients - 1);
    std::uniform_int_distribution<uint64_t> message(0, options.messages - 1);
    const int64_t days = std::max<int64_t>(1, options.messages / 1'000'000);
    std::uniform_int_distribution<int64_t> day(0, days - 1);
    const navette::store::Store& s = **store;
    const int q = options.queries;
    std::printf("\n%-44s %9s %9s %9s\n", "query (a page of 100, newest first)", "p50 ms", "p99 ms",
                "results");
    auto row = [](const char* name, const Figures& f) {
      std::printf("%-44s %9.2f %9.2f %9.1f\n", name, f.p50_ms, f.p99_ms, f.mean_results);
    };
    row("IPP", Measure(s, q, [&](int) { return SearchFilter{.ipp = Ipp(patient(random))}; }));
    row("INS", Measure(s, q, [&](int) { return SearchFilter{.ins = Ins(patient(random))}; }));
    row("MSH-10", Measure(s, q, [&](int) {
          return SearchFilter{.control_id = fmt::format("C{}", message(random))};
        }));
    row("source", Measure(s, q, [&](int) { return SearchFilter{.source = "ris"}; }));
    row("state (received)",
        Measure(s, q, [&](int) { return SearchFilter{.status = navette::store::RECEIVED}; }));
    row("time window (one hour)", Measure(s, q, [&](int) {
          const int64_t start = kT0 + day(random) * 86'400'000'000 + 3'600'000'000;
          return SearchFilter{.since_us = start, .until_us = start + 3'600'000'000};
        }));
    row("IPP + source + one day", Measure(s, q, [&](int) {
          const int64_t start = kT0 + day(random) * 86'400'000'000;
          return SearchFilter{.ipp = Ipp(patient(random)),
                              .source = "sgl",
                              .since_us = start,
                              .until_us = start + 86'400'000'000};
        }));
    row("IPP + MSH-10 (one match at most)", Measure(s, q, [&](int) {
          return SearchFilter{.ipp = Ipp(patient(random)),
                              .control_id = fmt::format("C{}", message(random))};
        }));
    row("newest, no filter", Measure(s, q, [&](int) { return SearchFilter{}; }));
    row("a page deep in the past (cursor)",
        Measure(s, q, [&](int) { return SearchFilter{.before_id = IdOf(message(random))}; }));
  }
  PrintDiskShares((std::filesystem::path(options.dir)).string());
  if (!options.keep) std::filesystem::remove_all(options.dir);
  return 0;
}
