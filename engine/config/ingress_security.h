// The bus's security rule (engine.ingress, docs/configuration.md), written
// once for `check` and `serve`: which of the ingress endpoints take CURVE,
// what a configuration must hold for them, and the keys the engine reads.
//
//   endpoint in engine.ingress.bind                     security
//   --------------------------------------------------  ----------------------------------
//   ipc://path                                           plain: the socket file's mode
//                                                        (the engine's umask) guards it
//   tcp:// on a loopback host, allow_plain_loopback      plain
//   any other tcp://                                     CURVE: requires engine.ingress.curve
//
// Loopback hosts are 127.0.0.0/8, ::1 (with or without brackets) and
// "localhost"; a wildcard ("*", "0.0.0.0") or an interface name is not one.
// With `curve` set and allow_plain_loopback true, loopback endpoints stay
// plain and the others take CURVE: one engine may serve local adapters
// plain and remote ones with keys.
//
// What `check` reports (each at its key, also by `serve`, which runs the
// checks before starting):
//   - an endpoint that is neither tcp:// nor ipc://;
//   - a CURVE endpoint without engine.ingress.curve;
//   - curve without secret_key_file; a secret key file that cannot be read,
//     holds no single valid key, or that other users may read;
//   - an authorized key that is not 40 Z85 characters; an authorized keys
//     file that cannot be read or holds a line that is not a key;
//   - curve with no authorized key at all (no adapter could publish);
//   - a warning: curve set but no endpoint takes CURVE.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/bus/curve_keys.h"
#include "engine/config/config_error.h"
#include "proto/config.pb.h"

namespace navette::engine::config {

enum class BusSecurity { kPlain, kCurve };

// Whether `host` (of a tcp:// endpoint, brackets allowed) is a loopback one.
bool IsLoopbackHost(std::string_view host);

// The security of one endpoint of engine.ingress.bind (the table above).
// Endpoints of another scheme count as kPlain: `check` refuses them.
BusSecurity SecurityOf(const navette::config::Ingress& ingress, std::string_view endpoint);

// Reports at a configuration path ("engine.ingress.bind[1]").
using IngressReport = std::function<void(const std::string& path, std::string message,
                                         ConfigError::Severity severity)>;

// The checks above, on engine.ingress after defaults.
void CheckIngress(const navette::config::Ingress& ingress, const IngressReport& report);

// What the engine's CURVE endpoints need: its key pair, and the public keys
// of the adapters allowed (inline and from the file, without duplicates).
struct IngressCurveKeys {
  adapters::bus::CurveKeyPair server = {};
  std::vector<std::string> authorized = {};
};
// Reads them as `serve` uses them; the first error, naming its setting.
absl::StatusOr<IngressCurveKeys> ReadIngressCurveKeys(const navette::config::IngressCurve& curve);

}  // namespace navette::engine::config
