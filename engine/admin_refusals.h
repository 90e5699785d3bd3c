// The admin listener's refusals, logged as one line per kind with a count,
// at most once a period: a flood of connections must not become a flood of
// log lines too. The first refusal after a quiet period is logged at once;
// later ones are counted and reported with the next line of their kind
// (so the count is "since the previous line", which the line says).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace navette::engine {

class AdminRefusals {
 public:
  enum Kind {
    kOverMaxConnections,  // 503, closed unread
    kOverPeerShare,       // 429 to a request without a token
    kRequestTimeout,      // 408, the request not sent in time
    kTooLarge,            // 413, a body or head over the limit
    kTlsHandshake,        // HTTPS: the client failed the TLS handshake
    kKindCount,
  };
  using Clock = std::chrono::steady_clock;

  explicit AdminRefusals(Clock::duration period = std::chrono::seconds(10)) : period_(period) {}

  // `why` says what went wrong with the last one, when the kind alone does
  // not (a TLS handshake's reason); never anything the client sent.
  void Count(Kind kind, const std::string& peer, std::string_view why = {}) {
    std::lock_guard lock(mu_);
    Tally& tally = tallies_[kind];
    ++tally.count;
    const Clock::time_point now = Clock::now();
    if (tally.logged && now - tally.last_logged < period_) return;
    spdlog::warn("admin API: {} {} since the previous such line (the last from {}{}{})",
                 tally.count, kWhat[kind], peer, why.empty() ? "" : ": ", why);
    tally = Tally{0, now, true};
  }

 private:
  struct Tally {
    uint64_t count = 0;
    Clock::time_point last_logged{};
    bool logged = false;
  };
  static constexpr std::array<const char*, kKindCount> kWhat = {
      "connection(s) refused unread over engine.admin.max_connections",
      "request(s) without a token refused (429) over engine.admin.max_connections_per_peer",
      "request(s) not sent within engine.admin.request_timeout (408)",
      "request(s) refused as too large (413)",
      "connection(s) refused at the TLS handshake",
  };

  const Clock::duration period_;
  std::mutex mu_;
  std::array<Tally, kKindCount> tallies_{};  // guarded by mu_
};

}  // namespace navette::engine
