#include "engine/config/source_map.h"

#include <gtest/gtest.h>

namespace navette::engine::config {
namespace {

TEST(SourceMapTest, BuildsPaths) {
  EXPECT_EQ(FieldPathJoin("", "sources"), "sources");
  EXPECT_EQ(FieldPathJoin("sources[0]", "mllp"), "sources[0].mllp");
  EXPECT_EQ(IndexPathJoin("routes", 3), "routes[3]");
  EXPECT_EQ(MapKeyPathJoin("routes[0].match.fields", "PID-3.1"),
            "routes[0].match.fields[\"PID-3.1\"]");
  EXPECT_EQ(MapKeyPathJoin("m", "a\"b\\c"), "m[\"a\\\"b\\\\c\"]");
}

TEST(SourceMapTest, ParentPathHonoursQuotedKeys) {
  EXPECT_EQ(ParentPath("sources[0].mllp.listen"), "sources[0].mllp");
  EXPECT_EQ(ParentPath("sources[0].mllp"), "sources[0]");
  EXPECT_EQ(ParentPath("sources[0]"), "sources");
  EXPECT_EQ(ParentPath("sources"), "");
  EXPECT_EQ(ParentPath(""), std::nullopt);
  EXPECT_EQ(ParentPath("routes[0].match.fields[\"OBX[2]-3.1\"]"), "routes[0].match.fields");
  EXPECT_EQ(ParentPath("m[\"a\\\".b\"]"), "m");
}

TEST(SourceMapTest, LocateFallsBackToTheNearestAncestor) {
  SourceMap map;
  map.RecordValue("", {1, 1});
  map.RecordValue("routes[1]", {12, 5});
  map.RecordValue("routes[1].to[0]", {14, 9});
  map.RecordKey("routes[1].to", {13, 5});

  EXPECT_EQ(map.Locate("routes[1].to[0]"), (SourcePosition{14, 9}));
  EXPECT_EQ(map.Locate("routes[1].match.fields[\"PID-3\"]"), (SourcePosition{12, 5}));
  EXPECT_EQ(map.Locate("destinations"), (SourcePosition{1, 1}));
  EXPECT_EQ(map.LocateKey("routes[1].to"), (SourcePosition{13, 5}));
  EXPECT_EQ(map.LocateKey("routes[1].to[0]"), (SourcePosition{14, 9}));
  EXPECT_FALSE(SourceMap().Locate("anything").known());
}

TEST(SourceMapTest, InvalidPaths) {
  SourceMap map;
  map.MarkInvalid("sources[1].mllp.listen");
  EXPECT_TRUE(map.IsInvalid("sources[1].mllp.listen"));
  EXPECT_FALSE(map.IsInvalid("sources[1].mllp"));
  EXPECT_TRUE(map.HasInvalidWithin("sources[1]"));
  EXPECT_TRUE(map.HasInvalidWithin("sources[1].mllp.listen"));
  EXPECT_TRUE(map.HasInvalidWithin("sources"));
  EXPECT_TRUE(map.HasInvalidWithin(""));
  // A shared prefix is not enough: sources[1] is not under sources[10]...
  EXPECT_FALSE(map.HasInvalidWithin("sources[0]"));
  EXPECT_FALSE(map.HasInvalidWithin("sources[1].mll"));
  EXPECT_FALSE(SourceMap().HasInvalidWithin(""));
}

}  // namespace
}  // namespace navette::engine::config
