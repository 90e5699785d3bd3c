// The words configuration uses for the record's values (routes' match.document):
// actions "create", "replace", "delete"; flags by their MetaDMPMSS code
// ("DESTDMP", ...); profiles "dpi", "ris", "sgl".
#pragma once

#include <optional>
#include <string_view>

#include "adapters/documents/contract.h"
#include "proto/document.pb.h"

namespace navette::adapters::documents {

// nullopt for a word that names no action.
std::optional<navette::document::Action> ActionFromName(std::string_view name);
// Whether `name` is a MetaDMPMSS flag code (exact case, as the volet writes it).
bool IsFlagName(std::string_view name);
std::optional<Profile> ProfileFromName(std::string_view name);

// The words, for error messages.
inline constexpr std::string_view kActionNames = "create, replace, delete";
inline constexpr std::string_view kFlagNames =
    "MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REP_LEGAUX, CONNEXION_SECRETE, MODIF_CONF_CODE, "
    "DESTDMP, DESTMSSANTEPS, DESTMSSANTEPAT, ACK_RECEPTION, ACK_LECTURE_MSS";
inline constexpr std::string_view kProfileNames = "dpi, ris, sgl";

}  // namespace navette::adapters::documents
