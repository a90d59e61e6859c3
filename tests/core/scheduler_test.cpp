#include <hashtag_exporter/scheduler.hpp>
#include <hashtag_exporter/setup.hpp>

#include <gtest/gtest.h>

#include <chrono>

#include "manual_clock.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kPlugins = HX_TEST_PLUGIN_DIR;

// Longer than a steady_clock time point can reach from now (about 292 years of nanoseconds):
// what an interval the config bound missed, or a future one that allows more, would be.
constexpr std::chrono::seconds kCenturies{300LL * 365 * 86400};

// The demo source every 6 hours, on a manual clock, and what records its rounds.
class SchedulerTest : public ::testing::Test {
 protected:
  static hashtag_exporter::Setup demo_setup(const testing::TempDir& dir, Clock& clock) {
    testing::write_file(dir / "demo.yml",
                        "storage:\n  path: history.db\nsources:\n  - name: demo\n"
                        "    plugin: demo\n    interval: 6h\n    hashtags: [aitools]\n");
    return prepare(dir / "demo.yml", {kPlugins}, {}, clock);
  }

  void SetUp() override {
    store = std::make_unique<HistoryStore>(setup.config.storage_path);
    collector = std::make_unique<Collector>(*store, state, setup.config.growth_windows,
                                            setup.config.retention);
    collector->track(setup.tracked());
  }

  // A source the config file would not accept: an interval of centuries.
  void use_interval(std::chrono::seconds interval) {
    auto config = setup.config.sources[0];
    config.interval = interval;
    setup.sources = {
        std::make_shared<Source>(config, LoadedPlugin::load(kPlugins / "demo.so"), clock)};
  }

  std::vector<Snapshot> rounds() const { return store->history("aitools", std::nullopt); }

  testing::ManualClock clock;
  testing::TempDir dir;
  hashtag_exporter::Setup setup = demo_setup(dir, clock);
  std::unique_ptr<HistoryStore> store;
  StateStore state;
  std::unique_ptr<Collector> collector;
};

TEST_F(SchedulerTest, CollectsRightAwayThenOnceEveryInterval) {
  const auto start = clock.monotonic();
  Scheduler scheduler(setup.sources, *collector, clock);
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  EXPECT_EQ(rounds().size(), 1u);
  EXPECT_EQ(scheduler.due().at("demo"), start + 6h);

  clock.advance(6h - 1s);
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  EXPECT_EQ(rounds().size(), 1u) << "a round ran before its interval was over";

  clock.advance(1s);
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  EXPECT_EQ(rounds().size(), 2u);
  EXPECT_EQ(scheduler.due().at("demo"), start + 12h);
}

TEST_F(SchedulerTest, AWeekOfRoundsPassesInAnInstantStampedWithTheClocksTime) {
  Scheduler scheduler(setup.sources, *collector, clock);
  for (int round = 1; round < 28; ++round) {
    ASSERT_TRUE(clock.wait_for_sleepers(1));
    clock.advance(6h);
  }
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  const auto history = rounds();
  ASSERT_EQ(history.size(), 28u);
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(history[i].timestamp,
              testing::ManualClock::kStart + static_cast<std::int64_t>(i) * 6 * 3600);
  }
}

TEST_F(SchedulerTest, AReloadKeepsTheDueTimeOfThePreviousScheduler) {
  const auto previous = clock.monotonic() + 1h;
  Scheduler scheduler(setup.sources, *collector, clock, {{"demo", previous}});
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  EXPECT_EQ(scheduler.due().at("demo"), previous);
  EXPECT_EQ(rounds().size(), 0u) << "a reload collected early";

  clock.advance(1h);
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  EXPECT_EQ(rounds().size(), 1u);
}

TEST_F(SchedulerTest, AReloadedShorterIntervalIsNotDelayedByTheOldDueTime) {
  Scheduler scheduler(setup.sources, *collector, clock, {{"demo", clock.monotonic() + 5 * 24h}});
  EXPECT_EQ(scheduler.due().at("demo"), clock.monotonic() + 6h);
}

TEST_F(SchedulerTest, StoppingWakesASchedulerSleepingTowardsItsNextRound) {
  Scheduler scheduler(setup.sources, *collector, clock);
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  scheduler.stop();  // returns although the clock never reaches the next round
  EXPECT_TRUE(scheduler.finished());
  EXPECT_EQ(rounds().size(), 1u);
}

TEST_F(SchedulerTest, AnIntervalOfCenturiesRunsOneRoundAndTheNextIsNeverDue) {
  use_interval(kCenturies);
  Scheduler scheduler(setup.sources, *collector, clock);
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  // Overflowing, the next round fell into the past and rounds ran back to back.
  EXPECT_EQ(scheduler.due().at("demo"), Clock::Instant::max());
  clock.advance(24h * 365 * 100);
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  EXPECT_EQ(rounds().size(), 1u);
}

}  // namespace
}  // namespace hashtag_exporter
