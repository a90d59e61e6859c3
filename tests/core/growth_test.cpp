#include <hashtag_exporter/growth.hpp>

#include <gtest/gtest.h>

namespace hashtag_exporter {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kLatest = 1'780'000'000;

const GrowthWindow kOneDay{.label = "1d", .length = std::chrono::seconds(kDay)};
const GrowthWindow kSevenDays{.label = "7d", .length = std::chrono::seconds(7 * kDay)};

Snapshot counts(std::int64_t videos, std::int64_t views) {
  return {.source = "tiktok", .hashtag = "aitools", .video_count = videos, .view_count = views};
}

// The growth of a reference taken `age` seconds before a latest snapshot.
Growth growth_after(std::int64_t age, const GrowthWindow& window, Snapshot reference,
                    Snapshot latest) {
  latest.timestamp = kLatest;
  reference.timestamp = kLatest - age;
  return compute_growth(latest, reference, window);
}

TEST(GrowthTest, PercentOfTheReference) {
  const auto growth = growth_after(kDay, kOneDay, counts(1000, 200'000), counts(1050, 300'000));
  ASSERT_TRUE(growth.videos);
  ASSERT_TRUE(growth.views);
  EXPECT_DOUBLE_EQ(*growth.videos, 5.0);
  EXPECT_DOUBLE_EQ(*growth.views, 50.0);
}

TEST(GrowthTest, ShrinkingCountsGiveNegativeGrowth) {
  const auto growth = growth_after(kDay, kOneDay, counts(200, 1000), counts(150, 1000));
  ASSERT_TRUE(growth.videos);
  EXPECT_DOUBLE_EQ(*growth.videos, -25.0);
  ASSERT_TRUE(growth.views);
  EXPECT_DOUBLE_EQ(*growth.views, 0.0);
}

TEST(GrowthTest, ReferenceMayBeUpToFivePercentOfTheWindowYounger) {
  // 5 % of a day is 1.2 h: a reference 22.8 h old is the youngest still accepted.
  EXPECT_EQ(reference_not_after(kLatest, kOneDay), kLatest - 22 * kHour - 48 * 60);
  const auto early_cron =
      growth_after(22 * kHour + 54 * 60, kOneDay, counts(100, 100), counts(110, 100));  // 22.9 h
  ASSERT_TRUE(early_cron.videos);
  EXPECT_DOUBLE_EQ(*early_cron.videos, 10.0);

  const auto too_young =
      growth_after(22 * kHour + 42 * 60, kOneDay, counts(100, 100), counts(110, 100));  // 22.7 h
  EXPECT_FALSE(too_young.videos);
  EXPECT_FALSE(too_young.views);
}

TEST(GrowthTest, NoReferenceMeansNoGrowth) {
  const auto growth = compute_growth(counts(100, 100), std::nullopt, kOneDay);
  EXPECT_FALSE(growth.videos);
  EXPECT_FALSE(growth.views);
}

TEST(GrowthTest, ZeroReferenceMeansNoGrowth) {
  EXPECT_FALSE(growth_percent(0, 100));
  const auto growth = growth_after(kDay, kOneDay, counts(0, 0), counts(10, 10));
  EXPECT_FALSE(growth.videos);
  EXPECT_FALSE(growth.views);
}

TEST(GrowthTest, VideosAndViewsAreIndependent) {
  const auto growth = growth_after(kDay, kOneDay, counts(0, 1000), counts(10, 1100));
  EXPECT_FALSE(growth.videos);
  ASSERT_TRUE(growth.views);
  EXPECT_DOUBLE_EQ(*growth.views, 10.0);
}

TEST(GrowthTest, ReferenceOlderThanTwoWindowsIsTooOld) {
  EXPECT_TRUE(reference_is_recent(kLatest - 2 * kDay, kLatest, kOneDay));
  EXPECT_FALSE(reference_is_recent(kLatest - 2 * kDay - 1, kLatest, kOneDay));

  const auto exactly_two = growth_after(2 * kDay, kOneDay, counts(100, 100), counts(120, 100));
  ASSERT_TRUE(exactly_two.videos);
  EXPECT_DOUBLE_EQ(*exactly_two.videos, 20.0);
  const auto stale = growth_after(2 * kDay + 1, kOneDay, counts(100, 100), counts(120, 100));
  EXPECT_FALSE(stale.videos);
  EXPECT_FALSE(stale.views);
}

TEST(GrowthTest, SevenDayWindow) {
  // 95 % of 7 days is 6.65 days.
  EXPECT_EQ(reference_not_after(kLatest, kSevenDays), kLatest - 574'560);
  const auto week = growth_after(7 * kDay, kSevenDays, counts(1000, 1000), counts(1500, 1000));
  ASSERT_TRUE(week.videos);
  EXPECT_DOUBLE_EQ(*week.videos, 50.0);

  EXPECT_FALSE(growth_after(6 * kDay, kSevenDays, counts(1000, 1000), counts(1500, 1000)).videos);
  EXPECT_TRUE(growth_after(13 * kDay, kSevenDays, counts(1000, 1000), counts(1500, 1000)).videos);
  EXPECT_FALSE(growth_after(15 * kDay, kSevenDays, counts(1000, 1000), counts(1500, 1000)).videos);
}

}  // namespace
}  // namespace hashtag_exporter
