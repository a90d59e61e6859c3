#include <hashtag_exporter/shard.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace hashtag_exporter {
namespace {

TEST(ShardTest, AssignmentIsPinnedSoItNeverChangesAcrossVersions) {
  // FNV-1a 64 of "source\0hashtag" modulo the count, computed independently; a change here
  // would move hashtags between running shards.
  EXPECT_EQ(shard_of("tiktok", "aitools", 3), 2u);
  EXPECT_EQ(shard_of("tiktok", "llm", 3), 0u);
  EXPECT_EQ(shard_of("tiktok", "chatgpt", 3), 1u);
  EXPECT_EQ(shard_of("demo", "aitools", 3), 0u);
  EXPECT_EQ(shard_of("tiktok", "aitools", 1), 0u);
}

TEST(ShardTest, SourceAndHashtagAreNotConcatenatedAmbiguously) {
  // "ab"+"c" and "a"+"bc" are different pairs; the separator keeps them apart.
  std::map<std::uint32_t, int> differing;
  for (std::uint32_t count = 2; count < 40; ++count) {
    if (shard_of("ab", "c", count) != shard_of("a", "bc", count)) ++differing[count];
  }
  EXPECT_FALSE(differing.empty());
}

TEST(ShardTest, EveryHashtagBelongsToExactlyOneShardAndTheSplitIsEven) {
  constexpr std::uint32_t kCount = 3;
  std::map<std::uint32_t, int> per_shard;
  for (int i = 0; i < 3000; ++i) {
    const auto hashtag = "tag" + std::to_string(i);
    int owners = 0;
    for (std::uint32_t index = 0; index < kCount; ++index) {
      if (Shard{index, kCount}.owns("tiktok", hashtag)) {
        ++owners;
        ++per_shard[index];
      }
    }
    EXPECT_EQ(owners, 1) << hashtag;
  }
  for (const auto& [index, owned] : per_shard) {
    EXPECT_GT(owned, 850) << "shard " << index;
    EXPECT_LT(owned, 1150) << "shard " << index;
  }
}

TEST(ShardTest, RejectsAnIndexOutsideTheCount) {
  EXPECT_EQ(make_shard(2, 3).index, 2u);
  try {
    make_shard(3, 3);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "--shard.index 3 must be below --shard.count 3");
  }
  EXPECT_THROW(make_shard(0, 0), std::invalid_argument);
}

TEST(ShardTest, ReadsTheStatefulSetOrdinalFromTheHostname) {
  EXPECT_EQ(shard_index_from_hostname("hashtag-exporter-0"), 0u);
  EXPECT_EQ(shard_index_from_hostname("hashtag-exporter-12"), 12u);
  try {
    shard_index_from_hostname("hashtag-exporter");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "--shard.index-from-hostname: hostname \"hashtag-exporter\" does not end in -N "
                 "(a StatefulSet pod ordinal)");
  }
  EXPECT_THROW(shard_index_from_hostname("web-"), std::invalid_argument);
  EXPECT_THROW(shard_index_from_hostname("web-1a"), std::invalid_argument);
}

}  // namespace
}  // namespace hashtag_exporter
