#include <hashtag_exporter/poll_plan.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hashtag_exporter {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::int64_t kMidnight = 1'767'225'600;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kDay = 86400;
const PollBounds kBounds{.min_interval = minutes(15), .max_interval = hours(12)};

std::vector<std::string> tags(int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back("tag" + std::to_string(i));
  return names;
}

TEST(PollPlan, NeverPolledHashtagsAreDueAtOnce) {
  PollPlan plan;
  const auto hashtags = tags(3);
  EXPECT_EQ(plan.next_due(hashtags, kMidnight), kMidnight);
  EXPECT_EQ(plan.due(hashtags, kMidnight, kBounds), hashtags);
}

TEST(PollPlan, WithoutABudgetSteadyHashtagsWaitMaxIntervalAndUrgentOnesLess) {
  PollPlan plan;
  const auto hashtags = tags(3);
  plan.set_urgency("tag1", 4);
  plan.set_urgency("tag2", 1000);
  plan.pace(hashtags, kBounds, std::nullopt, kMidnight);
  EXPECT_EQ(plan.interval("tag0", kBounds), hours(12));
  EXPECT_EQ(plan.interval("tag1", kBounds), hours(3));
  EXPECT_EQ(plan.interval("tag2", kBounds), minutes(15));  // never below min_interval
}

TEST(PollPlan, EachHashtagIsDueOneIntervalAfterItsLastPoll) {
  PollPlan plan;
  const auto hashtags = tags(2);
  plan.set_urgency("tag1", 4);
  plan.pace(hashtags, kBounds, std::nullopt, kMidnight);
  for (const auto& hashtag : hashtags) plan.polled(hashtag, kMidnight);
  EXPECT_EQ(plan.due_at("tag0", kMidnight), kMidnight + 12 * 3600);
  EXPECT_EQ(plan.due_at("tag1", kMidnight), kMidnight + 3 * 3600);
  EXPECT_EQ(plan.next_due(hashtags, kMidnight), kMidnight + 3 * 3600);
  EXPECT_THAT(plan.due(hashtags, kMidnight + 3 * 3600, kBounds), ElementsAre("tag1"));
  EXPECT_THAT(plan.due(hashtags, kMidnight + 3 * 3600 - 1000, kBounds), IsEmpty());
}

TEST(PollPlan, HashtagsDueWithinAFractionOfMinIntervalAreBatched) {
  PollPlan plan;
  const auto hashtags = tags(2);
  plan.polled("tag0", kMidnight);
  plan.polled("tag1", kMidnight + 40);  // 5 % of 15 min is 45 s
  plan.pace(hashtags, kBounds, std::nullopt, kMidnight);
  EXPECT_EQ(plan.due(hashtags, kMidnight + 12 * 3600, kBounds), hashtags);
  plan.polled("tag1", kMidnight + 50);
  EXPECT_THAT(plan.due(hashtags, kMidnight + 12 * 3600, kBounds), ElementsAre("tag0"));

  // A min_interval of a second batches nothing: a whole second would put every hashtag in step.
  const PollBounds seconds_apart{.min_interval = seconds(1), .max_interval = seconds(8)};
  PollPlan fast;
  fast.polled("tag0", kMidnight);
  fast.polled("tag1", kMidnight + 1);
  fast.pace(hashtags, seconds_apart, std::nullopt, kMidnight + 1);
  EXPECT_THAT(fast.due(hashtags, kMidnight + 8, seconds_apart), ElementsAre("tag0"));
}

// Polls the chosen intervals give from each hashtag's last poll (at `last_poll`) to midnight.
double polls_before_midnight(const PollPlan& plan, const std::vector<std::string>& hashtags,
                             std::int64_t last_poll) {
  const auto midnight = kMidnight + kDay;
  double total = 0;
  for (const auto& hashtag : hashtags) {
    total += static_cast<double>(midnight - last_poll) /
             static_cast<double>(plan.interval(hashtag, kBounds).count());
  }
  return total;
}

TEST(PollPlan, WhatIsLeftOfTheBudgetIsSpreadOverTheRestOfTheDay) {
  PollPlan plan;
  const auto hashtags = tags(100);
  const auto noon = kMidnight + kDay / 2;
  for (const auto& hashtag : hashtags) plan.polled(hashtag, noon);
  for (int i = 0; i < 5; ++i) plan.set_urgency(hashtags[i], 50);
  plan.pace(hashtags, kBounds, 1000, noon);
  // 1000 credits, and half a poll per hashtag that midnight cuts off on average.
  EXPECT_NEAR(polls_before_midnight(plan, hashtags, noon), 1000 + 50, 1);
  // Urgent hashtags poll more often; none faster than min_interval or slower than max_interval.
  EXPECT_LT(plan.interval(hashtags[0], kBounds), plan.interval(hashtags[99], kBounds));
  for (const auto& hashtag : hashtags) {
    EXPECT_GE(plan.interval(hashtag, kBounds), minutes(15));
    EXPECT_LE(plan.interval(hashtag, kBounds), hours(12));
  }
}

TEST(PollPlan, HashtagsNeverPolledCountOnePollEachNow) {
  PollPlan plan;
  const auto hashtags = tags(100);
  const auto noon = kMidnight + kDay / 2;
  plan.pace(hashtags, kBounds, 1000, noon);
  EXPECT_NEAR(polls_before_midnight(plan, hashtags, noon), 1000 + 50 - 100, 1);
}

TEST(PollPlan, ALargeBudgetIsSpentUpToMinIntervalAndASmallOneWinsOverMaxInterval) {
  PollPlan plan;
  const auto hashtags = tags(10);
  for (const auto& hashtag : hashtags) plan.polled(hashtag, kMidnight);
  plan.pace(hashtags, kBounds, 1'000'000, kMidnight);
  for (const auto& hashtag : hashtags) EXPECT_EQ(plan.interval(hashtag, kBounds), minutes(15));
  // 10 credits for 10 hashtags, each every 16 h: past max_interval, for the budget wins.
  plan.pace(hashtags, kBounds, 10, kMidnight);
  EXPECT_NEAR(polls_before_midnight(plan, hashtags, kMidnight), 10 + 5, 0.01);
  EXPECT_EQ(plan.interval("tag0", kBounds), hours(16));
}

TEST(PollPlan, NoCreditLeftPausesEveryHashtagUntilMidnight) {
  PollPlan plan;
  const auto hashtags = tags(2);
  plan.pace(hashtags, kBounds, 0, kMidnight + 3600);
  EXPECT_EQ(plan.next_due(hashtags, kMidnight + 3600), kMidnight + kDay);
  EXPECT_THAT(plan.due(hashtags, kMidnight + kDay - 1000, kBounds), IsEmpty());
  // The new day's budget: due again.
  plan.pace(hashtags, kBounds, 100, kMidnight + kDay);
  EXPECT_EQ(plan.next_due(hashtags, kMidnight + kDay), kMidnight + kDay);
}

TEST(PollPlan, AHashtagAddedByAReloadIsDueAtOnceAndTheOthersKeepTheirTimes) {
  PollPlan plan;
  auto hashtags = tags(2);
  plan.pace(hashtags, kBounds, std::nullopt, kMidnight);
  for (const auto& hashtag : hashtags) plan.polled(hashtag, kMidnight);
  hashtags.push_back("added");
  plan.pace(hashtags, kBounds, std::nullopt, kMidnight + 60);
  EXPECT_THAT(plan.due(hashtags, kMidnight + 60, kBounds), ElementsAre("added"));
  EXPECT_EQ(plan.due_at("tag0", kMidnight + 60), kMidnight + 12 * 3600);
}

TEST(PollPlan, AHashtagFetchedBeforeThePlanIsDueOneIntervalAfterThatFetch) {
  PollPlan plan;
  const auto hashtags = tags(2);
  plan.fetched_before("tag0", kMidnight - 3600);  // its newest snapshot, an hour before a restart
  plan.pace(hashtags, kBounds, std::nullopt, kMidnight);
  EXPECT_EQ(plan.due_at("tag0", kMidnight), kMidnight - 3600 + 12 * 3600);
  EXPECT_THAT(plan.due(hashtags, kMidnight, kBounds), ElementsAre("tag1"));
  // What the plan polled itself wins over an older snapshot.
  plan.polled("tag1", kMidnight);
  plan.fetched_before("tag1", kMidnight - 7200);
  EXPECT_EQ(plan.due_at("tag1", kMidnight), kMidnight + 12 * 3600);
}

}  // namespace
}  // namespace hashtag_exporter
