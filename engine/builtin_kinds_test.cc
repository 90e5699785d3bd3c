// The built-in destination rows as the engine uses them: registered in
// order, with their traits, and factories that build nothing in a dry run.
#include "engine/builtin_kinds.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "tests/support/engine_process.h"

namespace navette::engine {
namespace {

// A context as the engine makes it, for `destination` with its defaults.
kinds::DestinationContext ContextFor(const kinds::DestinationKind& kind,
                                     const std::filesystem::path& data_dir, bool dry_run) {
  kinds::DestinationContext context;
  context.name = "out";
  context.data_dir = data_dir;
  context.clock = &Clock::System();
  navette::config::Delivery delivery;
  delivery.set_max_in_flight(kind.traits.default_max_in_flight);
  context.policy = kinds::DeliveryPolicy::From(delivery, kind.traits);
  context.dry_run = dry_run;
  return context;
}

TEST(BuiltinKindsTest, DestinationsInTheirOrderWithTheirTraits) {
  const auto& destinations = BuiltinKinds().destinations();
  ASSERT_EQ(destinations.size(), 5u);
  EXPECT_EQ(destinations[0].name, "file");
  EXPECT_EQ(destinations[1].name, "http");
  EXPECT_EQ(destinations[2].name, "mllp");
  EXPECT_EQ(destinations[3].name, "dmp");
  EXPECT_EQ(destinations[4].name, "mssante");
  // The file destination batches (one syncfs for many files), two batches
  // at a time so that one's flushes overlap the other's writes; network
  // kinds send one message an exchange, several exchanges at once.
  EXPECT_EQ(destinations[0].traits.batch_size, 256u);
  EXPECT_EQ(destinations[0].traits.default_max_in_flight, 2u);
  for (int i : {1, 2, 3}) {
    EXPECT_EQ(destinations[i].traits.batch_size, 1u) << i;
    EXPECT_EQ(destinations[i].traits.default_max_in_flight, 4u) << i;
  }
  // An MSSanté operator counts its clients' connections: two by default.
  EXPECT_EQ(destinations[4].traits.batch_size, 1u);
  EXPECT_EQ(destinations[4].traits.default_max_in_flight, 2u);
}

TEST(BuiltinKindsTest, FileDryRunCreatesNoDirectory) {
  const std::filesystem::path dir = testing::FreshTestDir("builtin_kinds");
  const kinds::DestinationKind& file = *BuiltinKinds().FindDestination("file");
  navette::config::Destination config;
  config.mutable_file()->set_directory("outbox");
  file.apply_defaults(*config.mutable_file());

  auto dry = file.create(config.file(), ContextFor(file, dir, /*dry_run=*/true));
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_FALSE(std::filesystem::exists(dir / "outbox"));

  auto built = file.create(config.file(), ContextFor(file, dir, /*dry_run=*/false));
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_NE(*built, nullptr);
  EXPECT_TRUE(std::filesystem::is_directory(dir / "outbox"));  // relative to the data dir
  std::filesystem::remove_all(dir);
}

TEST(BuiltinKindsTest, NetworkKindsBuildWithTheirDefaultsAndNothingInADryRun) {
  navette::config::Destination http;
  http.mutable_http()->set_url("http://127.0.0.1:1/in");
  navette::config::Destination mllp;
  mllp.mutable_mllp()->set_address("127.0.0.1:1");
  for (auto [name, settings] :
       {std::pair{"http", static_cast<google::protobuf::Message*>(http.mutable_http())},
        std::pair{"mllp", static_cast<google::protobuf::Message*>(mllp.mutable_mllp())}}) {
    const kinds::DestinationKind& kind = *BuiltinKinds().FindDestination(name);
    // Without the timeouts' defaults, the factories refuse the settings.
    kind.apply_defaults(*settings);
    auto dry = kind.create(*settings, ContextFor(kind, "/nonexistent", /*dry_run=*/true));
    ASSERT_TRUE(dry.ok()) << name << ": " << dry.status();
    EXPECT_EQ(*dry, nullptr) << name;
    auto built = kind.create(*settings, ContextFor(kind, "/nonexistent", /*dry_run=*/false));
    ASSERT_TRUE(built.ok()) << name << ": " << built.status();
    EXPECT_NE(*built, nullptr) << name;
  }
}

}  // namespace
}  // namespace navette::engine
