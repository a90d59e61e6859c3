#include <hashtag_exporter/schedule.hpp>

#include <gtest/gtest.h>

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;

const Clock::Instant kNow = Clock::Instant(1000h);

TEST(Schedule, TheFirstRoundIsDueAtOnce) { EXPECT_EQ(Schedule(6h, kNow).due(), kNow); }

TEST(Schedule, EachRoundIsDueAnIntervalAfterThePreviousWasDue) {
  Schedule schedule(6h, kNow);
  schedule.start_round();
  EXPECT_EQ(schedule.due(), kNow + 6h);
  // A round that took 10 minutes does not push the next one back by 10 minutes.
  schedule.finish_round(kNow + 10min);
  EXPECT_EQ(schedule.due(), kNow + 6h);
}

TEST(Schedule, ARoundLongerThanTheIntervalMakesTheNextDueWhenItEndsWithoutABacklog) {
  Schedule schedule(1h, kNow);
  schedule.start_round();
  schedule.finish_round(kNow + 5h);
  EXPECT_EQ(schedule.due(), kNow + 5h);
  schedule.start_round();
  EXPECT_EQ(schedule.due(), kNow + 6h);
}

TEST(Schedule, AReloadCarriesTheDueTimeOver) {
  EXPECT_EQ(Schedule(6h, kNow, kNow + 2h).due(), kNow + 2h);
  EXPECT_EQ(Schedule(6h, kNow, kNow - 1h).due(), kNow - 1h);  // overdue: at once
}

TEST(Schedule, AReloadThatShortensTheIntervalIsDueWithinTheNewInterval) {
  EXPECT_EQ(Schedule(1h, kNow, kNow + 5h).due(), kNow + 1h);
}

TEST(Schedule, AnIntervalBeyondTheClockMeansNeverAgainNotAtOnce) {
  Schedule schedule(std::chrono::seconds(300LL * 365 * 86400), kNow);
  schedule.start_round();
  EXPECT_EQ(schedule.due(), Clock::Instant::max());
  schedule.finish_round(kNow + 1s);
  EXPECT_EQ(schedule.due(), Clock::Instant::max());
}

}  // namespace
}  // namespace hashtag_exporter
