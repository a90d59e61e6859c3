#include <hashtag_exporter/credit_budget.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hashtag_exporter {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// 2026-01-01T00:00:00Z and the last second of that day.
constexpr std::int64_t kMidnight = 1'767'225'600;
constexpr std::int64_t kLastSecond = kMidnight + 86400 - 1;

const std::vector<std::string> kHashtags{"a", "b", "c", "d"};

TEST(CreditBudget, WithoutABudgetEverythingIsFetched) {
  CreditBudget budget;
  budget.spend(1'000'000);
  const auto plan = budget.plan(kHashtags, 0, kMidnight);
  EXPECT_EQ(budget.spent_today(), 4u);  // still counted without a budget, for the metrics
  EXPECT_EQ(plan.fetch, kHashtags);
  EXPECT_THAT(plan.paused, IsEmpty());
  EXPECT_FALSE(plan.exhausted);
}

TEST(CreditBudget, ABudgetThatCoversTheRoundFetchesEverything) {
  CreditBudget budget;
  const auto plan = budget.plan(kHashtags, 4, kMidnight);
  EXPECT_EQ(plan.fetch, kHashtags);
  EXPECT_FALSE(plan.exhausted);
}

TEST(CreditBudget, EachHashtagFetchedAndEachExtraRequestCountAgainstTheDay) {
  CreditBudget budget;
  budget.plan(kHashtags, 10, kMidnight);
  EXPECT_EQ(budget.spent_today(), 4u);  // one per hashtag, counted when planned
  budget.spend(3);                      // retries
  EXPECT_EQ(budget.spent_today(), 7u);
  EXPECT_EQ(budget.left(10, kMidnight + 60), 3u);
  EXPECT_EQ(budget.left(0, kMidnight + 60), std::nullopt);
  EXPECT_EQ(budget.left(10, kMidnight + 86400), 10u);  // tomorrow
  const auto plan = budget.plan(kHashtags, 10, kMidnight + 3600);
  EXPECT_THAT(plan.fetch, ElementsAre("a", "b", "c"));
  EXPECT_THAT(plan.paused, ElementsAre("d"));
  EXPECT_TRUE(plan.exhausted);
}

TEST(CreditBudget, ASpentBudgetPausesEverythingUntilMidnightUtc) {
  CreditBudget budget;
  budget.plan(kHashtags, 4, kMidnight);
  const auto late = budget.plan(kHashtags, 4, kLastSecond);
  EXPECT_THAT(late.fetch, IsEmpty());
  EXPECT_EQ(late.paused.size(), 4u);
  EXPECT_TRUE(late.exhausted);
  EXPECT_EQ(budget.spent_today(), 4u);

  const auto next_day = budget.plan(kHashtags, 4, kLastSecond + 1);
  EXPECT_EQ(budget.spent_today(), 4u);  // the new day's round only
  EXPECT_EQ(next_day.fetch.size(), 4u);
  EXPECT_FALSE(next_day.exhausted);
}

TEST(CreditBudget, TheDayIsTheUtcDayNotTwentyFourHoursFromTheFirstRound) {
  CreditBudget budget;
  budget.plan(kHashtags, 4, kLastSecond - 60);  // the first round, a minute before midnight
  EXPECT_EQ(budget.plan(kHashtags, 4, kLastSecond + 60).fetch.size(), 4u);
}

TEST(CreditBudget, DaysBeforeTheEpochAlsoStartAtMidnight) {
  CreditBudget budget;
  budget.plan(kHashtags, 4, -86400);  // 1969-12-31T00:00:00Z
  EXPECT_THAT(budget.plan(kHashtags, 4, -1).fetch, IsEmpty());
  EXPECT_EQ(budget.plan(kHashtags, 4, 0).fetch.size(), 4u);
}

TEST(CreditBudget, HashtagsTakeTurnsWhenTheBudgetIsShort) {
  CreditBudget budget;
  std::vector<std::vector<std::string>> fetched;
  for (int day = 0; day < 3; ++day) {
    const auto plan = budget.plan(kHashtags, 3, kMidnight + day * 86400);
    fetched.push_back(plan.fetch);
  }
  EXPECT_THAT(fetched, ElementsAre(ElementsAre("a", "b", "c"), ElementsAre("d", "a", "b"),
                                   ElementsAre("c", "d", "a")));
}

TEST(CreditBudget, RoundsWithNothingLeftDoNotSkipAnyonesTurn) {
  CreditBudget budget;
  budget.plan(kHashtags, 3, kMidnight);
  for (int hour = 1; hour < 24; ++hour) {
    EXPECT_THAT(budget.plan(kHashtags, 3, kMidnight + hour * 3600).fetch, IsEmpty());
  }
  EXPECT_THAT(budget.plan(kHashtags, 3, kMidnight + 86400).fetch, ElementsAre("d", "a", "b"));
}

}  // namespace
}  // namespace hashtag_exporter
