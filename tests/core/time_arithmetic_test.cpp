#include <hashtag_exporter/time_arithmetic.hpp>

#include <gtest/gtest.h>

#include <chrono>

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Point = Clock::time_point;

TEST(SaturatingAdd, AddsWhatFits) {
  const Point start{1h};
  EXPECT_EQ(saturating_add(start, 30s), Point{1h + 30s});
  EXPECT_EQ(saturating_add(start, -30s), start);
  EXPECT_EQ(saturating_add(Point::max() - 1s, 1s), Point::max());
}

TEST(SaturatingAdd, StopsAtTheClocksEnd) {
  EXPECT_EQ(saturating_add(Point{1h}, std::chrono::seconds::max()), Point::max());
  EXPECT_EQ(saturating_add(Point{1h}, std::chrono::hours(24 * 365 * 300)), Point::max());
  EXPECT_EQ(saturating_add(Point::max() - 1s, 2s), Point::max());
  EXPECT_EQ(saturating_add(Point::max(), 1ms), Point::max());
}

TEST(SaturatingAdd, StartsBeforeTheEpoch) {
  EXPECT_EQ(saturating_add(Point::min(), std::chrono::milliseconds::max()), Point::max());
  EXPECT_EQ(saturating_add(Point{-1h}, 2h), Point{1h});
}

}  // namespace
}  // namespace hashtag_exporter
