// The mssante destination and the mssante_receipts source as kinds: their
// defaults, checks, factories and traits. Registered in
// engine/builtin_kinds.cc; documented in docs/configuration.md
// (destinations[].mssante, sources[].mssante_receipts) and docs/mssante.md.
#pragma once

#include "kinds/registry.h"

namespace navette::adapters::mssante {

kinds::DestinationKind MssanteDestinationKind();
kinds::SourceKind MssanteReceiptsSourceKind();

}  // namespace navette::adapters::mssante
