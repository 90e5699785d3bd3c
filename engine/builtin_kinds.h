// The kinds of source, step and destination this build of navette knows:
// the registration table (kinds/registry.h), one line per kind.
#pragma once

#include "kinds/registry.h"

namespace navette::engine {

// Built once, on first use; lives for the whole process.
const kinds::KindRegistry& BuiltinKinds();

}  // namespace navette::engine
