#include <hashtag_exporter/baseline.hpp>
#include <hashtag_exporter/utc_day.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace hashtag_exporter {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kMidnight = 1'767'225'600;  // 2026-01-01T00:00:00Z
const GrowthWindow kOneDay{.label = "1d", .length = std::chrono::seconds(kDay)};

// Snapshots every `step` seconds for `days` days up to `end`, the video count growing by
// `daily_percent(day)` on each day (compounded within the day).
template <class Daily>
std::vector<Snapshot> history(std::int64_t end, int days, std::int64_t step, Daily daily_percent) {
  std::vector<Snapshot> snapshots;
  double count = 1'000'000;
  const auto start = end - days * kDay;
  for (std::int64_t t = start; t <= end; t += step) {
    snapshots.push_back({.timestamp = t,
                         .source = "tiktok",
                         .hashtag = "a",
                         .video_count = std::llround(count),
                         .view_count = 0});
    const double percent = daily_percent(static_cast<int>((t - start) / kDay));
    count *= std::pow(1 + percent / 100, static_cast<double>(step) / kDay);
  }
  return snapshots;
}

TEST(Median, OfOddAndEvenCounts) {
  EXPECT_EQ(median({}), std::nullopt);
  EXPECT_DOUBLE_EQ(*median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(*median({4, 1, 3, 2}), 2.5);
}

TEST(UtcMidnight, RoundsDownAlsoBeforeTheEpoch) {
  EXPECT_EQ(utc_midnight(kMidnight + 3600), kMidnight);
  EXPECT_EQ(utc_midnight(kMidnight), kMidnight);
  EXPECT_EQ(utc_midnight(-1), -kDay);
}

TEST(BaselineTest, IsTheMedianOfTheDailyGrowthOfTheLast28Days) {
  // 40 days: growth 2 % a day except every fifth day at 10 %: the median is 2, the MAD 0.
  const auto snapshots =
      history(kMidnight + 3600, 40, 3600, [](int day) { return day % 5 == 0 ? 10.0 : 2.0; });
  const auto found = baseline(snapshots, kMidnight + 3600, kOneDay);
  ASSERT_TRUE(found);
  EXPECT_NEAR(found->median_percent, 2.0, 0.01);
  EXPECT_NEAR(found->mad_percent, 0.0, 0.01);
}

TEST(BaselineTest, ReadsOnlyTheLast28Days) {
  // 20 %/day for the first 12 of 40 days, then 1 %/day: the last 28 midnights see only 1 %.
  const auto snapshots =
      history(kMidnight, 40, 6 * 3600, [](int day) { return day < 12 ? 20.0 : 1.0; });
  EXPECT_NEAR(baseline(snapshots, kMidnight, kOneDay)->median_percent, 1.0, 0.01);
}

TEST(BaselineTest, AbsentWithUnderSevenDaysOfGrowth) {
  const auto two = [](int) { return 2.0; };
  // 6 days of history up to midnight give 6 daily growths, 7 days 7.
  EXPECT_FALSE(baseline(history(kMidnight, 6, 3600, two), kMidnight, kOneDay));
  EXPECT_TRUE(baseline(history(kMidnight, 7, 3600, two), kMidnight, kOneDay));
  EXPECT_FALSE(baseline(std::vector<Snapshot>{}, kMidnight, kOneDay));
  const std::vector<Snapshot> single{{.timestamp = kMidnight, .video_count = 10}};
  EXPECT_FALSE(baseline(single, kMidnight, kOneDay));
}

TEST(BaselineTest, GapsInTheHistoryAreInterpolatedAcrossNotExtrapolated) {
  // Snapshots 5 days apart, from 30 days back to now: every midnight is interpolated.
  auto snapshots = history(kMidnight, 30, 5 * kDay, [](int) { return 2.0; });
  ASSERT_EQ(snapshots.size(), 7u);
  const auto found = baseline(snapshots, kMidnight, kOneDay);
  ASSERT_TRUE(found);
  EXPECT_NEAR(found->median_percent, 2.0, 0.1);
  // Ending 20 days back: the midnights from 20 to 27 days back (8 growths) remain.
  snapshots.resize(3);
  EXPECT_TRUE(baseline(snapshots, kMidnight, kOneDay));
  // Ending 25 days back: 3 growths, and nothing is extrapolated past the last snapshot.
  snapshots.resize(2);
  EXPECT_FALSE(baseline(snapshots, kMidnight, kOneDay));
}

TEST(BreakoutScore, IsRobustUnitsAboveTheMedianWithTheMadFloored) {
  const Baseline steady{.median_percent = 2, .mad_percent = 1};
  EXPECT_DOUBLE_EQ(breakout_score(2, steady), 0);
  EXPECT_DOUBLE_EQ(breakout_score(2 + 3 * 1.4826, steady), 3);
  EXPECT_DOUBLE_EQ(breakout_score(1, steady), -1 / 1.4826);
  // A flat history has a MAD of 0: the floor keeps the score finite.
  const Baseline flat{.median_percent = 2, .mad_percent = 0};
  EXPECT_DOUBLE_EQ(breakout_score(3, flat), 1 / (1.4826 * kMinMadPercent));
}

}  // namespace
}  // namespace hashtag_exporter
