#include "tests/e2e/console_browser.h"

#include <algorithm>
#include <condition_variable>

namespace navette::testing {
namespace {

// What the whole suite shares: the engine, its HTTP peer, chromedriver.
struct Shared {
  std::filesystem::path dir;
  uint16_t admin_port = 0, mllp_port = 0;
  std::mutex mu;
  std::condition_variable changed;
  std::set<std::string> refused;  // control ids the peer answers 400
  std::set<std::string> held;     // control ids the peer does not answer yet
  std::unique_ptr<HttpPeer> peer;
  std::unique_ptr<EngineProcess> engine;
  std::unique_ptr<Chromedriver> driver;
  std::string failure;  // why the suite could not start
};
Shared* shared = nullptr;

std::string EngineConfig(const Shared& s) {
  return fmt::format(
      "engine:\n"
      "  admin:\n"
      "    listen: \"127.0.0.1:{}\"\n"
      "{}"
      "identity: {{ environment: test }}\n"
      "sources:\n"
      "  - name: lab\n"
      "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
      "destinations:\n"
      "  - name: outbox\n"
      "    file: {{ directory: outbox }}\n"
      "  - name: ris\n"
      "    http: {{ url: \"http://127.0.0.1:{}/in\", timeout: 5s }}\n"
      "routes:\n"
      "{}"
      "  - name: imaging\n"
      "    match: {{ message_type: \"MDM^*\" }}\n"
      "    to: [ris]\n",
      s.admin_port, TokensYaml({kViewerToken, kOperatorToken, kAdminToken}), s.mllp_port,
      s.peer->port(), kIdentityRoutes);
}

}  // namespace

void ConsoleBrowserTest::SetUpTestSuite() {
  if (!ChromedriverAvailable()) return;
  shared = new Shared;
  shared->dir = FreshTestDir("navette-console-browser");
  shared->admin_port = FreePort();
  shared->mllp_port = FreePort();
  shared->peer = std::make_unique<HttpPeer>([](const std::string& control_id) {
    std::unique_lock lock(shared->mu);
    shared->changed.wait(lock, [&] { return shared->held.count(control_id) == 0; });
    return shared->refused.count(control_id) ? 400 : 200;
  });
  shared->engine = std::make_unique<EngineProcess>(shared->dir, EngineConfig(*shared));
  if (absl::Status started = shared->engine->Start(); !started.ok()) {
    shared->failure =
        fmt::format("the engine did not start: {}\n{}", started.ToString(), shared->engine->Log());
    return;
  }
  auto driver = Chromedriver::Start();
  if (!driver.ok()) {
    shared->failure = fmt::format("chromedriver did not start: {}", driver.status().ToString());
    return;
  }
  shared->driver = std::move(*driver);
}

void ConsoleBrowserTest::TearDownTestSuite() {
  if (shared == nullptr) return;
  shared->driver.reset();
  if (shared->engine && shared->engine->running()) {
    EXPECT_TRUE(shared->engine->Stop().ok()) << shared->engine->Log();
  }
  shared->engine.reset();
  {
    std::lock_guard lock(shared->mu);
    shared->held.clear();
  }
  shared->changed.notify_all();
  shared->peer.reset();
  std::filesystem::remove_all(shared->dir);
  delete shared;
  shared = nullptr;
}

void ConsoleBrowserTest::SetUp() {
  if (!ChromedriverAvailable()) {
    GTEST_SKIP() << kChromedriverPath << " is absent (Debian package chromium-driver)";
  }
  ASSERT_TRUE(shared->failure.empty()) << shared->failure;
  // The suite's engine, not one of EngineTest's own.
  dir_ = shared->dir;
  admin_port_ = shared->admin_port;
  mllp_port_ = shared->mllp_port;
}

void ConsoleBrowserTest::TearDown() {
  if (browser_) {
    // Whatever the journey, the page broke no rule of its policy and no
    // script of it failed.
    auto log = browser_->BrowserLog();
    ASSERT_TRUE(log.ok()) << log.status();
    for (const BrowserLogEntry& entry : *log) {
      EXPECT_NE(entry.source, "security") << entry.message;
      EXPECT_FALSE(entry.source == "javascript" && entry.level == "SEVERE") << entry.message;
    }
    browser_.reset();
  }
  // The directory is the suite's: TearDownTestSuite removes it.
}

std::string ConsoleBrowserTest::Diagnostics() const {
  std::string text = shared && shared->engine ? shared->engine->Log() : "";
  if (shared && shared->driver) text += "\nchromedriver:\n" + shared->driver->Log();
  return text;
}

void ConsoleBrowserTest::RefuseAtPeer(const std::string& control_id) {
  std::lock_guard lock(shared->mu);
  shared->refused.insert(control_id);
}

void ConsoleBrowserTest::AcceptAtPeer(const std::string& control_id) {
  std::lock_guard lock(shared->mu);
  shared->refused.erase(control_id);
}

void ConsoleBrowserTest::HoldAtPeer(const std::string& control_id) {
  std::lock_guard lock(shared->mu);
  shared->held.insert(control_id);
}

void ConsoleBrowserTest::AnswerAtPeer(const std::string& control_id) {
  {
    std::lock_guard lock(shared->mu);
    shared->held.erase(control_id);
  }
  shared->changed.notify_all();
}

std::set<std::string> ConsoleBrowserTest::DeliveredToPeer() { return shared->peer->delivered(); }

void ConsoleBrowserTest::SignIn(const std::string& token, const std::string& lang) {
  BrowserOptions options;
  options.lang = lang;
  auto browser = Browser::Open(*shared->driver, options);
  ASSERT_TRUE(browser.ok()) << browser.status() << "\n" << shared->driver->Log();
  browser_ = std::move(*browser);
  // The admin address itself: it leads to the console.
  ASSERT_BROWSER(browser_->Navigate(Origin() + "/"));
  ASSERT_BROWSER(browser_->WaitFor("form#signin"));
  Snap(lang.starts_with("fr") ? "signin-fr" : "signin");
  ASSERT_BROWSER(browser_->Type("#token", token));
  ASSERT_BROWSER(browser_->Click("#sign-in"));
  ASSERT_BROWSER(browser_->WaitFor("[data-test=whoami]"));
}

void ConsoleBrowserTest::SignOut() {
  ASSERT_BROWSER(browser_->Click("#sign-out"));
  ASSERT_BROWSER(browser_->WaitFor("form#signin"));
}

void ConsoleBrowserTest::WaitForResults() {
  const absl::Status done = browser_->WaitUntil([&] {
    auto ready = browser_->ExecuteScript(
        "const s = document.querySelector('.result-summary');"
        "return !!s && s.textContent.length > 0 && !s.querySelector('.loading');");
    return ready.ok() && *ready == true;
  });
  EXPECT_TRUE(done.ok()) << done << "\n" << Diagnostics();
}

std::vector<std::string> ConsoleBrowserTest::SearchMessages(const std::string& name,
                                                            const std::string& value) {
  // The list answers once on arrival; the search starts after that answer.
  WaitForResults();
  const std::string input = fmt::format("form#search [name='{}']", name);
  absl::Status typed = browser_->Type(input, value);
  if (typed.ok()) typed = browser_->Click("#search-go");
  EXPECT_TRUE(typed.ok()) << typed;
  WaitForResults();
  auto ids = browser_->ExecuteScript(
      "return [...document.querySelectorAll('table#messages tbody tr')]"
      ".map((tr) => tr.dataset.messageId);");
  EXPECT_TRUE(ids.ok()) << ids.status();
  return ids.ok() ? ids->get<std::vector<std::string>>() : std::vector<std::string>{};
}

void ConsoleBrowserTest::OpenFromList(const std::string& id) {
  ASSERT_BROWSER(
      browser_->Click(fmt::format("table#messages tr[data-message-id='{}'] td.type", id)));
  ASSERT_BROWSER(browser_->WaitForText("[data-test=message-id]", id));
  ASSERT_BROWSER(browser_->WaitFor("#history li"));
}

void ConsoleBrowserTest::WaitForPageState(const std::string& state,
                                          std::chrono::milliseconds timeout) {
  const absl::Status shown =
      browser_->WaitFor(fmt::format("[data-test=message-state][data-state='{}']", state), timeout);
  auto now = browser_->Attribute("[data-test=message-state]", "data-state");
  ASSERT_TRUE(shown.ok()) << "the page shows " << (now.ok() ? *now : now.status().ToString())
                          << ", not " << state << "\n"
                          << Diagnostics();
}

std::vector<std::string> ConsoleBrowserTest::PageHistory() {
  auto types = browser_->ExecuteScript(
      "return [...document.querySelectorAll('#history li')].map((li) => li.dataset.type);");
  EXPECT_TRUE(types.ok()) << types.status();
  return types.ok() ? types->get<std::vector<std::string>>() : std::vector<std::string>{};
}

void ConsoleBrowserTest::ClickAndConfirm(const std::string& button) {
  ASSERT_BROWSER(browser_->Click(button));
  ASSERT_BROWSER(browser_->WaitFor("dialog#confirm[open] #confirm-yes"));
  ASSERT_BROWSER(browser_->Click("#confirm-yes"));
}

nlohmann::json ConsoleBrowserTest::ApiGet(const std::string& path, const std::string& token) {
  auto answer = HttpGet(admin_port_, path, token);
  EXPECT_TRUE(answer.ok()) << answer.status();
  if (!answer.ok()) return nullptr;
  EXPECT_EQ(answer->first, 200) << path << ": " << answer->second;
  return nlohmann::json::parse(answer->second, nullptr, /*allow_exceptions=*/false);
}

std::string ConsoleBrowserTest::Outbox(const std::string& id) const {
  return ReadFileBytes(shared->engine->data_dir() / "outbox" / (id + ".hl7"));
}

void ConsoleBrowserTest::Snap(const std::string& name) {
  const char* dir = std::getenv("NAVETTE_CONSOLE_SCREENSHOTS");
  if (dir == nullptr || *dir == '\0' || !browser_) return;
  std::filesystem::create_directories(dir);
  // The whole page, not only the viewport: the window grows to the page's
  // height (up to a limit) for the shot, then comes back to its size.
  constexpr int kWidth = 1366, kHeight = 900, kFrame = 143, kTallest = 2400;
  auto page_height = browser_->ExecuteScript("return document.documentElement.scrollHeight;");
  const int height =
      page_height.ok() && page_height->is_number() ? page_height->get<int>() + kFrame : kHeight;
  absl::Status saved = browser_->SetWindowSize(kWidth, std::clamp(height, kHeight, kTallest));
  if (saved.ok()) saved = browser_->Screenshot(std::filesystem::path(dir) / (name + ".png"));
  if (saved.ok()) saved = browser_->SetWindowSize(kWidth, kHeight);
  EXPECT_TRUE(saved.ok()) << saved;
}

}  // namespace navette::testing
