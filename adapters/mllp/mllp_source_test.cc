// The mllp source kind: its defaults and checks on settings alone, the
// server options it reads from them, the dry run that binds nothing, and a
// started source that counts its refusals in its own metrics scope.
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/mllp/client.h"
#include "adapters/mllp/mllp_source.h"
#include "adapters/mllp/mllp_source_kind.h"
#include "tests/support/test_pki.h"

namespace navette::adapters::mllp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using namespace std::chrono_literals;

constexpr auto kArrival = 10s;  // only reached when a test fails

class RecordingReporter : public kinds::CheckReporter {
 public:
  void Error(std::string_view field, std::string message) override {
    errors.emplace_back(std::string(field), std::move(message));
  }
  void Warning(std::string_view field, std::string message) override {
    warnings.emplace_back(std::string(field), std::move(message));
  }
  std::vector<std::pair<std::string, std::string>> errors;
  std::vector<std::pair<std::string, std::string>> warnings;
};

class RecordingScope : public kinds::MetricsScope {
 public:
  void Rejected(std::string_view reason) override {
    std::lock_guard lock(mutex_);
    reasons_.emplace_back(reason);
    changed_.notify_all();
  }
  // The reasons counted, once there are `count` of them (or at the deadline).
  std::vector<std::string> WaitFor(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kArrival, [&] { return reasons_.size() >= count; });
    return reasons_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> reasons_;
};

// Never reached by the tests below, which send only refused frames.
class UnusedPublisher : public bus::Publisher {
 public:
  void Publish(navette::Envelope, bus::PublishCallback done) override {
    done(absl::UnavailableError("not in this test"));
  }
};

navette::config::MllpSource Defaulted(navette::config::MllpSource config) {
  ApplyMllpSourceDefaults(config);
  return config;
}

TEST(MllpSourceKindTest, DefaultsFillWhatIsUnset) {
  navette::config::MllpSource config = Defaulted({});
  EXPECT_EQ(config.max_message_bytes(), 16u * 1024 * 1024);
  EXPECT_EQ(config.idle_timeout().seconds(), 300);
  EXPECT_EQ(config.max_connections(), 256u);
  EXPECT_EQ(config.max_connections_per_peer(), 32u);
  // Idempotent.
  EXPECT_EQ(Defaulted(config).SerializeAsString(), config.SerializeAsString());
}

TEST(MllpSourceKindTest, DefaultsKeepWhatIsSet) {
  navette::config::MllpSource set;
  set.set_max_message_bytes(1024);
  set.mutable_idle_timeout();  // "0s": no idle timeout
  set.set_max_connections(4);
  set.set_max_connections_per_peer(2);
  navette::config::MllpSource config = Defaulted(set);
  EXPECT_EQ(config.max_message_bytes(), 1024u);
  EXPECT_TRUE(config.has_idle_timeout());
  EXPECT_EQ(config.idle_timeout().seconds(), 0);
  EXPECT_EQ(config.max_connections(), 4u);
  EXPECT_EQ(config.max_connections_per_peer(), 2u);
}

TEST(MllpSourceKindTest, PerPeerDefaultIsCappedByAFewerTotal) {
  navette::config::MllpSource few;
  few.set_max_connections(8);
  EXPECT_EQ(Defaulted(few).max_connections_per_peer(), 8u);
}

TEST(MllpSourceKindTest, ChecksListenAndLimitsWithFieldsOfTheKind) {
  RecordingReporter missing;
  CheckMllpSource(Defaulted({}), missing);
  EXPECT_THAT(missing.errors, ElementsAre(Pair("listen", "mllp.listen is required")));

  navette::config::MllpSource bad;
  bad.set_listen("2575");
  RecordingReporter unreadable;
  CheckMllpSource(Defaulted(bad), unreadable);
  EXPECT_THAT(unreadable.errors,
              ElementsAre(Pair("listen",
                               "invalid listen address '2575': the port is missing (expected "
                               "host:port, e.g. \"0.0.0.0:2575\" or \"[::1]:2575\")")));

  navette::config::MllpSource over;
  over.set_listen("0.0.0.0:2575");
  over.set_max_connections(4);
  over.set_max_connections_per_peer(5);
  RecordingReporter limits;
  CheckMllpSource(Defaulted(over), limits);
  EXPECT_THAT(limits.errors, ElementsAre(Pair("max_connections_per_peer",
                                              "mllp.max_connections_per_peer (5) must not exceed "
                                              "mllp.max_connections (4)")));

  over.set_max_connections_per_peer(4);
  RecordingReporter equal;
  CheckMllpSource(Defaulted(over), equal);
  EXPECT_THAT(equal.errors, IsEmpty());
  EXPECT_THAT(equal.warnings, IsEmpty());
}

TEST(MllpSourceKindTest, RowDeclaresItsListenAddressAndRejectReasons) {
  kinds::SourceKind kind = MllpSourceKind();
  EXPECT_EQ(kind.name, "mllp");
  EXPECT_EQ(kind.config_type, navette::config::MllpSource::descriptor());
  navette::config::MllpSource config;
  config.set_listen("[::1]:2575");
  EXPECT_THAT(kind.listen_addresses(config), ElementsAre("[::1]:2575"));
  EXPECT_THAT(kind.listen_addresses(navette::config::MllpSource()), IsEmpty());
  EXPECT_EQ(kind.reject_reasons.size(), std::size(kRejectReasons));
  EXPECT_EQ(kind.reject_reasons.front(), "framing");
  EXPECT_EQ(kind.reject_reasons.back(), "tls_handshake");
}

TEST(MllpSourceKindTest, OptionsComeFromTheSettingsAndTheContext) {
  navette::config::MllpSource config;
  config.set_listen("[::1]:2575");
  config.set_max_message_bytes(4096);
  config.mutable_idle_timeout()->set_seconds(2);
  config.mutable_idle_timeout()->set_nanos(500'000'000);
  config.set_max_connections(10);
  config.set_max_connections_per_peer(3);
  RecordingScope scope;
  kinds::SourceContext context;
  context.name = "lab";
  context.default_charset = "8859/1";
  context.metrics = &scope;
  auto options = MllpSourceOptions(config, context);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->source_name, "lab");
  EXPECT_EQ(options->listen_host, "::1");
  EXPECT_EQ(options->listen_port, 2575);
  EXPECT_EQ(options->max_message_bytes, 4096u);
  EXPECT_EQ(options->idle_timeout, 2500ms);
  EXPECT_EQ(options->max_connections, 10u);
  EXPECT_EQ(options->max_connections_per_peer, 3u);
  EXPECT_EQ(options->default_charset, "8859/1");
  ASSERT_TRUE(options->on_rejected);
  options->on_rejected("too_large");
  EXPECT_THAT(scope.WaitFor(1), ElementsAre("too_large"));
}

TEST(MllpSourceKindTest, UnreadableListenIsASettingError) {
  navette::config::MllpSource config = Defaulted({});
  config.set_listen("localhost");
  kinds::SourceContext context;
  context.dry_run = true;
  auto created = MllpSourceKind().create(config, context);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(kinds::SettingErrorField(created.status()), "listen");
  EXPECT_THAT(std::string(created.status().message()),
              HasSubstr("invalid listen address 'localhost'"));
}

TEST(MllpSourceKindTest, TlsIsReadFromItsFilesWithItsHandshakeTimeout) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("navette-mllp-source-tls-" + std::to_string(::getpid()));
  navette::testing::TestPki pki(dir);
  ASSERT_TRUE(pki.ok()) << pki.error();
  navette::config::MllpSource config;
  config.set_listen("127.0.0.1:2575");
  config.mutable_tls()->set_cert_file(pki.Path("server.pem"));
  config.mutable_tls()->set_key_file(pki.Path("server.key"));
  config = Defaulted(config);
  EXPECT_EQ(config.tls().handshake_timeout().seconds(), kDefaultTlsHandshakeTimeoutSeconds);
  auto options = MllpSourceOptions(config, kinds::SourceContext());
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_NE(options->tls, nullptr);
  EXPECT_EQ(options->tls_handshake_timeout, std::chrono::seconds(10));

  // A dry run reads the files too, and names the setting at fault.
  config.mutable_tls()->set_key_file(pki.Path("client.key"));
  kinds::SourceContext context;
  context.dry_run = true;
  auto created = MllpSourceKind().create(config, context);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(kinds::SettingErrorField(created.status()), "tls.key_file");
  EXPECT_THAT(std::string(created.status().message()),
              HasSubstr("is not the key of the certificate in"));
  std::filesystem::remove_all(dir);
}

TEST(MllpSourceKindTest, DryRunBindsNothing) {
  // A port in use: a dry run on it succeeds, a real start fails.
  UnusedPublisher publisher;
  MllpServerOptions holder_options;
  holder_options.listen_host = "127.0.0.1";
  holder_options.listen_port = 0;
  MllpServer holder(holder_options, publisher);
  ASSERT_TRUE(holder.Start().ok());

  navette::config::MllpSource config = Defaulted({});
  config.set_listen(fmt::format("127.0.0.1:{}", holder.port()));
  kinds::SourceContext context;
  context.name = "lab";
  context.dry_run = true;
  auto dry = MllpSourceKind().create(config, context);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_EQ(*dry, nullptr);

  context.dry_run = false;
  context.connect_publisher =
      [](asio::io_context&) -> absl::StatusOr<std::unique_ptr<bus::Publisher>> {
    return std::make_unique<UnusedPublisher>();
  };
  auto real = MllpSourceKind().create(config, context);
  ASSERT_TRUE(real.ok()) << real.status();
  ASSERT_NE(*real, nullptr);
  absl::Status started = (*real)->Start();
  EXPECT_THAT(std::string(started.message()),
              HasSubstr(fmt::format("cannot listen on 127.0.0.1:{}", holder.port())));
  EXPECT_FALSE((*real)->Ready());
}

TEST(MllpSourceTest, StartedSourceIsReadyAndCountsRefusalsInItsScope) {
  RecordingScope scope;
  kinds::SourceContext context;
  context.name = "lab";
  context.default_charset = "UNICODE UTF-8";
  context.metrics = &scope;
  navette::config::MllpSource config = Defaulted({});
  config.set_listen("127.0.0.1:2575");  // the port is replaced below: any free one
  auto options = MllpSourceOptions(config, context);
  ASSERT_TRUE(options.ok()) << options.status();
  options->listen_port = 0;
  MllpSource source(std::move(*options),
                    [](asio::io_context&) -> absl::StatusOr<std::unique_ptr<bus::Publisher>> {
                      return std::make_unique<UnusedPublisher>();
                    });
  EXPECT_FALSE(source.Ready());
  ASSERT_TRUE(source.Start().ok());
  EXPECT_TRUE(source.Ready());

  auto client = MllpClient::Connect("127.0.0.1", source.port(), kArrival);
  ASSERT_TRUE(client.ok()) << client.status();
  auto ack = (*client)->Exchange("\r", kArrival);
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_THAT(*ack, HasSubstr("|AR|"));
  EXPECT_THAT(scope.WaitFor(1), ElementsAre("empty"));

  source.Stop();
  EXPECT_FALSE(source.Ready());
  source.Stop();  // idempotent
}

}  // namespace
}  // namespace navette::adapters::mllp
