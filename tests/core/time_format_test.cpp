#include <hashtag_exporter/time_format.hpp>

#include <gtest/gtest.h>

#include <chrono>

namespace hashtag_exporter {
namespace {

using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

TEST(TimeFormat, SecondsAsRfc3339AndAsADate) {
  EXPECT_EQ(format_rfc3339(1779440400), "2026-05-22T09:00:00Z");
  EXPECT_EQ(format_date(1779440400), "2026-05-22");
}

TEST(TimeFormat, MillisecondsKeepThreeDigits) {
  EXPECT_EQ(format_rfc3339_millis(TimePoint{milliseconds(1779440400007)}),
            "2026-05-22T09:00:00.007Z");
  EXPECT_EQ(format_rfc3339_millis(TimePoint{milliseconds(1779440400999)}),
            "2026-05-22T09:00:00.999Z");
}

TEST(TimeFormat, MillisecondsBeforeTheEpochRoundDown) {
  EXPECT_EQ(format_rfc3339_millis(TimePoint{milliseconds(-1)}), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace hashtag_exporter
