#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "adapters/tls/tls_context.h"
#include "common/printable.h"
#include "engine/cli/commands.h"
#include "engine/cli/hl7_display.h"

namespace navette::engine::cli {
namespace {

// The ACK one segment a line, escaped: it is the peer's text.
void PrintSegments(const std::string& message) {
  for (const std::string& line : DisplaySegments(message, /*raw=*/true)) std::cout << line << "\n";
}

// "--tls.ca_file: …" as "--ca: …", the flag that set it.
std::string FlagNamed(std::string message) {
  for (const auto& [setting, flag] :
       {std::pair{"--tls.ca_file", "--ca"}, std::pair{"--tls.cert_file", "--cert"},
        std::pair{"--tls.key_file", "--key"}}) {
    if (message.rfind(setting, 0) == 0) return flag + message.substr(std::strlen(setting));
  }
  return message;
}

}  // namespace

int RunSend(const SendOptions& options) {
  const auto timeout = std::chrono::milliseconds(options.timeout_ms);
  adapters::tls::SslCtxPtr tls;
  if (options.tls || !options.ca_file.empty() || !options.cert_file.empty() ||
      !options.key_file.empty()) {
    config::Tls settings;
    settings.set_ca_file(options.ca_file);
    settings.set_cert_file(options.cert_file);
    settings.set_key_file(options.key_file);
    // Errors name the setting after the prefix: "--tls.cert_file: cannot
    // read …" reads as the flag it came from.
    auto context = adapters::tls::MakeClientContext(settings, "--tls");
    if (!context.ok()) {
      std::cerr << "navette send: " << FlagNamed(std::string(context.status().message())) << "\n";
      return 1;
    }
    tls = std::move(*context);
  }
  auto client = adapters::mllp::MllpClient::Connect(
      options.host, static_cast<uint16_t>(options.port), timeout, tls.get());
  if (!client.ok()) {
    std::cerr << "navette send: " << client.status().message() << "\n";
    return 1;
  }
  int failures = 0;
  for (const std::string& file : options.files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "navette send: cannot read " << file << "\n";
      ++failures;
      continue;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string message = adapters::mllp::NormalizeSegmentTerminators(buffer.str());
    auto ack = (*client)->Exchange(message, timeout);
    if (!ack.ok()) {
      std::cerr << "navette send: " << file << ": " << ack.status().message() << "\n";
      return 1;  // the connection is no longer usable
    }
    if (options.files.size() > 1) std::cout << "# " << file << "\n";
    PrintSegments(*ack);
    auto parsed = adapters::hl7v2::ParseAck(*ack);
    if (!parsed.ok()) {
      std::cerr << "navette send: " << file
                << ": unreadable ACK: " << Printable(std::string(parsed.status().message()))
                << "\n";
      ++failures;
    } else if (parsed->code != "AA" && parsed->code != "CA") {
      std::cerr << "navette send: " << file << ": " << Printable(parsed->code)
                << (parsed->text.empty() ? "" : ": " + Printable(parsed->text)) << "\n";
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace navette::engine::cli
