// The WebDriver client (tests/support/webdriver.h) against a page this test
// serves: a form whose external script changes a heading on a click, under
// a Content Security Policy that blocks the page's one inline script. What
// the browser tests rely on is checked here once: typing, clicking and
// waiting, scripts, alerts, screenshots, the network log and the console.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <cerrno>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "tests/support/engine_process.h"
#include "tests/support/webdriver.h"

namespace navette::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The inline script is what the policy refuses: were it to run, the title
// would change and the log would hold no violation.
constexpr char kPage[] = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>WebDriver test page</title>
<link rel="icon" href="data:,">
<script>document.title = "inline script ran";</script>
</head>
<body>
<h1 id="heading" class="greeting">Waiting</h1>
<input id="name" type="text" value="placeholder">
<input id="agree" type="checkbox" checked>
<button id="greet">Greet</button>
<button id="ask">Ask</button>
<script src="/app.js"></script>
</body>
</html>
)";

// The heading changes 200 ms after the click, so that a test which did not
// wait would see the old text.
constexpr char kScript[] = R"(
console.error("app.js: loaded");
const heading = document.getElementById("heading");
document.getElementById("greet").addEventListener("click", () => {
  const name = document.getElementById("name").value;
  setTimeout(() => { heading.textContent = "Hello, " + name; }, 200);
});
document.getElementById("ask").addEventListener("click", () => {
  heading.textContent = confirm("Proceed?") ? "Confirmed" : "Declined";
});
)";

// The page and its script on a free loopback port.
class TestSite {
 public:
  TestSite() : port_(FreePort()) {
    server_.Get("/", [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::lock_guard lock(mu_);
        accept_language_ = request.get_header_value("Accept-Language");
      }
      // img-src allows the page's data: icon, which spares the network log
      // Chromium's own request for /favicon.ico.
      response.set_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:");
      response.set_content(kPage, "text/html; charset=utf-8");
    });
    server_.Get("/app.js", [](const httplib::Request&, httplib::Response& response) {
      response.set_content(kScript, "text/javascript");
    });
    bound_ = server_.bind_to_port("127.0.0.1", port_);
    // Connections wait in the listening socket's backlog until the thread
    // accepts them: no need to wait for it.
    if (bound_) thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~TestSite() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  bool bound() const { return bound_; }
  std::string url(const std::string& path) const {
    return fmt::format("http://127.0.0.1:{}{}", port_, path);
  }
  std::string accept_language() const {
    std::lock_guard lock(mu_);
    return accept_language_;
  }

 private:
  uint16_t port_;
  httplib::Server server_;
  bool bound_ = false;
  std::thread thread_;
  mutable std::mutex mu_;
  std::string accept_language_;
};

// One chromedriver for the suite; one browser, with a fresh profile, per test.
class WebDriverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!ChromedriverAvailable()) return;
    auto started = Chromedriver::Start();
    ASSERT_TRUE(started.ok()) << started.status();
    driver_ = std::move(*started);
  }
  static void TearDownTestSuite() { driver_.reset(); }

  void SetUp() override {
    if (!ChromedriverAvailable()) {
      GTEST_SKIP() << kChromedriverPath << " is absent (Debian package chromium-driver)";
    }
    ASSERT_NE(driver_, nullptr) << "chromedriver did not start";
    ASSERT_TRUE(site_.bound());
    BrowserOptions options;
    options.lang = "fr-FR";
    auto opened = Browser::Open(*driver_, options);
    ASSERT_TRUE(opened.ok()) << opened.status() << "\n" << driver_->Log();
    browser_ = std::move(*opened);
    dir_ = FreshTestDir("navette-webdriver");
  }

  void TearDown() override {
    browser_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // The page, loaded: app.js has run (before the load event Navigate waits
  // for).
  void OpenPage() {
    absl::Status loaded = browser_->Navigate(site_.url("/"));
    ASSERT_TRUE(loaded.ok()) << loaded;
  }

  static inline std::unique_ptr<Chromedriver> driver_;
  TestSite site_;
  std::unique_ptr<Browser> browser_;
  std::filesystem::path dir_;
};

TEST_F(WebDriverTest, TypesClicksAndWaitsForTheScriptsChange) {
  OpenPage();
  auto url = browser_->CurrentUrl();
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, site_.url("/"));
  auto title = browser_->Title();
  ASSERT_TRUE(title.ok()) << title.status();
  EXPECT_EQ(*title, "WebDriver test page");  // the inline script was refused

  ASSERT_TRUE(browser_->Type("#name", "Ada").ok());  // replaces "placeholder"
  auto typed = browser_->Property("#name", "value");
  ASSERT_TRUE(typed.ok()) << typed.status();
  EXPECT_EQ(*typed, "Ada");
  ASSERT_TRUE(browser_->Click("#greet").ok());
  absl::Status changed = browser_->WaitForText("#heading", "Hello, Ada");
  ASSERT_TRUE(changed.ok()) << changed;
  auto text = browser_->Text("#heading");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "Hello, Ada");

  auto css_class = browser_->Attribute("#heading", "class");
  ASSERT_TRUE(css_class.ok()) << css_class.status();
  EXPECT_EQ(*css_class, "greeting");
  EXPECT_TRUE(absl::IsNotFound(browser_->Attribute("#heading", "title").status()));
  auto checked = browser_->Property("#agree", "checked");
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(*checked, true);
  EXPECT_EQ(browser_->FindAll("input").value_or(std::vector<std::string>{}).size(), 2u);
  EXPECT_EQ(browser_->IsPresent("#greet").value_or(false), true);
  EXPECT_EQ(browser_->IsPresent("#nowhere").value_or(true), false);
}

TEST_F(WebDriverTest, ExecutesScriptsWithArgumentsAndLanguage) {
  OpenPage();
  auto sum = browser_->ExecuteScript("return arguments[0] + arguments[1];", {40, 2});
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ(*sum, 42);
  auto heading = browser_->ExecuteScript("return document.getElementById('heading').textContent;");
  ASSERT_TRUE(heading.ok()) << heading.status();
  EXPECT_EQ(*heading, "Waiting");
  // The language reaches both the page and the server.
  EXPECT_EQ(browser_->ExecuteScript("return navigator.language;").value_or(nullptr), "fr-FR");
  EXPECT_THAT(site_.accept_language(), ::testing::StartsWith("fr-FR"));

  ASSERT_TRUE(browser_->SetSessionStorage("navette.token", "t0k3n").ok());
  EXPECT_EQ(
      browser_->ExecuteScript("return sessionStorage.getItem('navette.token');").value_or(nullptr),
      "t0k3n");

  auto thrown = browser_->ExecuteScript("throw new Error('deliberate');");
  EXPECT_FALSE(thrown.ok());
  EXPECT_THAT(std::string(thrown.status().message()), HasSubstr("deliberate"));
}

TEST_F(WebDriverTest, ConfirmIsAcceptedOrDismissed) {
  OpenPage();
  ASSERT_TRUE(browser_->Click("#ask").ok());
  auto shown = browser_->AlertText();
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ(*shown, "Proceed?");
  ASSERT_TRUE(browser_->AcceptAlert().ok());
  EXPECT_TRUE(browser_->WaitForText("#heading", "Confirmed").ok());

  ASSERT_TRUE(browser_->Click("#ask").ok());
  ASSERT_TRUE(browser_->DismissAlert().ok());
  EXPECT_TRUE(browser_->WaitForText("#heading", "Declined").ok());

  EXPECT_TRUE(absl::IsNotFound(browser_->AcceptAlert(std::chrono::milliseconds(200))));
}

TEST_F(WebDriverTest, ScreenshotsArePngFiles) {
  OpenPage();
  constexpr char kPngMagic[] = "\x89PNG\r\n\x1a\n";
  ASSERT_TRUE(browser_->Screenshot(dir_ / "page.png").ok());
  const std::string page = ReadFileBytes(dir_ / "page.png");
  EXPECT_EQ(page.substr(0, 8), std::string(kPngMagic, 8));
  ASSERT_TRUE(browser_->ElementScreenshot("#greet", dir_ / "button.png").ok());
  const std::string button = ReadFileBytes(dir_ / "button.png");
  EXPECT_EQ(button.substr(0, 8), std::string(kPngMagic, 8));
  EXPECT_LT(button.size(), page.size());
}

TEST_F(WebDriverTest, NetworkLogListsThePageAndItsScriptOnly) {
  OpenPage();
  auto requests = browser_->NetworkRequests();
  ASSERT_TRUE(requests.ok()) << requests.status();
  EXPECT_THAT(*requests, ElementsAre(site_.url("/"), site_.url("/app.js")));

  ASSERT_TRUE(browser_->ClearLogs().ok());
  ASSERT_TRUE(browser_->ExecuteScript("fetch('/app.js?again');").ok());
  absl::Status fetched = browser_->WaitUntil([&] {
    auto after = browser_->NetworkRequests();
    return after.ok() && !after->empty();
  });
  ASSERT_TRUE(fetched.ok()) << fetched;
  EXPECT_THAT(browser_->NetworkRequests().value_or(std::vector<std::string>{}),
              ElementsAre(site_.url("/app.js?again")));
}

TEST_F(WebDriverTest, BrowserLogHoldsConsoleErrorsAndCspViolations) {
  OpenPage();
  auto log = browser_->BrowserLog();
  ASSERT_TRUE(log.ok()) << log.status();
  bool console_error = false;
  bool csp_violation = false;
  for (const BrowserLogEntry& entry : *log) {
    if (entry.source == "console-api" && entry.level == "SEVERE" &&
        entry.message.find("app.js: loaded") != std::string::npos) {
      console_error = true;
    }
    if (entry.source == "security" && entry.level == "SEVERE" &&
        entry.message.find("inline script violates") != std::string::npos &&
        entry.message.find("Content Security Policy") != std::string::npos) {
      csp_violation = true;
    }
  }
  std::string lines;
  for (const BrowserLogEntry& entry : *log) {
    lines += fmt::format("{} {} {}\n", entry.level, entry.source, entry.message);
  }
  EXPECT_TRUE(console_error) << lines;
  EXPECT_TRUE(csp_violation) << lines;
}

TEST_F(WebDriverTest, ErrorsSayWhatTheBrowserSaid) {
  OpenPage();
  auto missing = browser_->Find("#nowhere");
  EXPECT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("no such element"));
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("#nowhere"));
  // Not chromedriver's session info nor its native stack trace.
  EXPECT_THAT(std::string(missing.status().message()), ::testing::Not(HasSubstr("Session info")));

  absl::Status click = browser_->Click("#nowhere");
  EXPECT_TRUE(absl::IsNotFound(click)) << click;
  absl::Status invalid = browser_->Click("#[");
  EXPECT_TRUE(absl::IsInvalidArgument(invalid)) << invalid;

  absl::Status waited = browser_->WaitForText("#heading", "never", std::chrono::milliseconds(300));
  EXPECT_TRUE(absl::IsDeadlineExceeded(waited)) << waited;
  EXPECT_THAT(std::string(waited.message()), HasSubstr("it was \"Waiting\""));
}

// Its own chromedriver, killed while its browser is still open: Chromium
// must go with it, as when a test fails before it closes its browser.
TEST(ChromedriverTest, LeavesNoProcessBehind) {
  if (!ChromedriverAvailable()) {
    GTEST_SKIP() << kChromedriverPath << " is absent (Debian package chromium-driver)";
  }
  auto driver = Chromedriver::Start();
  ASSERT_TRUE(driver.ok()) << driver.status();
  const pid_t group = (*driver)->pid();
  auto browser = Browser::Open(**driver);
  ASSERT_TRUE(browser.ok()) << browser.status();
  ASSERT_TRUE((*browser)->Navigate("about:blank").ok());

  driver->reset();
  // Chromium's processes, orphaned by chromedriver's exit, are reaped by
  // init a moment later: until then kill(2) still finds them.
  EXPECT_TRUE(
      WaitFor([&] { return ::kill(-group, 0) == -1 && errno == ESRCH; }, std::chrono::seconds(5)))
      << "process group " << group << " still has members";
  // Its session's DELETE now finds no chromedriver, which it ignores.
  browser->reset();
}

}  // namespace
}  // namespace navette::testing
