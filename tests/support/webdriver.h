// A W3C WebDriver client for browser tests: Debian's chromedriver, started
// on a loopback port, drives Chromium headless; commands go over HTTP with
// libcurl and JSON. No Selenium: the tests need a dozen commands, the network
// log and the console, and a C++ client keeps them in one process with the
// engine and the HTTP servers they check.
//
// chromedriver and everything it starts run in a process group of their own,
// so that a test that fails half-way never leaves a browser behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace navette::testing {

// Debian's chromedriver (package chromium-driver); a browser test skips
// where it is absent, saying so.
inline constexpr char kChromedriverPath[] = "/usr/bin/chromedriver";
bool ChromedriverAvailable();

class Chromedriver {
 public:
  // Starts chromedriver on a free loopback port and waits until its /status
  // says ready.
  static absl::StatusOr<std::unique_ptr<Chromedriver>> Start(
      std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // SIGTERM to the whole group (chromedriver and any Chromium it left), then
  // SIGKILL to what is still there.
  ~Chromedriver();
  Chromedriver(const Chromedriver&) = delete;
  Chromedriver& operator=(const Chromedriver&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string Log() const;  // chromedriver's stdout and stderr so far

 private:
  Chromedriver(std::filesystem::path dir, uint16_t port, pid_t pid)
      : dir_(std::move(dir)), port_(port), pid_(pid) {}
  void Kill();

  std::filesystem::path dir_;  // its log; removed with it
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

struct BrowserOptions {
  // navigator.language and the Accept-Language the browser sends (the
  // intl.accept_languages preference), and --lang; empty: Chromium's own.
  std::string lang = "en-US";
  std::string chromium = "/usr/bin/chromium";
  // How long Navigate waits for the load event before it fails.
  std::chrono::milliseconds page_load_timeout = std::chrono::seconds(30);
};

// One line of the browser's console log. A Content Security Policy
// violation has source "security", level SEVERE, and a message saying the
// resource or inline code "violates the following Content Security Policy
// directive" (Chromium 156; older versions began with "Refused to").
struct BrowserLogEntry {
  std::string level;   // SEVERE, WARNING, INFO, DEBUG
  std::string source;  // console-api, security, network, javascript...
  std::string message;
};

// A WebDriver session: one headless Chromium with a fresh profile. Every
// command returns the WebDriver error and its message when it fails, so
// that a failing test says what the browser said. Should not outlive the
// Chromedriver it was opened on (if it does, it only removes its profile).
class Browser {
 public:
  static absl::StatusOr<std::unique_ptr<Browser>> Open(const Chromedriver& driver,
                                                       const BrowserOptions& options = {});
  ~Browser();  // deletes the session (Chromium quits) and the profile
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  const std::string& session_id() const { return session_id_; }

  // Waits for the page's load event (not for scripts it starts later).
  absl::Status Navigate(const std::string& url);
  absl::StatusOr<std::string> CurrentUrl();
  absl::StatusOr<std::string> Title();

  // Elements are found by CSS selector; an id is WebDriver's reference to
  // an element, valid until the page changes.
  absl::StatusOr<std::string> Find(const std::string& css);  // NotFound if none
  absl::StatusOr<std::vector<std::string>> FindAll(const std::string& css);
  absl::StatusOr<bool> IsPresent(const std::string& css);
  absl::Status Click(const std::string& css);
  // Clears the field, then sends `text` as key strokes (events fire).
  absl::Status Type(const std::string& css, const std::string& text);
  absl::StatusOr<std::string> Text(const std::string& css);  // as rendered
  // The HTML attribute; NotFound if the element has none.
  absl::StatusOr<std::string> Attribute(const std::string& css, const std::string& name);
  // The DOM property (value, checked, ...), as JSON: it may be a bool.
  absl::StatusOr<nlohmann::json> Property(const std::string& css, const std::string& name);

  // Runs `js` as a function body: `arguments[i]` are `args`, what it
  // returns comes back as JSON.
  absl::StatusOr<nlohmann::json> ExecuteScript(
      const std::string& js, const nlohmann::json& args = nlohmann::json::array());
  absl::Status SetSessionStorage(const std::string& key, const std::string& value);

  // Polls `condition` every 50 ms until it holds; DeadlineExceeded after
  // `timeout`.
  absl::Status WaitUntil(const std::function<bool()>& condition,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Until an element matches `css`.
  absl::Status WaitFor(const std::string& css,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Until the element's text satisfies `predicate`, or contains `expected`.
  // A browser error other than a missing or replaced element ends the wait
  // at once: it would not go away by waiting.
  absl::Status WaitForText(const std::string& css,
                           const std::function<bool(const std::string&)>& predicate,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));
  absl::Status WaitForText(const std::string& css, const std::string& expected,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // alert(), confirm() and prompt(): the session leaves them open (the
  // unhandled prompt behaviour is "ignore") until one of these, which wait
  // up to `timeout` for one to appear; NotFound if none does.
  absl::StatusOr<std::string> AlertText(
      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  absl::Status AcceptAlert(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  absl::Status DismissAlert(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // The window's outer size in pixels (the viewport is smaller by the
  // browser's own frame); headless, it may be taller than any screen.
  absl::Status SetWindowSize(int width, int height);

  // PNG files: the viewport, or one element (clipped to the viewport).
  absl::Status Screenshot(const std::filesystem::path& path);
  absl::Status ElementScreenshot(const std::string& css, const std::filesystem::path& path);

  // The URL of every request the pages made (Network.requestWillBeSent in
  // the performance log), in order, since the session opened or ClearLogs.
  // Chromium itself asks for /favicon.ico some time after the load unless
  // the page links an icon (one its CSP allows); that request is listed too.
  absl::StatusOr<std::vector<std::string>> NetworkRequests();
  // The console, including CSP violations, over the same span.
  absl::StatusOr<std::vector<BrowserLogEntry>> BrowserLog();
  // Forgets both logs so far.
  absl::Status ClearLogs();

 private:
  Browser(uint16_t port, std::filesystem::path profile, std::chrono::milliseconds command_timeout)
      : port_(port), profile_(std::move(profile)), command_timeout_(command_timeout) {}
  // One WebDriver command on this session: `method` GET, POST or DELETE,
  // `path` after /session/{id}; returns the response's "value".
  absl::StatusOr<nlohmann::json> Command(const std::string& method, const std::string& path,
                                         const nlohmann::json& body = nullptr);
  absl::StatusOr<nlohmann::json> ElementCommand(const std::string& css, const std::string& method,
                                                const std::string& what,
                                                const nlohmann::json& body = nullptr);
  // Like WaitUntil, for a probe that can fail: an error stops the wait.
  absl::Status Poll(const std::function<absl::StatusOr<bool>()>& probe,
                    std::chrono::milliseconds timeout, const std::string& what);
  absl::StatusOr<std::string> HandleAlert(const std::string& action,
                                          std::chrono::milliseconds timeout);
  // Moves chromedriver's log buffers (which a read empties) into ours.
  absl::Status DrainLogs();

  uint16_t port_ = 0;
  std::filesystem::path profile_;  // --user-data-dir
  // How long one command may take over HTTP: longer than a page load, so
  // that chromedriver's own timeout, with its message, comes first.
  std::chrono::milliseconds command_timeout_;
  std::string session_id_;
  std::vector<std::string> network_requests_;
  std::vector<BrowserLogEntry> browser_log_;
};

}  // namespace navette::testing
