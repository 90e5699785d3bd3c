// The base of the end-to-end fixtures: a fresh test directory, free admin and
// MLLP ports, the real engine started on a configuration and stopped at the
// end, and the CLI pointed at it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_process.h"

namespace navette::testing {

class EngineTest : public ::testing::Test {
 protected:
  // `prefix` names the test directories (see FreshTestDir).
  explicit EngineTest(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    dir_ = FreshTestDir(prefix_);
    admin_port_ = FreePort();
    mllp_port_ = FreePort();
  }
  void TearDown() override {
    if (engine_) {
      EXPECT_TRUE(engine_->Stop().ok());
    }
    std::filesystem::remove_all(dir_);
  }
  void StartEngineWith(const std::string& config_yaml) {
    engine_ = std::make_unique<EngineProcess>(dir_, config_yaml);
    ASSERT_TRUE(engine_->Start().ok()) << engine_->Log();
  }
  std::string Admin() const { return fmt::format("http://127.0.0.1:{}", admin_port_); }
  // `navette messages ...` against this engine: its URL, and its data
  // directory, where the CLI finds the local admin token.
  CommandResult Messages(std::vector<std::string> args) const {
    args.insert(args.end(), {"--admin", Admin(), "--data-dir", (dir_ / "data").string()});
    return RunNavette(args);
  }
  // The `messages list --json` line of the message with `control_id` once it
  // is in `state`; empty if it does not get there in time.
  std::string WaitForListed(const std::string& control_id, const std::string& state,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30)) const {
    std::string found;
    WaitFor(
        [&] {
          for (const std::string& line : Lines(Messages({"messages", "list", "--json"}).out)) {
            if (JsonField(line, "control_id") == control_id && JsonField(line, "state") == state) {
              found = line;
              return true;
            }
          }
          return false;
        },
        timeout);
    return found;
  }
  // The id of that message; empty if it does not get there in time.
  std::string WaitForState(const std::string& control_id, const std::string& state) const {
    const std::string listed = WaitForListed(control_id, state);
    return listed.empty() ? std::string() : JsonField(listed, "id");
  }

  // Sends one message to `port` with `navette send`; it must be accepted
  // (AA).
  void Send(uint16_t port, const std::string& message) {
    CommandResult result = SendFile(port, message);
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    ASSERT_NE(result.out.find("MSA|AA|"), std::string::npos) << result.out;
  }
  // Sends one message that must be refused (AR); returns the ACK.
  std::string SendRefused(uint16_t port, const std::string& message) {
    CommandResult result = SendFile(port, message);
    EXPECT_NE(result.out.find("MSA|AR|"), std::string::npos) << result.out << result.err;
    return result.out;
  }

  // `navette messages show ID`: the message, then its history.
  std::string Show(const std::string& id) const {
    CommandResult shown = Messages({"messages", "show", id});
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    return shown.out;
  }
  // What `Show` prints of the message with `control_id` once it is in
  // `state`; fails the test, with the list and Diagnostics(), when it does
  // not get there.
  std::string ShowOnce(const std::string& control_id, const std::string& state) const {
    const std::string id = WaitForState(control_id, state);
    EXPECT_FALSE(id.empty()) << control_id << " never " << state << ":\n"
                             << Messages({"messages", "list"}).out << Diagnostics();
    return id.empty() ? "" : Show(id);
  }
  // The History part of `messages show`: what the engine wrote, unlike the
  // HL7 part above it, which is the message as received.
  static std::string HistoryOf(const std::string& shown) {
    const size_t start = shown.find("\nHistory:");
    EXPECT_NE(start, std::string::npos) << shown;
    return start == std::string::npos ? "" : shown.substr(start);
  }
  // What a failing wait prints: the engine's log, and what a suite adds
  // (its peers' logs).
  virtual std::string Diagnostics() const { return engine_ ? engine_->Log() : std::string(); }

  std::filesystem::path dir_;
  uint16_t admin_port_ = 0, mllp_port_ = 0;
  std::unique_ptr<EngineProcess> engine_;

 private:
  CommandResult SendFile(uint16_t port, const std::string& message) {
    const auto path = dir_ / fmt::format("m{}.hl7", sent_++);
    std::ofstream(path, std::ios::binary) << message;
    return RunNavette({"send", "--port", std::to_string(port), path.string()});
  }

  std::string prefix_;
  int sent_ = 0;
};

}  // namespace navette::testing
