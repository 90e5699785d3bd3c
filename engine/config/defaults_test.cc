#include "engine/config/defaults.h"
#include "engine/builtin_kinds.h"

#include <gtest/gtest.h>

namespace navette::engine::config {
namespace {

TEST(DefaultsTest, FillsEveryDefaultOfAnEmptyConfig) {
  navette::config::Config config;
  config.add_sources()->mutable_mllp()->set_listen("0.0.0.0:2575");
  config.add_destinations()->mutable_file()->set_directory("out");
  ApplyDefaults(config, BuiltinKinds());

  EXPECT_EQ(config.engine().admin().listen(), "127.0.0.1:8575");
  EXPECT_EQ(config.engine().admin().max_connections(), 256u);
  EXPECT_EQ(config.engine().admin().max_connections_per_peer(), 16u);
  EXPECT_EQ(config.engine().admin().request_timeout().seconds(), 10);
  EXPECT_EQ(config.engine().admin().max_body_bytes(), 64u * 1024);
  EXPECT_EQ(config.engine().ingress().max_batch(), 512u);
  EXPECT_EQ(config.engine().ingress().retransmission_window().seconds(), 24 * 3600);
  EXPECT_TRUE(config.engine().ingress().bind().empty());
  const navette::config::Source& source = config.sources(0);
  EXPECT_EQ(source.default_charset(), "UNICODE UTF-8");
  EXPECT_EQ(source.mllp().max_message_bytes(), 16u * 1024 * 1024);
  EXPECT_EQ(source.mllp().idle_timeout().seconds(), 300);
  EXPECT_EQ(source.mllp().max_connections(), 256u);
  EXPECT_EQ(source.mllp().max_connections_per_peer(), 32u);
  EXPECT_EQ(config.destinations(0).file().suffix(), ".hl7");
  EXPECT_EQ(config.hospital().practice_setting_code(), "ETABLISSEMENT");
  EXPECT_EQ(config.hospital().practice_setting_display(), "Etablissement de santé");
  EXPECT_TRUE(config.hospital().finess().empty());  // the hospital's own: no default
}

TEST(DefaultsTest, APracticeSettingCodeOfTheHospitalsKeepsItsOwnDisplay) {
  navette::config::Config config;
  config.mutable_hospital()->set_practice_setting_code("AMBULATOIRE");
  ApplyDefaults(config, BuiltinKinds());
  EXPECT_EQ(config.hospital().practice_setting_code(), "AMBULATOIRE");
  EXPECT_EQ(config.hospital().practice_setting_display(), "");  // not the default's label
}

TEST(DefaultsTest, KeepsWhatIsSetIncludingZeroDurations) {
  navette::config::Config config;
  config.mutable_engine()->mutable_admin()->set_listen("[::1]:9000");
  config.mutable_engine()->mutable_admin()->set_max_connections(32);
  config.mutable_engine()->mutable_admin()->set_max_connections_per_peer(2);
  config.mutable_engine()->mutable_admin()->mutable_request_timeout()->set_nanos(500000000);
  config.mutable_engine()->mutable_admin()->set_max_body_bytes(1024);
  config.mutable_engine()->mutable_ingress()->set_max_batch(8);
  // "0s" disables: it must not become the default.
  config.mutable_engine()->mutable_ingress()->mutable_retransmission_window();
  navette::config::Source& source = *config.add_sources();
  source.set_default_charset("8859/1");
  source.mutable_mllp()->set_max_message_bytes(1024);
  source.mutable_mllp()->mutable_idle_timeout();
  source.mutable_mllp()->set_max_connections(4);
  source.mutable_mllp()->set_max_connections_per_peer(2);
  config.add_destinations()->mutable_file()->set_suffix(".er7");
  ApplyDefaults(config, BuiltinKinds());

  EXPECT_EQ(config.engine().admin().listen(), "[::1]:9000");
  EXPECT_EQ(config.engine().admin().max_connections(), 32u);
  EXPECT_EQ(config.engine().admin().max_connections_per_peer(), 2u);
  EXPECT_EQ(config.engine().admin().request_timeout().seconds(), 0);
  EXPECT_EQ(config.engine().admin().request_timeout().nanos(), 500000000);
  EXPECT_EQ(config.engine().admin().max_body_bytes(), 1024u);
  EXPECT_EQ(config.engine().ingress().max_batch(), 8u);
  EXPECT_TRUE(config.engine().ingress().has_retransmission_window());
  EXPECT_EQ(config.engine().ingress().retransmission_window().seconds(), 0);
  EXPECT_EQ(config.sources(0).default_charset(), "8859/1");
  EXPECT_EQ(config.sources(0).mllp().max_message_bytes(), 1024u);
  EXPECT_EQ(config.sources(0).mllp().idle_timeout().seconds(), 0);
  EXPECT_EQ(config.sources(0).mllp().max_connections(), 4u);
  EXPECT_EQ(config.sources(0).mllp().max_connections_per_peer(), 2u);
  EXPECT_EQ(config.destinations(0).file().suffix(), ".er7");
}

TEST(DefaultsTest, PerPeerConnectionsDefaultToNoMoreThanTheTotal) {
  navette::config::Config config;
  config.add_sources()->mutable_mllp()->set_max_connections(8);
  config.add_sources()->mutable_mllp()->set_max_connections(1000);
  ApplyDefaults(config, BuiltinKinds());
  EXPECT_EQ(config.sources(0).mllp().max_connections_per_peer(), 8u);
  EXPECT_EQ(config.sources(1).mllp().max_connections_per_peer(), 32u);
}

TEST(DefaultsTest, LeavesKindsUnset) {
  // A source or destination without a kind is an error for the checks to
  // report, not something defaults should paper over.
  navette::config::Config config;
  config.add_sources()->set_name("nothing");
  config.add_destinations()->set_name("nowhere");
  ApplyDefaults(config, BuiltinKinds());
  EXPECT_EQ(config.sources(0).kind_case(), navette::config::Source::KIND_NOT_SET);
  EXPECT_EQ(config.destinations(0).kind_case(), navette::config::Destination::KIND_NOT_SET);
}

TEST(DefaultsTest, IsIdempotent) {
  navette::config::Config config;
  config.add_sources()->mutable_mllp();
  ApplyDefaults(config, BuiltinKinds());
  navette::config::Config again = config;
  ApplyDefaults(again, BuiltinKinds());
  EXPECT_EQ(again.SerializeAsString(), config.SerializeAsString());
}

TEST(DefaultsTest, DeliveryDefaultsDependOnTheKind) {
  navette::config::Config config;
  config.add_destinations()->mutable_file()->set_directory("out");
  config.add_destinations()->mutable_http()->set_url("http://127.0.0.1/in");
  config.add_destinations()->mutable_mllp()->set_address("127.0.0.1:2575");
  ApplyDefaults(config, BuiltinKinds());

  const navette::config::Delivery& file = config.destinations(0).delivery();
  EXPECT_EQ(file.max_in_flight(), 2u);
  EXPECT_EQ(file.ordering(), navette::config::Delivery::NONE);
  EXPECT_EQ(file.retry().initial_delay().seconds(), 1);
  EXPECT_EQ(file.retry().factor(), 2);
  EXPECT_EQ(file.retry().max_delay().seconds(), 300);
  EXPECT_EQ(file.retry().max_age().seconds(), 72 * 3600);
  EXPECT_EQ(file.retry().jitter(), 0.2);
  EXPECT_EQ(file.circuit_breaker().failure_threshold(), 5u);
  EXPECT_EQ(file.circuit_breaker().open_duration().seconds(), 5);
  EXPECT_EQ(file.max_backlog(), 10000u);  // files share the engine's cores: backpressure
  for (int i : {1, 2}) {
    EXPECT_EQ(config.destinations(i).delivery().max_in_flight(), 4u) << i;
    EXPECT_TRUE(config.destinations(i).delivery().has_max_backlog()) << i;
    EXPECT_EQ(config.destinations(i).delivery().max_backlog(), 0u) << i;  // a peer's pace
  }
  EXPECT_EQ(config.destinations(1).http().connect_timeout().seconds(), 5);
  EXPECT_EQ(config.destinations(1).http().timeout().seconds(), 30);
  EXPECT_EQ(config.destinations(2).mllp().ack_timeout().seconds(), 30);
  EXPECT_EQ(config.destinations(2).mllp().on_ae(), navette::config::MllpDestination::TRANSIENT);
  EXPECT_EQ(config.destinations(2).mllp().on_ar(), navette::config::MllpDestination::PERMANENT);
}

TEST(DefaultsTest, ZeroFailureThresholdAndZeroJitterStay) {
  // 0 turns the circuit breaker off and the jitter off: not "the default".
  navette::config::Config config;
  navette::config::Delivery& delivery = *config.add_destinations()->mutable_delivery();
  delivery.mutable_circuit_breaker()->set_failure_threshold(0);
  delivery.mutable_retry()->set_jitter(0);
  delivery.mutable_retry()->mutable_max_age();  // 0s: no limit
  ApplyDefaults(config, BuiltinKinds());
  EXPECT_TRUE(config.destinations(0).delivery().circuit_breaker().has_failure_threshold());
  EXPECT_EQ(config.destinations(0).delivery().circuit_breaker().failure_threshold(), 0u);
  EXPECT_EQ(config.destinations(0).delivery().retry().jitter(), 0);
  EXPECT_EQ(config.destinations(0).delivery().retry().max_age().seconds(), 0);
}

}  // namespace
}  // namespace navette::engine::config
