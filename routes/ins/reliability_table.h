// PID-32 (identity reliability code, PAM-FR table 0445) read as an RNIV
// identity status and its attributes (fr-specs.md §1.5, §1.6).
//
// How PAM-FR 2.11 encodes the statuses "récupérée" and "qualifiée" in PID-32
// could not be verified (fr-specs.md §7): the default table is our best
// reading, and a site whose DPI writes otherwise overrides entries from its
// configuration. Whatever the table says, a code it does not know never
// qualifies an identity: the INS of an identity read as qualified leaves the
// hospital, so a guess must err towards provisional.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "proto/identity.pb.h"

namespace navette::routes::ins {

struct Reliability {
  identity::IdentityStatus status = identity::PROVISIONAL;
  bool doubtful = false;    // identité douteuse
  bool fictitious = false;  // identité fictive
};

class ReliabilityTable {
 public:
  // PROV, VIDE: provisional; RECUP: recovered; VALI: validated; QUAL:
  // qualified; DOUT (FR Core) and DOUTE: provisional and doubtful; FICT (FR
  // Core) and FICTI: provisional and fictitious.
  static ReliabilityTable Default();

  // Adds or replaces the entry for `code`.
  void Set(std::string code, Reliability reliability);

  // The reliability of a PID-32 value given as its repetitions (codes, as
  // sent: case matters). Unknown and empty codes count as provisional. The
  // status is the highest among the codes and the attributes are OR'd; a
  // doubtful or fictitious identity is provisional whatever else the codes
  // say (RNIV: such identities stay provisional and INSi is not called).
  Reliability Lookup(const std::vector<std::string>& codes) const;

 private:
  std::map<std::string, Reliability, std::less<>> entries_;
};

}  // namespace navette::routes::ins
