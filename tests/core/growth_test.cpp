#include <hashtag_exporter/growth.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <utility>

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

// What the store finds around the window's instant in a history of two snapshots: `reference`,
// taken `age` seconds before `latest`, and `latest`.
ReferenceSnapshots two_snapshot_history(const Snapshot& reference, const Snapshot& latest,
                                        const GrowthWindow& window) {
  ReferenceSnapshots found;
  const auto instant = reference_instant(latest.timestamp, window);
  if (reference.timestamp <= instant) {
    found.at_or_before = reference;
    found.after = latest;
  } else {
    found.after = reference;
  }
  if (reference.timestamp <= reference_not_after(latest.timestamp, window)) {
    found.old_enough = reference;
  }
  return found;
}

Growth growth_after(std::int64_t age, const GrowthWindow& window, Snapshot reference,
                    Snapshot latest) {
  latest.timestamp = kLatest;
  reference.timestamp = kLatest - age;
  return compute_growth(latest, two_snapshot_history(reference, latest, window), window);
}

Snapshot at(std::int64_t timestamp, std::int64_t videos, std::int64_t views) {
  auto snapshot = counts(videos, views);
  snapshot.timestamp = timestamp;
  return snapshot;
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
  const auto growth = compute_growth(at(kLatest, 100, 100), {}, kOneDay);
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

  // Two windows back is still used: the count a window back is interpolated halfway, 110.
  const auto exactly_two = growth_after(2 * kDay, kOneDay, counts(100, 100), counts(120, 100));
  ASSERT_TRUE(exactly_two.videos);
  EXPECT_DOUBLE_EQ(*exactly_two.videos, 10.0 / 110.0 * 100.0);
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
  const auto early = growth_after(6 * kDay + 18 * kHour, kSevenDays, counts(1000, 1000),
                                  counts(1500, 1000));  // 6.75 days: within the 5 % slack
  ASSERT_TRUE(early.videos);
  EXPECT_DOUBLE_EQ(*early.videos, 50.0);

  EXPECT_FALSE(growth_after(6 * kDay, kSevenDays, counts(1000, 1000), counts(1500, 1000)).videos);
  EXPECT_TRUE(growth_after(13 * kDay, kSevenDays, counts(1000, 1000), counts(1500, 1000)).videos);
  EXPECT_FALSE(growth_after(15 * kDay, kSevenDays, counts(1000, 1000), counts(1500, 1000)).videos);
}

TEST(ExactWindowTest, InterpolatesTheCountAtExactlyOneWindowBack) {
  // 1000 videos 30 h ago, 2000 20 h ago: 24 h ago, 6/10 of the way, 1600.
  const ReferenceSnapshots around{.at_or_before = at(kLatest - 30 * kHour, 1000, 10'000),
                                  .after = at(kLatest - 20 * kHour, 2000, 20'000)};
  const auto growth = compute_growth(at(kLatest, 2400, 24'000), around, kOneDay);
  ASSERT_TRUE(growth.videos);
  ASSERT_TRUE(growth.views);
  EXPECT_DOUBLE_EQ(*growth.videos, 50.0);
  EXPECT_DOUBLE_EQ(*growth.views, 50.0);
}

TEST(ExactWindowTest, ASnapshotExactlyOneWindowBackIsTheReference) {
  const ReferenceSnapshots around{.at_or_before = at(kLatest - kDay, 1000, 1000),
                                  .after = at(kLatest - 20 * kHour, 5000, 5000)};
  EXPECT_DOUBLE_EQ(*compute_growth(at(kLatest, 1100, 1000), around, kOneDay).videos, 10.0);
}

TEST(ExactWindowTest, WithNothingAfterTheInstantButTheLatestItInterpolatesToTheLatest) {
  const ReferenceSnapshots around{.at_or_before = at(kLatest - 2 * kDay, 1000, 1000)};
  // Halfway between 1000 and 1200: 1100.
  const auto growth = compute_growth(at(kLatest, 1200, 1000), around, kOneDay);
  EXPECT_DOUBLE_EQ(*growth.videos, 100.0 / 1100.0 * 100.0);
}

TEST(ExactWindowTest, IrregularPollsStillMeasureExactlyOneDay) {
  // A count growing 1 % per hour, polled at irregular times: the growth over "1d" is that of
  // 24 hours, whatever the polls, within what linear interpolation of a smooth curve loses.
  const auto count = [](double hours) { return 1'000'000 * std::pow(1.01, hours); };
  const double truth = (std::pow(1.01, 24) - 1) * 100;
  for (const auto& [before, after] : {std::pair{-25.0, -23.5}, {-24.2, -22.0}, {-24.0, -20.0}}) {
    const ReferenceSnapshots around{
        .at_or_before =
            at(kLatest + static_cast<std::int64_t>(before * kHour), std::llround(count(before)), 0),
        .after =
            at(kLatest + static_cast<std::int64_t>(after * kHour), std::llround(count(after)), 0)};
    const auto growth = compute_growth(at(kLatest, std::llround(count(0)), 0), around, kOneDay);
    ASSERT_TRUE(growth.videos);
    EXPECT_NEAR(*growth.videos, truth, 0.05) << before << " " << after;
  }
}

TEST(ExactWindowTest, AGapOfMoreThanTwoWindowsFallsBackToTheSection3Rule) {
  const auto latest = at(kLatest, 1500, 1500);
  ReferenceSnapshots around{.at_or_before = at(kLatest - 3 * kDay, 1000, 1000),
                            .after = at(kLatest - 23 * kHour, 1200, 1200)};
  EXPECT_TRUE(needs_fallback(latest, around, kOneDay));
  EXPECT_FALSE(compute_growth(latest, around, kOneDay).videos);  // not looked up: none
  around.old_enough = around.after;
  EXPECT_DOUBLE_EQ(*compute_growth(latest, around, kOneDay).videos, 25.0);
}

TEST(ExactWindowTest, SnapshotsOnTheWrongSideOfTheInstantAreNotUsed) {
  const auto latest = at(kLatest, 1500, 1500);
  // An "at or before" after the instant is the store's mistake: the §3 rule decides.
  const ReferenceSnapshots wrong{.at_or_before = at(kLatest - 10 * kHour, 1000, 1000)};
  EXPECT_TRUE(needs_fallback(latest, wrong, kOneDay));
  EXPECT_FALSE(compute_growth(latest, wrong, kOneDay).videos);
  // An "after" before the instant is ignored: the latest brackets it instead.
  const ReferenceSnapshots stale_after{.at_or_before = at(kLatest - 2 * kDay, 1000, 1000),
                                       .after = at(kLatest - 40 * kHour, 9000, 9000)};
  EXPECT_DOUBLE_EQ(*compute_growth(at(kLatest, 1200, 1000), stale_after, kOneDay).videos,
                   100.0 / 1100.0 * 100.0);
}

}  // namespace
}  // namespace hashtag_exporter
