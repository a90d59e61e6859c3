#include <hashtag_exporter/setup.hpp>

#include <gtest/gtest.h>

#include "manual_clock.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kPlugins = HX_TEST_PLUGIN_DIR;

TEST(Source, RoundsReadTheTimeFromTheInjectedClock) {
  testing::TempDir dir;
  testing::write_file(dir / "demo.yml",
                      "storage:\n  path: history.db\nsources:\n  - name: demo\n"
                      "    plugin: demo\n    hashtags: [aitools]\n");
  testing::ManualClock clock(testing::ManualClock::kStart + 86400 * 365);
  const auto setup = prepare(dir / "demo.yml", {kPlugins}, {}, clock);
  const auto round = setup.sources.at(0)->collect();
  EXPECT_EQ(round.started_at, clock.unix_seconds());
  ASSERT_EQ(round.snapshots.size(), 1u);
  EXPECT_EQ(round.snapshots[0].timestamp, clock.unix_seconds());
  // The manual clock did not move during the round.
  EXPECT_EQ(round.duration_seconds, 0.0);
}

TEST(Source, ThePluginsNowIsTheInjectedClocksTime) {
  // The demo plugin's counts grow with the host's now_unix_seconds: the same time gives the same
  // counts, a later time larger ones.
  testing::TempDir dir;
  testing::write_file(dir / "demo.yml",
                      "storage:\n  path: history.db\nsources:\n  - name: demo\n"
                      "    plugin: demo\n    hashtags: [aitools]\n    settings:\n      seed: 7\n");
  testing::ManualClock clock;
  const auto first = prepare(dir / "demo.yml", {kPlugins}, {}, clock).sources.at(0)->collect();
  const auto again = prepare(dir / "demo.yml", {kPlugins}, {}, clock).sources.at(0)->collect();
  clock.advance(24h);
  const auto later = prepare(dir / "demo.yml", {kPlugins}, {}, clock).sources.at(0)->collect();
  ASSERT_EQ(first.snapshots.size(), 1u);
  ASSERT_EQ(later.snapshots.size(), 1u);
  EXPECT_EQ(again.snapshots.at(0).video_count, first.snapshots[0].video_count);
  EXPECT_NE(later.snapshots[0].video_count, first.snapshots[0].video_count);
}

}  // namespace
}  // namespace hashtag_exporter
