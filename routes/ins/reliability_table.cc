#include "routes/ins/reliability_table.h"

#include <utility>

namespace navette::routes::ins {

ReliabilityTable ReliabilityTable::Default() {
  ReliabilityTable table;
  table.Set("PROV", {identity::PROVISIONAL});
  table.Set("VIDE", {identity::PROVISIONAL});
  table.Set("RECUP", {identity::RECOVERED});
  table.Set("VALI", {identity::VALIDATED});
  table.Set("QUAL", {identity::QUALIFIED});
  // DOUT and FICT are FR Core's spellings; DOUTE and FICTI are kept because
  // they were asked for, though no published source uses them.
  for (const char* doubtful : {"DOUT", "DOUTE"}) {
    table.Set(doubtful, {identity::PROVISIONAL, /*doubtful=*/true});
  }
  for (const char* fictitious : {"FICT", "FICTI"}) {
    table.Set(fictitious, {identity::PROVISIONAL, /*doubtful=*/false, /*fictitious=*/true});
  }
  return table;
}

void ReliabilityTable::Set(std::string code, Reliability reliability) {
  entries_.insert_or_assign(std::move(code), reliability);
}

Reliability ReliabilityTable::Lookup(const std::vector<std::string>& codes) const {
  Reliability result;
  for (const std::string& code : codes) {
    auto entry = entries_.find(code);
    if (entry == entries_.end()) continue;  // unknown: provisional, the floor
    const Reliability& found = entry->second;
    // The statuses are numbered in order of trust, PROVISIONAL lowest; an
    // entry set with IDENTITY_STATUS_UNSPECIFIED stays below the floor.
    if (found.status > result.status) result.status = found.status;
    result.doubtful = result.doubtful || found.doubtful;
    result.fictitious = result.fictitious || found.fictitious;
  }
  if (result.doubtful || result.fictitious) result.status = identity::PROVISIONAL;
  return result;
}

}  // namespace navette::routes::ins
