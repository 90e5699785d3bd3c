// Browser: a WebDriver session over HTTP (tests/support/webdriver.h).
#include <curl/curl.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "absl/strings/escaping.h"
#include "tests/support/engine_process.h"
#include "tests/support/webdriver.h"

namespace navette::testing {
namespace {

using nlohmann::json;

// The key under which W3C WebDriver returns an element's reference.
constexpr char kElementKey[] = "element-6066-11e4-a52e-4f735466cecf";

size_t AppendToString(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// A WebDriver error as an absl::Status whose code a caller can test: a
// missing element or alert is NotFound, a replaced one Aborted (both worth
// waiting out), a timeout DeadlineExceeded.
absl::Status WebDriverError(const std::string& request, const std::string& error,
                            std::string message) {
  // chromedriver appends "\n  (Session info: chrome=...)" and a native
  // stack trace (which we drop) to every message.
  if (const size_t end = message.find("\n  (Session info"); end != std::string::npos) {
    message.resize(end);
  }
  const std::string text = message.rfind(error, 0) == 0
                               ? fmt::format("{}: {}", request, message)
                               : fmt::format("{}: {}: {}", request, error, message);
  if (error.rfind("no such ", 0) == 0) return absl::NotFoundError(text);
  if (error == "stale element reference") return absl::AbortedError(text);
  if (error == "timeout" || error == "script timeout") return absl::DeadlineExceededError(text);
  if (error == "invalid argument" || error == "invalid selector") {
    return absl::InvalidArgumentError(text);
  }
  return absl::FailedPreconditionError(text);
}

// One WebDriver request to chromedriver; returns the response's "value". A
// null `body` sends none (GET, DELETE).
absl::StatusOr<json> WebDriverRequest(uint16_t port, const std::string& method,
                                      const std::string& path, const json& body,
                                      std::chrono::milliseconds timeout) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  const std::string url = fmt::format("http://127.0.0.1:{}{}", port, path);
  const std::string request = fmt::format("WebDriver {} {}", method, path);
  const std::string payload = body.is_null() ? "" : body.dump();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  // Otherwise curl asks "Expect: 100-continue" before a body over 1 KB (a
  // long script) and may wait a second for the answer.
  headers = curl_slist_append(headers, "Expect:");
  std::string response;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.is_null()) {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, payload.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(payload.size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, AppendToString);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  const CURLcode code = curl_easy_perform(curl.get());
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    return absl::UnavailableError(fmt::format("{}: {}", request, curl_easy_strerror(code)));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  json reply = json::parse(response, nullptr, /*allow_exceptions=*/false);
  if (!reply.is_object() || !reply.contains("value")) {
    return absl::InternalError(
        fmt::format("{}: HTTP {} without a WebDriver reply: {}", request, status, response));
  }
  json& value = reply["value"];
  if (status != 200 || (value.is_object() && value.contains("error"))) {
    const std::string error = value.is_object() ? value.value("error", "unknown error") : "";
    const std::string message = value.is_object() ? value.value("message", "") : value.dump();
    return WebDriverError(request, error.empty() ? fmt::format("HTTP {}", status) : error, message);
  }
  return std::move(value);
}

absl::Status WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::InternalError(fmt::format("cannot write {}", path.string()));
  return absl::OkStatus();
}

// A screenshot's "value" is the PNG in base64.
absl::Status WriteBase64Png(const absl::StatusOr<json>& value, const std::filesystem::path& path) {
  if (!value.ok()) return value.status();
  std::string png;
  if (!value->is_string() || !absl::Base64Unescape(value->get<std::string>(), &png)) {
    return absl::InternalError("screenshot: the reply is not base64");
  }
  return WriteFile(path, png);
}

absl::StatusOr<std::string> AsString(absl::StatusOr<json> value, const std::string& what) {
  if (!value.ok()) return value.status();
  if (!value->is_string()) {
    return absl::InternalError(fmt::format("{}: not a string: {}", what, value->dump()));
  }
  return value->get<std::string>();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Browser>> Browser::Open(const Chromedriver& driver,
                                                       const BrowserOptions& options) {
  char profile_template[] = "/tmp/navette-chromium-XXXXXX";
  if (::mkdtemp(profile_template) == nullptr) {
    return absl::InternalError("cannot create a profile directory under /tmp");
  }
  // Created first, so that its destructor removes the profile whatever fails.
  std::unique_ptr<Browser> browser(new Browser(
      driver.port(), profile_template, options.page_load_timeout + std::chrono::seconds(30)));
  json args =
      json::array({"--headless=new", "--disable-gpu", "--disable-dev-shm-usage",
                   "--window-size=1366,900", "--user-data-dir=" + browser->profile_.string()});
  // Chromium refuses to start its sandbox as root (containers, CI); as any
  // other user the sandbox stays on.
  if (::geteuid() == 0) args.push_back("--no-sandbox");
  // A start page of about:blank: by default Debian's Chromium opens its
  // new-tab page, which fetches a dozen chrome:// resources and tries
  // https://start.duckduckgo.com/, all of which would land in the network
  // log (and leave the machine). chromedriver turns a URL among the
  // arguments into a flag ("--about:blank"), so the preference it is.
  json prefs = {
      {"session", {{"restore_on_startup", 4}, {"startup_urls", json::array({"about:blank"})}}}};
  if (!options.lang.empty()) {
    args.push_back("--lang=" + options.lang);
    // In headless Chromium (156, tried) --lang alone changes neither
    // navigator.language nor Accept-Language: this preference sets both.
    prefs["intl"] = {{"accept_languages", options.lang}};
  }
  const json capabilities = {
      {"browserName", "chrome"},
      // alert() stays open until the test handles it, instead of being
      // dismissed by whichever command comes next.
      {"unhandledPromptBehavior", "ignore"},
      {"timeouts", {{"pageLoad", options.page_load_timeout.count()}, {"script", 30000}}},
      {"goog:chromeOptions", {{"binary", options.chromium}, {"args", args}, {"prefs", prefs}}},
      {"goog:loggingPrefs", {{"performance", "ALL"}, {"browser", "ALL"}}}};
  auto session = WebDriverRequest(browser->port_, "POST", "/session",
                                  {{"capabilities", {{"alwaysMatch", capabilities}}}},
                                  browser->command_timeout_);
  if (!session.ok()) return session.status();
  browser->session_id_ = session->value("sessionId", "");
  if (browser->session_id_.empty()) {
    return absl::InternalError("WebDriver POST /session: no sessionId in " + session->dump());
  }
  // Whatever the browser logged while it started is not the test's.
  if (absl::Status cleared = browser->ClearLogs(); !cleared.ok()) return cleared;
  return browser;
}

Browser::~Browser() {
  if (!session_id_.empty()) {
    (void)WebDriverRequest(port_, "DELETE", "/session/" + session_id_, nullptr, command_timeout_);
  }
  // Chromium may still be flushing its profile as it exits.
  testing::WaitFor(
      [&] {
        std::error_code error;
        std::filesystem::remove_all(profile_, error);
        return !std::filesystem::exists(profile_, error);
      },
      std::chrono::seconds(5));
}

absl::StatusOr<json> Browser::Command(const std::string& method, const std::string& path,
                                      const json& body) {
  return WebDriverRequest(port_, method, "/session/" + session_id_ + path, body, command_timeout_);
}

absl::Status Browser::Navigate(const std::string& url) {
  return Command("POST", "/url", {{"url", url}}).status();
}

absl::StatusOr<std::string> Browser::CurrentUrl() {
  return AsString(Command("GET", "/url"), "url");
}

absl::StatusOr<std::string> Browser::Title() { return AsString(Command("GET", "/title"), "title"); }

absl::StatusOr<std::string> Browser::Find(const std::string& css) {
  auto element = Command("POST", "/element", {{"using", "css selector"}, {"value", css}});
  if (!element.ok()) return element.status();
  return AsString(element->value(kElementKey, json()), "element " + css);
}

absl::StatusOr<std::vector<std::string>> Browser::FindAll(const std::string& css) {
  auto elements = Command("POST", "/elements", {{"using", "css selector"}, {"value", css}});
  if (!elements.ok()) return elements.status();
  std::vector<std::string> ids;
  for (const json& element : *elements) ids.push_back(element.value(kElementKey, ""));
  return ids;
}

absl::StatusOr<bool> Browser::IsPresent(const std::string& css) {
  auto elements = FindAll(css);
  if (!elements.ok()) return elements.status();
  return !elements->empty();
}

absl::StatusOr<json> Browser::ElementCommand(const std::string& css, const std::string& method,
                                             const std::string& what, const json& body) {
  auto id = Find(css);
  if (!id.ok()) return id.status();
  return Command(method, "/element/" + *id + what, body);
}

absl::Status Browser::Click(const std::string& css) {
  return ElementCommand(css, "POST", "/click", json::object()).status();
}

absl::Status Browser::Type(const std::string& css, const std::string& text) {
  if (absl::Status cleared = ElementCommand(css, "POST", "/clear", json::object()).status();
      !cleared.ok()) {
    return cleared;
  }
  return ElementCommand(css, "POST", "/value", {{"text", text}}).status();
}

absl::StatusOr<std::string> Browser::Text(const std::string& css) {
  return AsString(ElementCommand(css, "GET", "/text"), "text of " + css);
}

absl::StatusOr<std::string> Browser::Attribute(const std::string& css, const std::string& name) {
  auto value = ElementCommand(css, "GET", "/attribute/" + name);
  if (!value.ok()) return value.status();
  if (value->is_null())
    return absl::NotFoundError(fmt::format("{} has no {} attribute", css, name));
  return AsString(std::move(value), fmt::format("attribute {} of {}", name, css));
}

absl::StatusOr<json> Browser::Property(const std::string& css, const std::string& name) {
  return ElementCommand(css, "GET", "/property/" + name);
}

absl::StatusOr<json> Browser::ExecuteScript(const std::string& js, const json& args) {
  return Command("POST", "/execute/sync", {{"script", js}, {"args", args}});
}

absl::Status Browser::SetSessionStorage(const std::string& key, const std::string& value) {
  return ExecuteScript("sessionStorage.setItem(arguments[0], arguments[1]);",
                       json::array({key, value}))
      .status();
}

absl::Status Browser::WaitUntil(const std::function<bool()>& condition,
                                std::chrono::milliseconds timeout) {
  return Poll([&]() -> absl::StatusOr<bool> { return condition(); }, timeout, "a condition");
}

absl::Status Browser::Poll(const std::function<absl::StatusOr<bool>()>& probe,
                           std::chrono::milliseconds timeout, const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    absl::StatusOr<bool> done = probe();
    if (!done.ok()) return done.status();
    if (*done) return absl::OkStatus();
    if (std::chrono::steady_clock::now() >= deadline) {
      return absl::DeadlineExceededError(fmt::format("waited {} ms for {}", timeout.count(), what));
    }
    // Polling interval, not synchronisation: the probe decides.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

absl::Status Browser::WaitFor(const std::string& css, std::chrono::milliseconds timeout) {
  return Poll([&] { return IsPresent(css); }, timeout, "an element matching " + css);
}

absl::Status Browser::WaitForText(const std::string& css,
                                  const std::function<bool(const std::string&)>& predicate,
                                  std::chrono::milliseconds timeout) {
  std::string last = "(no such element)";
  absl::Status waited = Poll(
      [&]() -> absl::StatusOr<bool> {
        absl::StatusOr<std::string> text = Text(css);
        if (absl::IsNotFound(text.status()) || absl::IsAborted(text.status())) return false;
        if (!text.ok()) return text.status();
        last = *text;
        return predicate(last);
      },
      timeout, "the text of " + css);
  if (absl::IsDeadlineExceeded(waited)) {
    return absl::DeadlineExceededError(
        fmt::format("{}; it was \"{}\"", std::string(waited.message()), last));
  }
  return waited;
}

absl::Status Browser::WaitForText(const std::string& css, const std::string& expected,
                                  std::chrono::milliseconds timeout) {
  return WaitForText(
      css, [&](const std::string& text) { return text.find(expected) != std::string::npos; },
      timeout);
}

absl::StatusOr<std::string> Browser::HandleAlert(const std::string& action,
                                                 std::chrono::milliseconds timeout) {
  std::string text;
  absl::Status shown = Poll(
      [&]() -> absl::StatusOr<bool> {
        absl::StatusOr<std::string> shown_text = AsString(Command("GET", "/alert/text"), "alert");
        if (absl::IsNotFound(shown_text.status())) return false;
        if (!shown_text.ok()) return shown_text.status();
        text = *shown_text;
        return true;
      },
      timeout, "an alert");
  if (absl::IsDeadlineExceeded(shown)) {
    return absl::NotFoundError(fmt::format("no alert within {} ms", timeout.count()));
  }
  if (!shown.ok()) return shown;
  if (!action.empty()) {
    if (absl::Status done = Command("POST", "/alert/" + action, json::object()).status();
        !done.ok()) {
      return done;
    }
  }
  return text;
}

absl::StatusOr<std::string> Browser::AlertText(std::chrono::milliseconds timeout) {
  return HandleAlert("", timeout);
}

absl::Status Browser::AcceptAlert(std::chrono::milliseconds timeout) {
  return HandleAlert("accept", timeout).status();
}

absl::Status Browser::DismissAlert(std::chrono::milliseconds timeout) {
  return HandleAlert("dismiss", timeout).status();
}

absl::Status Browser::Screenshot(const std::filesystem::path& path) {
  return WriteBase64Png(Command("GET", "/screenshot"), path);
}

absl::Status Browser::SetWindowSize(int width, int height) {
  return Command("POST", "/window/rect", {{"width", width}, {"height", height}}).status();
}

absl::Status Browser::ElementScreenshot(const std::string& css, const std::filesystem::path& path) {
  return WriteBase64Png(ElementCommand(css, "GET", "/screenshot"), path);
}

absl::Status Browser::DrainLogs() {
  // chromedriver's legacy log command: in W3C mode it answers at /se/log
  // only (/log is 404 "unknown command"). Each read empties its buffer.
  auto performance = Command("POST", "/se/log", {{"type", "performance"}});
  if (!performance.ok()) return performance.status();
  for (const json& entry : *performance) {
    // Each entry's message is itself JSON: a DevTools event.
    const json event = json::parse(entry.value("message", ""), nullptr, false);
    if (!event.is_object() || !event.contains("message")) continue;
    const json& message = event["message"];
    if (!message.is_object() || message.value("method", "") != "Network.requestWillBeSent") {
      continue;
    }
    const json::json_pointer url("/params/request/url");
    if (message.contains(url) && message[url].is_string()) {
      network_requests_.push_back(message[url].get<std::string>());
    }
  }
  auto browser = Command("POST", "/se/log", {{"type", "browser"}});
  if (!browser.ok()) return browser.status();
  for (const json& entry : *browser) {
    browser_log_.push_back({.level = entry.value("level", ""),
                            .source = entry.value("source", ""),
                            .message = entry.value("message", "")});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Browser::NetworkRequests() {
  if (absl::Status drained = DrainLogs(); !drained.ok()) return drained;
  return network_requests_;
}

absl::StatusOr<std::vector<BrowserLogEntry>> Browser::BrowserLog() {
  if (absl::Status drained = DrainLogs(); !drained.ok()) return drained;
  return browser_log_;
}

absl::Status Browser::ClearLogs() {
  if (absl::Status drained = DrainLogs(); !drained.ok()) return drained;
  network_requests_.clear();
  browser_log_.clear();
  return absl::OkStatus();
}

}  // namespace navette::testing
