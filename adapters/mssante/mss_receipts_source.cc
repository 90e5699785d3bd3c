#include "adapters/mssante/mss_receipts_source.h"

#include <algorithm>
#include <asio.hpp>
#include <future>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "adapters/mssante/mime/mail_receipts.h"
#include "adapters/mssante/mss_receipt_mapping.h"
#include "adapters/mssante/mss_settings.h"
#include "kinds/duration_setting.h"
#include "proto/envelope.pb.h"

namespace navette::adapters::mssante {
namespace {

constexpr auto kPublishTimeout = std::chrono::seconds(30);

}  // namespace

absl::StatusOr<ReceiptsSettings> ResolveReceiptsSettings(
    const navette::config::MssanteReceiptsSource& config) {
  ReceiptsSettings settings;
  const bool implicit = config.security() == "implicit";
  auto address = ParseHostPort(config.imap_address(), implicit ? 993 : 143);
  if (!address.ok())
    return kinds::SettingError("imap_address", std::string(address.status().message()));
  settings.imap.host = address->first;
  settings.imap.port = address->second;
  const navette::config::DmpCredentials& tls = config.tls();
  settings.imap.tls.ca_file = tls.ca_file();
  settings.imap.tls.client_cert = tls.pkcs12_file().empty() ? tls.cert_file() : tls.pkcs12_file();
  settings.imap.tls.client_key = tls.pkcs12_file().empty() ? tls.key_file() : "";
  settings.imap.tls.client_key_password_env = tls.pkcs12_password_env();
  settings.imap.tls.implicit_tls = implicit;
  settings.imap.tls.timeout = kinds::Milliseconds(config.timeout());
  settings.imap.username = config.username();
  settings.imap.password_env = config.password_env();
  settings.imap.sasl = config.sasl();
  settings.imap.mailbox = config.folder().empty() ? "INBOX" : config.folder();
  settings.poll_interval = kinds::Milliseconds(config.poll_interval());
  return settings;
}

std::chrono::milliseconds PollDelay(std::chrono::milliseconds interval, int failures_in_a_row) {
  const std::chrono::milliseconds ceiling = std::max(interval, kMaxPollBackoff);
  std::chrono::milliseconds delay = interval;
  for (int i = 0; i < failures_in_a_row && delay < ceiling; ++i) delay *= 2;
  return std::min(delay, ceiling);
}

bool WarnAboutFailure(int failures_in_a_row) {
  return failures_in_a_row == 1 ||
         (failures_in_a_row > 0 && failures_in_a_row % kFailuresPerWarning == 0);
}

MssReceiptsSource::MssReceiptsSource(std::string name, ReceiptsSettings settings,
                                     const kinds::SourceContext& context)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      receipts_(context.late_receipts),
      connect_publisher_(context.connect_publisher) {}

MssReceiptsSource::~MssReceiptsSource() { Stop(); }

absl::Status MssReceiptsSource::Start() {
  if (receipts_ == nullptr || !connect_publisher_) {
    return absl::FailedPreconditionError("the engine gave no receipt sink or bus");
  }
  io_ = std::make_unique<asio::io_context>();
  auto publisher = connect_publisher_(*io_);
  if (!publisher.ok()) return publisher.status();
  publisher_ = std::move(*publisher);
  io_thread_ = std::thread([io = io_.get()] {
    auto guard = asio::make_work_guard(*io);
    io->run();
  });
  {
    std::lock_guard lock(mu_);
    started_ = true;
  }
  poller_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void MssReceiptsSource::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_) return;
    started_ = false;
    stopping_ = true;
  }
  wake_.notify_all();
  if (poller_.joinable()) poller_.join();
  if (io_) {
    // The publisher lives on the io thread: destroyed there, then the loop ends.
    std::promise<void> released;
    asio::post(*io_, [this, &released] {
      publisher_.reset();
      released.set_value();
    });
    released.get_future().wait();
    io_->stop();
  }
  if (io_thread_.joinable()) io_thread_.join();
  io_.reset();
}

bool MssReceiptsSource::Ready() const {
  std::lock_guard lock(mu_);
  return started_;
}

void MssReceiptsSource::Run() {
  transport::ImapClient client(settings_.imap);
  int failures = 0;
  for (;;) {
    if (absl::Status polled = PollOnce(client); !polled.ok()) {
      ++failures;
      // Server replies and store errors only: never a mail's content.
      if (WarnAboutFailure(failures)) {
        spdlog::warn("source={}: polling the mailbox failed ({} in a row; next poll in {} ms): {}",
                     name_, failures, PollDelay(settings_.poll_interval, failures).count(),
                     std::string(polled.message()));
      }
    } else if (failures > 0) {
      spdlog::info("source={}: the mailbox answers again after {} failed polls", name_, failures);
      failures = 0;
    }
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, PollDelay(settings_.poll_interval, failures),
                       [this] { return stopping_; })) {
      return;
    }
  }
}

absl::Status MssReceiptsSource::PollOnce(transport::ImapClient& client) {
  // SELECT again: a server need not report mail that arrived while the
  // mailbox stayed selected until it resynchronises it (Dovecot does so
  // every few seconds), and a new selection makes it look now.
  if (auto selected = client.UidValidity(); !selected.ok()) return selected.status();
  auto uids = client.SearchWithoutKeyword(kHandledKeyword);
  if (!uids.ok()) return uids.status();
  for (uint32_t uid : *uids) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return absl::OkStatus();
    }
    auto raw = client.Fetch(uid);
    if (!raw.ok()) return raw.status();
    if (absl::Status handled = Handle(uid, *raw); !handled.ok()) return handled;
    if (absl::Status marked = client.AddKeyword(uid, kHandledKeyword); !marked.ok()) return marked;
  }
  return absl::OkStatus();
}

absl::Status MssReceiptsSource::Handle(uint32_t uid, const std::string& raw) {
  auto parsed = mime::ParseMail(raw);
  if (parsed.ok()) {
    if (std::optional<LateReceipt> receipt = LateReceiptOf(*parsed)) {
      absl::Status recorded = receipts_->Record(*receipt);
      if (recorded.ok()) {
        spdlog::info("source={}: {} for message {} recorded (mail uid {})", name_,
                     parsed->kind == mime::ParsedMail::Kind::kDeliveryStatus ? "DSN" : "MDN",
                     receipt->message_id, uid);
        return absl::OkStatus();
      }
      if (!absl::IsNotFound(recorded)) return recorded;
      // About a mail navette has no record of: an ordinary mail.
    }
  }
  const std::string message_id =
      parsed.ok() && !parsed->message_id.empty() ? parsed->message_id : fmt::format("uid-{}", uid);
  return Publish(raw, message_id);
}

absl::Status MssReceiptsSource::Publish(const std::string& raw, const std::string& message_id) {
  navette::Envelope envelope;
  envelope.set_source(name_);
  envelope.set_received_at_us(std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
  envelope.set_raw(raw);
  envelope.set_content_type("message/rfc822");
  // The retransmission check's key: read again after a crash, the same
  // mail is recognised.
  envelope.mutable_hl7()->set_control_id(message_id);
  envelope.set_peer(fmt::format("{}:{}", settings_.imap.host, settings_.imap.port));
  auto done = std::make_shared<std::promise<absl::StatusOr<bus::PublishResult>>>();
  auto future = done->get_future();
  asio::post(*io_, [this, envelope = std::move(envelope), done]() mutable {
    publisher_->Publish(std::move(envelope), [done](absl::StatusOr<bus::PublishResult> result) {
      done->set_value(std::move(result));
    });
  });
  if (future.wait_for(kPublishTimeout) != std::future_status::ready) {
    return absl::DeadlineExceededError("the engine did not confirm the mail in time");
  }
  absl::StatusOr<bus::PublishResult> result = future.get();
  if (!result.ok()) return result.status();
  return absl::OkStatus();
}

}  // namespace navette::adapters::mssante
