#include <hashtag_exporter/failure_backoff.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;

TEST(RoundsToSitOut, DoublesWithEachFailureInARow) {
  const std::vector<std::uint32_t> expected{0, 0, 1, 3, 7, 15};
  for (std::uint32_t failures = 0; failures < expected.size(); ++failures) {
    EXPECT_EQ(rounds_to_sit_out(failures, 60s), expected[failures]) << failures << " failures";
  }
}

TEST(RoundsToSitOut, NeverMoreThan31Rounds) {
  EXPECT_EQ(rounds_to_sit_out(6, 60s), 31u);
  EXPECT_EQ(rounds_to_sit_out(7, 60s), 31u);
  EXPECT_EQ(rounds_to_sit_out(40, 60s), 31u);
  EXPECT_EQ(rounds_to_sit_out(UINT32_MAX, 1s), 31u);
}

TEST(RoundsToSitOut, NeverMoreThanADaysWorthOfRounds) {
  EXPECT_EQ(rounds_to_sit_out(6, 1h), 24u);  // 31 would be 31 hours
  EXPECT_EQ(rounds_to_sit_out(3, 6h), 3u);   // 2^2-1 fits in a day of 4 rounds
  EXPECT_EQ(rounds_to_sit_out(4, 6h), 4u);   // 7 would be 42 hours
  EXPECT_EQ(rounds_to_sit_out(2, 24h), 1u);
  EXPECT_EQ(rounds_to_sit_out(9, 24h), 1u);
  EXPECT_EQ(rounds_to_sit_out(9, 48h), 0u);  // a day holds no round of two days
}

TEST(FailureBackoff, AnAlwaysFailingHashtagIsFetchedInRoundsOneTwoFourEightAndSixteen) {
  FailureBackoff backoff;
  // Which of 16 rounds fetch a hashtag that fails every time: 1, 2, 4, 8 and 16 (sitting out 0,
  // 1, 3 and 7 rounds in between).
  std::vector<int> fetched;
  for (int round = 1; round <= 16; ++round) {
    if (backoff.sits_out("dead")) continue;
    fetched.push_back(round);
    backoff.failed("dead", 60s);
  }
  EXPECT_EQ(fetched, (std::vector<int>{1, 2, 4, 8, 16}));
}

TEST(FailureBackoff, ASuccessForgetsTheFailures) {
  FailureBackoff backoff;
  backoff.failed("flaky", 60s);
  EXPECT_EQ(backoff.failed("flaky", 60s), 1u);
  EXPECT_TRUE(backoff.sits_out("flaky"));
  backoff.succeeded("flaky");
  EXPECT_FALSE(backoff.sits_out("flaky"));
  EXPECT_EQ(backoff.failed("flaky", 60s), 0u) << "counted as a second failure in a row";
}

TEST(FailureBackoff, HashtagsBackOffIndependently) {
  FailureBackoff backoff;
  backoff.failed("dead", 60s);
  backoff.failed("dead", 60s);
  EXPECT_TRUE(backoff.sits_out("dead"));
  EXPECT_FALSE(backoff.sits_out("alive"));
}

}  // namespace
}  // namespace hashtag_exporter
