#include <fstream>
#include <iostream>
#include <sstream>

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "common/printable.h"
#include "engine/cli/commands.h"
#include "engine/cli/hl7_display.h"

namespace navette::engine::cli {
namespace {

// The ACK one segment a line, escaped: it is the peer's text.
void PrintSegments(const std::string& message) {
  for (const std::string& line : DisplaySegments(message, /*raw=*/true)) std::cout << line << "\n";
}

}  // namespace

int RunSend(const SendOptions& options) {
  const auto timeout = std::chrono::milliseconds(options.timeout_ms);
  auto client = adapters::mllp::MllpClient::Connect(options.host,
                                                    static_cast<uint16_t>(options.port), timeout);
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
