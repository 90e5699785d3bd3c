// The mssante_receipts source (docs/mssante.md#receipts): polls the
// applicative mailbox over IMAP (mutual TLS) for the mail that comes back.
//
//   a DSN or MDN about a mail navette sent   recorded against its message
//                                            (LateReceiptSink: history, ZAM)
//   anything else                            published as a message of this
//                                            source (message/rfc822), for
//                                            the analysts to list and read
//
// Nothing is ever deleted or moved: each mail handled gets the IMAP keyword
// $NavetteRead once the engine has committed what it meant, and polls skip
// marked mail. A crash between the commit and the keyword reads the mail
// again: the receipt is recorded twice (the ZAM replaces its unsent twin),
// the ordinary mail is a retransmission (its Message-ID is its control id).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "adapters/bus/publisher.h"
#include "adapters/mssante/transport/imap_client.h"
#include "adapters/source.h"
#include "kinds/registry.h"

namespace asio {
class io_context;
}  // namespace asio

namespace navette::adapters::mssante {

inline constexpr char kHandledKeyword[] = "$NavetteRead";

struct ReceiptsSettings {
  transport::ImapServer imap;
  std::chrono::milliseconds poll_interval{30000};
};

absl::StatusOr<ReceiptsSettings> ResolveReceiptsSettings(
    const navette::config::MssanteReceiptsSource& config);

// While the mailbox cannot be polled (the server down, a refused login),
// polls back off: the interval doubled at each failure in a row, up to
// kMaxPollBackoff (or the interval itself when it is longer); and the log
// says so at the first failure, then every kFailuresPerWarning.
inline constexpr std::chrono::milliseconds kMaxPollBackoff = std::chrono::minutes(5);
inline constexpr int kFailuresPerWarning = 10;
std::chrono::milliseconds PollDelay(std::chrono::milliseconds interval, int failures_in_a_row);
bool WarnAboutFailure(int failures_in_a_row);

class MssReceiptsSource final : public Source {
 public:
  MssReceiptsSource(std::string name, ReceiptsSettings settings,
                    const kinds::SourceContext& context);
  ~MssReceiptsSource() override;

  absl::Status Start() override;
  void Stop() override;
  bool Ready() const override;

 private:
  void Run();
  // One pass over the unmarked mail; stops at the first error (the next
  // poll starts again from there).
  absl::Status PollOnce(transport::ImapClient& client);
  // The mail at `uid` handled: recorded or published. OK means it may be
  // marked.
  absl::Status Handle(uint32_t uid, const std::string& raw);
  absl::Status Publish(const std::string& raw, const std::string& message_id);

  const std::string name_;
  const ReceiptsSettings settings_;
  LateReceiptSink* const receipts_;
  const kinds::SourceContext::PublisherFactory connect_publisher_;

  std::unique_ptr<asio::io_context> io_;
  std::thread io_thread_;
  std::unique_ptr<bus::Publisher> publisher_;
  std::thread poller_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace navette::adapters::mssante
