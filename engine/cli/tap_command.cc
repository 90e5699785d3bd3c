// `navette tap`: follows GET /v1/tap (engine/admin_tap.cc) and prints each
// event as one line, or as the engine's JSON line with --json, until
// interrupted (Ctrl-C).
//
// The connection: when it cannot be made, breaks, ends (the engine
// stopping), or stays silent for kStallSeconds (the engine sends a
// heartbeat every 5 s), one line goes to stderr ("engine unreachable,
// reconnecting") and the tap tries again, waiting 0.25 s, then twice as long
// each time up to kMaxBackoff; once through again, one line says so. Events
// committed while it was away are not shown: the tap is live, the history
// (`messages show`) keeps everything. An answer that trying again cannot
// change (a refused token, a role too low, a bad filter) ends it with the
// engine's words and exit code 1.
//
// Everything the engine sends is shown through Printable in the human form
// (names and details may quote a peer); --json lines are the engine's JSON,
// whose writer escapes control characters itself. Heartbeats are not shown.
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

#include "common/printable.h"
#include "engine/cli/admin_client.h"
#include "engine/cli/commands.h"
#include "engine/event_feed.h"
#include "proto/admin.pb.h"

namespace navette::engine::cli {
namespace {

constexpr long kStallSeconds = 15;  // three heartbeats missed
constexpr std::chrono::milliseconds kFirstBackoff{250};
constexpr std::chrono::milliseconds kMaxBackoff{4000};

// "2026-12-05T10:00:00.123Z": UTC, milliseconds.
std::string Time(const google::protobuf::Timestamp& at) {
  const std::time_t seconds = static_cast<std::time_t>(at.seconds());
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     at.nanos() / 1'000'000);
}

std::string HumanLine(const admin::TapEvent& event) {
  std::string line = fmt::format("{} {} {}", Time(event.at()), Printable(event.type(), 32),
                                 Printable(event.id(), 32));
  auto add = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) line += fmt::format(" {}={}", name, Printable(value, 200));
  };
  add("source", event.source());
  add("route", event.route());
  add("destination", event.destination());
  if (event.attempt() != 0) line += fmt::format(" attempt={}", event.attempt());
  if (event.has_next_attempt_at()) line += " next=" + Time(event.next_attempt_at());
  add("by", event.actor());
  if (!event.detail().empty()) line += "  " + Printable(event.detail(), 500);
  return line;
}

// How one connection ended.
enum class Ended {
  kLost,     // worth trying again: no connection, cut, ended, silent, 5xx, 429
  kRefused,  // trying again cannot help: `why` says what to change
};

// One connection to the tap: reads lines as they come and prints them.
class TapConnection {
 public:
  TapConnection(const AdminTarget& target, std::string url, bool json,
                std::function<void()> on_following)
      : target_(target),
        url_(std::move(url)),
        json_(json),
        on_following_(std::move(on_following)) {}

  Ended Follow(std::string& why);

 private:
  static size_t OnData(char* data, size_t size, size_t count, void* self) {
    return static_cast<TapConnection*>(self)->Take(data, size * count);
  }
  size_t Take(const char* data, size_t size);
  void PrintLine(const std::string& line);

  const AdminTarget& target_;
  const std::string url_;
  const bool json_;
  std::function<void()> on_following_;
  CURL* curl_ = nullptr;
  long status_ = 0;         // the HTTP status, once the head is in
  std::string pending_;     // a line not yet complete
  std::string error_body_;  // the answer to a refused request
};

size_t TapConnection::Take(const char* data, size_t size) {
  if (status_ == 0) {
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status_);
    if (status_ == 200) on_following_();
  }
  if (status_ != 200) {
    constexpr size_t kMaxErrorBody = 64 * 1024;
    if (error_body_.size() < kMaxErrorBody) {
      error_body_.append(data, std::min(size, kMaxErrorBody - error_body_.size()));
    }
    return size;
  }
  pending_.append(data, size);
  size_t start = 0;
  bool printed = false;
  for (size_t end; (end = pending_.find('\n', start)) != std::string::npos; start = end + 1) {
    PrintLine(pending_.substr(start, end - start));
    printed = true;
  }
  pending_.erase(0, start);
  if (pending_.size() > 1024 * 1024) return 0;  // no line is that long: not a tap
  if (printed) std::fflush(stdout);
  return size;
}

void TapConnection::PrintLine(const std::string& line) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // a newer engine may add fields
  admin::TapEvent event;
  if (google::protobuf::util::JsonStringToMessage(line, &event, options).ok() &&
      !event.id().empty()) {
    const std::string out = (json_ ? line : HumanLine(event)) + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return;
  }
  admin::TapNotice notice;
  if (!google::protobuf::util::JsonStringToMessage(line, &notice, options).ok()) return;
  if (notice.notice_case() != admin::TapNotice::kDropped) return;  // heartbeats: not shown
  const std::string out =
      json_ ? line + "\n"
            : fmt::format(
                  "{} events dropped: this tap read too slowly, and the engine does not "
                  "wait (`messages show ID` has every event)\n",
                  notice.dropped());
  std::fwrite(out.data(), 1, out.size(), stdout);
}

Ended TapConnection::Follow(std::string& why) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    why = "cannot initialise libcurl";
    return Ended::kLost;
  }
  curl_ = curl.get();
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  if (!target_.token.empty()) {
    headers.reset(curl_slist_append(nullptr, ("Authorization: Bearer " + target_.token).c_str()));
  }
  curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, OnData);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  // No overall timeout: the stream lasts. A stalled one (no heartbeat) is
  // given up instead.
  curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, kStallSeconds);
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  // HTTPS as every other command (engine/cli/admin_client.cc).
  curl_easy_setopt(curl_, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!target_.ca_file.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, target_.ca_file.c_str());
  if (!target_.cert_file.empty()) {
    curl_easy_setopt(curl_, CURLOPT_SSLCERT, target_.cert_file.c_str());
    curl_easy_setopt(curl_, CURLOPT_SSLKEY,
                     (target_.key_file.empty() ? target_.cert_file : target_.key_file).c_str());
  }
  char error_text[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_text);
  const CURLcode code = curl_easy_perform(curl_);
  std::fflush(stdout);
  if (status_ == 0) curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status_);

  if (status_ == 200 || status_ == 0) {
    if (status_ == 200 && code == CURLE_OPERATION_TIMEDOUT) {
      why = fmt::format("nothing heard for {} s", kStallSeconds);
    } else if (status_ == 200) {
      // Ended cleanly or cut: the engine stopping does either.
      why = "the engine closed the connection";
    } else {
      why = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
    }
    return Ended::kLost;
  }
  admin::ErrorResponse error;
  std::string said = fmt::format("HTTP {}", status_);
  if (google::protobuf::util::JsonStringToMessage(error_body_, &error).ok() &&
      !error.error().empty()) {
    said = fmt::format("{} (HTTP {})", Printable(error.error()), status_);
  }
  if (status_ == 401) {
    why = target_.token.empty()
              ? fmt::format("no admin token: {}; pass --data-dir or --token", target_.token_search)
              : fmt::format("the admin API at {} refused the token from {} (401)", target_.url,
                            target_.token_origin);
    return Ended::kRefused;
  }
  if (status_ == 404) {
    why = fmt::format("{} has no live tap (HTTP 404): is it an older engine?", target_.url);
    return Ended::kRefused;
  }
  why = said;
  return status_ >= 500 || status_ == 429 || status_ == 408 ? Ended::kLost : Ended::kRefused;
}

}  // namespace

int RunTap(const TapOptions& options) {
  // The kinds are checked here too, so that a typo is told before any
  // connection, with the list to choose from.
  if (auto types = ParseEventTypes(options.state); !types.ok()) {
    std::cerr << "navette tap: --state: " << types.status().message() << "\n";
    return 1;
  }
  auto target = ResolveAdminTarget(options.admin);
  if (!target.ok()) {
    std::cerr << "navette tap: " << target.status().message() << "\n";
    return 1;
  }
  std::string query;
  auto add = [&](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    query += fmt::format("{}{}={}", query.empty() ? "?" : "&", name, UrlEncode(value));
  };
  add("source", options.source);
  add("route", options.route);
  add("destination", options.destination);
  add("state", options.state);
  const std::string url = target->url + "/v1/tap" + query;

  bool followed = false;  // once connected
  bool away = false;      // an outage was announced and is not over
  std::chrono::milliseconds backoff = kFirstBackoff;
  for (;;) {
    TapConnection connection(*target, url, options.json, [&] {
      // On stderr, so that stdout holds events only; a script waits for it
      // to know that what it does next will be seen.
      if (!followed) {
        std::cerr << fmt::format("navette tap: following events at {} (Ctrl-C to stop)",
                                 target->url)
                  << std::endl;
      } else if (away) {
        std::cerr << "navette tap: following again; events committed meanwhile are not shown "
                     "(`messages list` and `messages show` have them)"
                  << std::endl;
      }
      followed = true;
      away = false;
      backoff = kFirstBackoff;
    });
    std::string why;
    if (connection.Follow(why) == Ended::kRefused) {
      std::cerr << "navette tap: " << why << "\n";
      return 1;
    }
    if (!away) {
      std::cerr << fmt::format("navette tap: engine unreachable, reconnecting ({}: {})",
                               target->url, why)
                << std::endl;
      away = true;
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace navette::engine::cli
