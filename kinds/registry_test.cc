#include "kinds/registry.h"

#include <gtest/gtest.h>

#include <google/protobuf/duration.pb.h>

namespace navette::kinds {
namespace {

using navette::config::Destination;
using navette::config::FileDestination;

absl::StatusOr<std::unique_ptr<adapters::Destination>> NoDestination(const FileDestination&,
                                                                     const DestinationContext&) {
  return std::unique_ptr<adapters::Destination>();
}

// A kind whose settings are a message config.proto does not name: it lives
// in the oneof's `extension`. Duration stands in for a kind's own message.
absl::StatusOr<std::unique_ptr<adapters::Destination>> NoDurationDestination(
    const google::protobuf::Duration&, const DestinationContext&) {
  return std::unique_ptr<adapters::Destination>();
}

TEST(KindRegistryTest, FindsABuiltInKindByItsOneofMember) {
  KindRegistry registry;
  ASSERT_TRUE(registry
                  .Add(Erase(TypedDestinationKind<FileDestination>{.name = "file",
                                                                   .create = NoDestination}))
                  .ok());
  Destination destination;
  destination.mutable_file()->set_directory("out");
  const DestinationKind* kind = registry.KindOf(destination);
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->name, "file");
  EXPECT_EQ(KindName(destination, registry), "file");
  auto settings = KindSettings::Of(destination, kind->config_type);
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(static_cast<const FileDestination&>(**settings).directory(), "out");
}

TEST(KindRegistryTest, FindsAnExtensionKindByItsPackedType) {
  KindRegistry registry;
  ASSERT_TRUE(registry
                  .Add(Erase(TypedDestinationKind<google::protobuf::Duration>{
                      .name = "slow_sink", .create = NoDurationDestination}))
                  .ok());
  google::protobuf::Duration settings;
  settings.set_seconds(7);
  Destination destination;
  destination.mutable_extension()->PackFrom(settings);
  const DestinationKind* kind = registry.KindOf(destination);
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(KindName(destination, registry), "slow_sink");

  ASSERT_TRUE(EditKindSettings(destination, kind->config_type, [](google::protobuf::Message& m) {
                static_cast<google::protobuf::Duration&>(m).set_nanos(5);
              }).ok());
  auto read = KindSettings::Of(destination, kind->config_type);
  ASSERT_TRUE(read.ok());
  const auto& duration = static_cast<const google::protobuf::Duration&>(**read);
  EXPECT_EQ(duration.seconds(), 7);
  EXPECT_EQ(duration.nanos(), 5);
}

TEST(KindRegistryTest, RefusesTakenNamesAndNamesThatShadowAField) {
  KindRegistry registry;
  auto file = TypedDestinationKind<FileDestination>{.name = "file", .create = NoDestination};
  ASSERT_TRUE(registry.Add(Erase(file)).ok());
  EXPECT_EQ(registry.Add(Erase(file)).code(), absl::StatusCode::kAlreadyExists);
  // "http" is a member of the oneof, but of another type.
  auto wrong = TypedDestinationKind<FileDestination>{.name = "http", .create = NoDestination};
  EXPECT_FALSE(registry.Add(Erase(wrong)).ok());
  // "delivery" is a field of Destination, not a kind.
  auto shadow = TypedDestinationKind<FileDestination>{.name = "delivery", .create = NoDestination};
  EXPECT_FALSE(registry.Add(Erase(shadow)).ok());
  auto no_factory = TypedDestinationKind<FileDestination>{.name = "other"};
  EXPECT_FALSE(registry.Add(Erase(no_factory)).ok());
}

TEST(KindRegistryTest, NoKindSetHasNoKind) {
  KindRegistry registry;
  Destination destination;
  EXPECT_EQ(registry.KindOf(destination), nullptr);
  EXPECT_EQ(KindName(destination, registry), "");
  auto settings = KindSettings::Of(destination, nullptr);
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->get(), nullptr);
}

TEST(SettingErrorTest, CarriesTheFieldItNames) {
  absl::Status error = SettingError("tls.ca_file", "holds no certificate");
  EXPECT_EQ(error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(error.message(), "holds no certificate");
  EXPECT_EQ(SettingErrorField(error), "tls.ca_file");
  EXPECT_EQ(SettingErrorField(absl::UnavailableError("x")), "");
}

}  // namespace
}  // namespace navette::kinds
