// The lines collect --once shows on standard error (app/progress_text.cpp).
#include "progress_text.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace hashtag_exporter::app {
namespace {

using namespace std::chrono_literals;

TEST(ProgressText, CountsEveryResultAsDoneAndShowsTenthsOfSeconds) {
  EXPECT_EQ(progress_text({100, 10, 2}, 3.26s), "collecting: 12/100 hashtags done, 2 failed, 3.3s");
  EXPECT_EQ(progress_text({0, 0, 0}, 0s), "collecting: 0/0 hashtags done, 0 failed, 0.0s");
}

TEST(ProgressText, TheSummaryCountsTheValuesCollected) {
  EXPECT_EQ(summary_text({100, 98, 2}, 12.34s, std::nullopt),
            "collected 98/100 hashtags, 2 failed, in 12.3s");
}

TEST(ProgressText, TheSummaryNamesTheSignalThatStoppedTheCollection) {
  EXPECT_EQ(summary_text({100, 40, 0}, 2s, SIGINT),
            "interrupted by SIGINT: collected 40/100 hashtags, 0 failed, in 2.0s");
  EXPECT_EQ(summary_text({3, 2, 0}, 0.1s, SIGTERM),
            "interrupted by SIGTERM: collected 2/3 hashtags, 0 failed, in 0.1s");
}

}  // namespace
}  // namespace hashtag_exporter::app
