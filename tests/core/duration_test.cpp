// sdk::parse_duration, the duration syntax of the config file and of plugin settings.
#include <hashtag_exporter/plugin/sdk.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <limits>

namespace hashtag_exporter {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, ReadsPrometheusDurations) {
  EXPECT_EQ(sdk::parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(sdk::parse_duration("1m30s"), milliseconds(90'000));
  EXPECT_EQ(sdk::parse_duration("1d"), milliseconds(86'400'000));
  EXPECT_EQ(sdk::parse_duration("6x"), std::nullopt);
}

TEST(ParseDuration, ReadsUpToTheLargestNumberOfMilliseconds) {
  // 106751991167 days is the last whole day below 2^63 milliseconds.
  EXPECT_EQ(sdk::parse_duration("106751991167d"), milliseconds(106'751'991'167LL * 86'400'000));
  EXPECT_EQ(sdk::parse_duration("106751991167d25975807ms"), milliseconds::max());
}

TEST(ParseDuration, RefusesWhatDoesNotFitRatherThanWrappingAround) {
  EXPECT_EQ(sdk::parse_duration("106751991168d"), std::nullopt);
  EXPECT_EQ(sdk::parse_duration("106751991167d25975808ms"), std::nullopt);
  // A product and a sum past 2^63 milliseconds, which wrapped around to negative durations.
  EXPECT_EQ(sdk::parse_duration("999999999999y"), std::nullopt);
  EXPECT_EQ(sdk::parse_duration("5000000000w5000000000w5000000000w5000000000w"), std::nullopt);
}

}  // namespace
}  // namespace hashtag_exporter
