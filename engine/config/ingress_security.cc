#include "engine/config/ingress_security.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>

#include <fmt/format.h>

#include "engine/config/source_map.h"

namespace navette::engine::config {
namespace {

using adapters::bus::CheckCurveKey;
using adapters::bus::ReadCurveKeyFile;
using adapters::bus::ReadCurveSecretKeyFile;
using Severity = ConfigError::Severity;

constexpr char kTcp[] = "tcp://";
constexpr char kIpc[] = "ipc://";

// The host of "tcp://host:port", brackets included; empty without a port.
std::string_view TcpHost(std::string_view endpoint) {
  std::string_view address = endpoint.substr(std::string_view(kTcp).size());
  const size_t colon = address.rfind(':');
  if (colon == address.npos) return {};
  return address.substr(0, colon);
}

void AddUnique(std::vector<std::string>& keys, const std::string& key) {
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") return true;
  const std::string text(host);
  in_addr v4;
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  return ::inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

BusSecurity SecurityOf(const navette::config::Ingress& ingress, std::string_view endpoint) {
  if (!endpoint.starts_with(kTcp)) return BusSecurity::kPlain;
  if (ingress.allow_plain_loopback() && IsLoopbackHost(TcpHost(endpoint))) {
    return BusSecurity::kPlain;
  }
  return BusSecurity::kCurve;
}

void CheckIngress(const navette::config::Ingress& ingress, const IngressReport& report) {
  const std::string bind_path = "engine.ingress.bind";
  bool any_curve = false;
  for (int i = 0; i < ingress.bind_size(); ++i) {
    const std::string& endpoint = ingress.bind(i);
    const std::string path = IndexPathJoin(bind_path, i);
    bool known_scheme = endpoint.starts_with(kTcp) || endpoint.starts_with(kIpc);
    if (!known_scheme || endpoint.size() == 6) {
      report(path,
             fmt::format("engine.ingress.bind: invalid endpoint '{}' (expected tcp://host:port "
                         "or ipc://path, e.g. \"tcp://127.0.0.1:5571\")",
                         endpoint),
             Severity::kError);
      continue;
    }
    if (SecurityOf(ingress, endpoint) != BusSecurity::kCurve) continue;
    any_curve = true;
    if (!ingress.has_curve()) {
      report(path,
             fmt::format("engine.ingress.bind: '{}' needs engine.ingress.curve (keys from "
                         "`navette keys new`); plain tcp is allowed only on a loopback address, "
                         "with allow_plain_loopback: true",
                         endpoint),
             Severity::kError);
    }
  }
  if (!ingress.has_curve()) return;

  const navette::config::IngressCurve& curve = ingress.curve();
  const std::string curve_path = "engine.ingress.curve";
  if (!any_curve) {
    report(curve_path,
           "engine.ingress.curve is set but no engine.ingress.bind endpoint takes CURVE "
           "(ipc:// and, with allow_plain_loopback, loopback tcp:// are plain)",
           Severity::kWarning);
  }
  if (curve.secret_key_file().empty()) {
    report(curve_path,
           "engine.ingress.curve: secret_key_file is required (the engine's secret key, from "
           "`navette keys new`)",
           Severity::kError);
  } else if (auto secret = ReadCurveSecretKeyFile(curve.secret_key_file()); !secret.ok()) {
    report(FieldPathJoin(curve_path, "secret_key_file"),
           fmt::format("engine.ingress.curve.secret_key_file: {}",
                       std::string(secret.status().message())),
           Severity::kError);
  }

  bool any_key = false;
  bool keys_unknown = false;  // a file that could not be read may hold some
  const std::string keys_path = FieldPathJoin(curve_path, "authorized_keys");
  for (int i = 0; i < curve.authorized_keys_size(); ++i) {
    absl::Status valid = CheckCurveKey(curve.authorized_keys(i));
    if (valid.ok()) {
      any_key = true;
      continue;
    }
    report(IndexPathJoin(keys_path, i),
           fmt::format("{}: {}", IndexPathJoin(keys_path, i), std::string(valid.message())),
           Severity::kError);
    keys_unknown = true;
  }
  if (!curve.authorized_keys_file().empty()) {
    auto keys = ReadCurveKeyFile(curve.authorized_keys_file());
    if (!keys.ok()) {
      report(FieldPathJoin(curve_path, "authorized_keys_file"),
             fmt::format("engine.ingress.curve.authorized_keys_file: {}",
                         std::string(keys.status().message())),
             Severity::kError);
      keys_unknown = true;
    } else {
      any_key = any_key || !keys->empty();
    }
  }
  if (!any_key && !keys_unknown) {
    report(curve_path,
           "engine.ingress.curve: no authorized key (authorized_keys or authorized_keys_file): "
           "no adapter could publish",
           Severity::kError);
  }
}

absl::StatusOr<IngressCurveKeys> ReadIngressCurveKeys(const navette::config::IngressCurve& curve) {
  IngressCurveKeys keys;
  auto secret = ReadCurveSecretKeyFile(curve.secret_key_file());
  if (!secret.ok()) {
    return absl::Status(secret.status().code(),
                        fmt::format("engine.ingress.curve.secret_key_file: {}",
                                    std::string(secret.status().message())));
  }
  keys.server = std::move(*secret);
  for (const std::string& key : curve.authorized_keys()) {
    if (absl::Status valid = CheckCurveKey(key); !valid.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("engine.ingress.curve.authorized_keys: {}", std::string(valid.message())));
    }
    AddUnique(keys.authorized, key);
  }
  if (!curve.authorized_keys_file().empty()) {
    auto from_file = ReadCurveKeyFile(curve.authorized_keys_file());
    if (!from_file.ok()) {
      return absl::Status(from_file.status().code(),
                          fmt::format("engine.ingress.curve.authorized_keys_file: {}",
                                      std::string(from_file.status().message())));
    }
    for (const std::string& key : *from_file) AddUnique(keys.authorized, key);
  }
  if (keys.authorized.empty()) {
    return absl::InvalidArgumentError("engine.ingress.curve: no authorized key");
  }
  return keys;
}

}  // namespace navette::engine::config
