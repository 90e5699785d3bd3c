#include "engine/builtin_kinds.h"

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "adapters/dmp/dmp_kind.h"
#include "adapters/file/file_kind.h"
#include "adapters/http/http_kind.h"
#include "adapters/mllp/mllp_destination_kind.h"
#include "adapters/mllp/mllp_source_kind.h"
#include "adapters/mssante/mss_kind.h"
#include "common/fmt_absl.h"
#include "routes/cda/build_cda_kind.h"
#include "routes/codes/map_codes_kind.h"
#include "routes/ins/attach_ins_kind.h"
#include "routes/ins/identity_feed_kind.h"

namespace navette::engine {
namespace {

// A row the registry refuses is a programming error in this table.
template <typename Kind>
[[maybe_unused]] void Register(kinds::KindRegistry& registry, Kind kind) {
  std::string name = kind.name;
  if (absl::Status added = registry.Add(std::move(kind)); !added.ok()) {
    spdlog::critical("kind '{}': {}", name, added.message());
    std::abort();
  }
}

kinds::KindRegistry MakeBuiltinKinds() {
  kinds::KindRegistry registry;
  // Sources.
  Register(registry, adapters::mllp::MllpSourceKind());
  Register(registry, adapters::mssante::MssanteReceiptsSourceKind());
  // Steps.
  Register(registry, routes::ins::IdentityFeedKind());
  Register(registry, routes::ins::AttachInsKind());
  Register(registry, routes::cda::BuildCdaKind());
  Register(registry, routes::codes::MapCodesKind());
  // Destinations.
  Register(registry, adapters::file::FileDestinationKind());
  Register(registry, adapters::http::HttpDestinationKind());
  Register(registry, adapters::mllp::MllpDestinationKind());
  Register(registry, adapters::dmp::DmpDestinationKind());
  Register(registry, adapters::mssante::MssanteDestinationKind());
  return registry;
}

}  // namespace

const kinds::KindRegistry& BuiltinKinds() {
  static const kinds::KindRegistry registry = MakeBuiltinKinds();
  return registry;
}

}  // namespace navette::engine
