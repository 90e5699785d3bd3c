// Fills in the defaults that proto/config.proto documents, so that the rest
// of the engine reads every setting from the Config without knowing them.
// A kind's own settings take their defaults from its row in the registry
// (kinds/registry.h: apply_defaults, and traits.default_max_in_flight for a
// destination's delivery.max_in_flight); the defaults here are the
// engine's and those common to every kind.
//
// proto3 cannot tell an unset number from 0, so a number left at 0 takes its
// default (none of them has a useful 0; where 0 means "no limit" the default
// is 0 too). Durations are messages, so they
// take their default only when absent, and "0s" keeps its meaning of
// "disabled".
#pragma once

#include <cstdint>
#include <string_view>

#include "kinds/registry.h"
#include "proto/config.pb.h"

namespace navette::engine::config {

inline constexpr std::string_view kDefaultAdminListen = "127.0.0.1:8575";
inline constexpr uint32_t kDefaultAdminMaxConnections = 256;
inline constexpr uint32_t kDefaultAdminMaxConnectionsPerPeer = 16;
inline constexpr int64_t kDefaultAdminRequestTimeoutSeconds = 10;
// A client of the HTTPS admin API finishes its handshake within this.
inline constexpr int64_t kDefaultAdminTlsHandshakeTimeoutSeconds = 10;
// A storm of one warning shows its first lines, then a count every 10 s.
inline constexpr int64_t kDefaultLogRepeatWindowSeconds = 10;
inline constexpr uint32_t kDefaultLogRepeatLimit = 5;
inline constexpr uint64_t kDefaultAdminMaxBodyBytes = 64 * 1024;
inline constexpr uint32_t kDefaultIngressMaxBatch = 512;
// Retention (docs/retention.md): a month of delivered messages, three of
// dead letters, a year of audit; the task runs hourly.
inline constexpr int64_t kDaySeconds = 86'400;
inline constexpr int64_t kDefaultRetentionDays = 30;
inline constexpr int64_t kDefaultDeadRetentionDays = 90;
inline constexpr int64_t kDefaultAuditRetentionDays = 365;
inline constexpr int64_t kDefaultRetentionIntervalSeconds = 3'600;

inline constexpr int64_t kDefaultRetransmissionWindowSeconds = 24 * 3600;
// engine.disk: 1 GiB covers what the store writes while intake is paused
// (a WAL of up to 256 MiB, memtable flushes of up to 64 MiB, compactions)
// whatever the volume's size, which a share of it would not on a small one.
inline constexpr uint64_t kDefaultDiskMinFreeMib = 1024;
inline constexpr int64_t kDefaultDiskCheckIntervalSeconds = 5;
inline constexpr std::string_view kDefaultCharset = "UNICODE UTF-8";
inline constexpr std::string_view kDefaultPracticeSettingCode = "ETABLISSEMENT";  // JDV_J04
inline constexpr std::string_view kDefaultPracticeSettingDisplay = "Etablissement de santé";

// Idempotent. Does not validate: checks.h does. A component whose kind is
// not set or not in `kinds` gets only the common defaults.
void ApplyDefaults(navette::config::Config& config, const kinds::KindRegistry& kinds);

}  // namespace navette::engine::config
