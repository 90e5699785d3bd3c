// Reads a VIHF's attributes and checks that everything the DMP requires of
// an indirect-mode assertion is there (fr-specs §3.3), for the DMP simulator
// and for checking samples.
//
// Required, non-empty: Issuer, Subject/NameID, AuthnStatement's
// AuthnContextClassRef, and the attributes Identifiant_Structure,
// Secteur_Activite, subject-id, subject:role, purposeofuse, VIHF_Version,
// the mode attribute under the configured spelling (its value must be the
// configured mode), resource-id (`<ins>^^^&<oid>&ISO^NH`), Ressource_URN
// (= urn:dmp), LPS_Nom, LPS_Version, LPS_ID_HOMOLOGATION_DMP. LPS_ID and
// Mode_Acces_Raison are optional.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/dmp/vihf/vihf_settings.h"

namespace navette::adapters::dmp::vihf {

// Attribute name → its values, in document order. A string value is its
// trimmed text; an HL7 coded value (Role, PurposeOfUse) is `code^codeSystem`.
using VihfAttributes = std::map<std::string, std::vector<std::string>>;

absl::StatusOr<VihfAttributes> ReadVihfAttributes(std::string_view xml);

// OK when complete; otherwise InvalidArgument naming every missing or wrong
// item at once, e.g. "VIHF incomplete: attribute Authentification_mode is
// missing (an attribute \"Authentification_Mode\" is present: the spelling
// differs)".
absl::Status CheckRequiredAttributes(std::string_view xml, const VihfSettings& settings);

}  // namespace navette::adapters::dmp::vihf
