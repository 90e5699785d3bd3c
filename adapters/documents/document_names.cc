#include "adapters/documents/document_names.h"

#include "adapters/documents/meta_flags.h"

namespace navette::adapters::documents {

std::optional<navette::document::Action> ActionFromName(std::string_view name) {
  if (name == "create") return navette::document::CREATE;
  if (name == "replace") return navette::document::REPLACE;
  if (name == "delete") return navette::document::DELETE;
  return std::nullopt;
}

bool IsFlagName(std::string_view name) {
  bool value = false;
  // FlagByName compares in any case, as the producer's OBX are read;
  // configuration takes the volet's spelling only.
  for (char c : name) {
    if (c >= 'a' && c <= 'z') return false;
  }
  return FlagByName(navette::document::Flags(), name, &value);
}

std::optional<Profile> ProfileFromName(std::string_view name) {
  for (Profile profile : {Profile::kDpi, Profile::kRis, Profile::kSgl}) {
    if (ProfileName(profile) == name) return profile;
  }
  return std::nullopt;
}

}  // namespace navette::adapters::documents
