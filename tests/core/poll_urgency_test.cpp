#include <hashtag_exporter/poll_urgency.hpp>

#include <gtest/gtest.h>

namespace hashtag_exporter {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr seconds kDay{86400};
constexpr seconds kMaxInterval = hours(12);

double urgency(std::optional<double> growth, std::optional<double> recent, double threshold = 5) {
  return poll_urgency(
      {.growth = growth, .recent_growth = recent, .alert_threshold_percent = threshold}, kDay,
      kMaxInterval);
}

TEST(PollUrgency, ASteadyHashtagFarFromItsThresholdIsNotUrgent) {
  EXPECT_DOUBLE_EQ(urgency(2.0, 2.0), 1);
  EXPECT_DOUBLE_EQ(urgency(1.0, 0.5), 1);  // slowing down, away from the threshold
}

TEST(PollUrgency, AboveItsThresholdIsSoonerThanSteadyButLaterThanACrossing) {
  EXPECT_DOUBLE_EQ(urgency(8.0, 8.0), 2);
  EXPECT_DOUBLE_EQ(urgency(2.0, 8.0), 4);  // moving fast: crossing within half a day
  EXPECT_LT(urgency(8.0, 8.0), urgency(2.0, 14.0));
}

TEST(PollUrgency, AcceleratingTowardsTheThresholdIsUrgentTheSoonerTheCrossing) {
  // 3 points below the threshold, gaining 3 points a day: a crossing within a day, polled 4 times
  // before it: every 6 h, twice as often as every 12 h.
  EXPECT_DOUBLE_EQ(urgency(2.0, 5.0), 2);
  // Gaining 12 points a day: the crossing within 6 h, polled every 1.5 h.
  EXPECT_DOUBLE_EQ(urgency(2.0, 14.0), 8);
  EXPECT_GT(urgency(2.0, 14.0), urgency(2.0, 5.0));
}

TEST(PollUrgency, FallingTowardsTheThresholdFromAboveIsUrgentToo) {
  EXPECT_DOUBLE_EQ(urgency(8.0, 2.0), 4);  // 3 points above, losing 6 a day: 12 h to go
}

TEST(PollUrgency, NearTheThresholdIsUrgentWhateverTheSpeed) {
  EXPECT_DOUBLE_EQ(urgency(4.0, 4.0), 1 + 2 * (1 - 1.0 / 1.25));  // within a quarter of 5
  EXPECT_DOUBLE_EQ(urgency(3.75, 3.75), 1);                       // at the edge of the band
  EXPECT_GT(urgency(5.0, 5.0), 1000);                             // on it: as often as allowed
  EXPECT_LT(urgency(5.0, 5.0), 1e7);                              // but finite
}

TEST(PollUrgency, AHashtagWithoutASpeedYetIsPolledSoonToLearnIt) {
  EXPECT_DOUBLE_EQ(urgency(std::nullopt, std::nullopt), kUnknownUrgency);
  // One of the two is enough to judge it.
  EXPECT_DOUBLE_EQ(urgency(std::nullopt, 2.0), 1);
  EXPECT_DOUBLE_EQ(urgency(2.0, std::nullopt), 1);
}

TEST(PollUrgency, ThresholdsArePerHashtag) {
  EXPECT_DOUBLE_EQ(urgency(8.0, 8.0, 20), 1);
  EXPECT_DOUBLE_EQ(urgency(8.0, 8.0, 7), 2);
  EXPECT_GT(urgency(8.0, 8.0, 9), 2);
}

}  // namespace
}  // namespace hashtag_exporter
