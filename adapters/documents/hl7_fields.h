// Small readers of segment fields for the contract's readers: values by
// segment occurrence, trimmed, and the ERR-2 text of a place.
#pragma once

#include <string>
#include <string_view>

#include "adapters/hl7v2/message.h"

namespace navette::adapters::documents {

// Segment `id`'s `occurrence` (1-based among the segments with that id),
// field/repetition/component/subcomponent (0 = whole), unescaped, with the
// blanks around it removed (the MDM sample pads the FINESS with no-break
// spaces); "" when absent.
std::string FieldValue(const hl7v2::Message& message, std::string_view id, int occurrence,
                       int field, int repetition = 1, int component = 0, int subcomponent = 0);

// How many segments `id` the message has.
int CountSegments(const hl7v2::Message& message, std::string_view id);

// The ERR-2 location "OBX^3^11".
std::string Location(std::string_view id, int occurrence, int field);

// ASCII case-insensitive equality.
bool SameText(std::string_view a, std::string_view b);

}  // namespace navette::adapters::documents
