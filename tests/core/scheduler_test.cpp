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

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kDaySeconds = 86400;

// An adaptive demo source of 12 hashtags (the demo grows each at its own rate, 0.5 % to 15 % a
// day), polled every 15 min to 12 h under a budget of 60 credits a day. The first six have an
// alert threshold of 0.1 %, so they grow above it; the others one of 1000 %, far below.
class AdaptiveSchedulerTest : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kBudget = 60;

  static hashtag_exporter::Setup adaptive_setup(const testing::TempDir& dir, Clock& clock,
                                                const std::string& hashtags) {
    testing::write_file(
        dir / "adaptive.yml",
        "storage:\n  path: history.db\nsources:\n  - name: demo\n"
        "    plugin: demo\n    schedule: adaptive\n    min_interval: 15m\n"
        "    max_interval: 12h\n    max_credits_per_day: " +
            std::to_string(kBudget) +
            "\n    alert_threshold_percent: 1000\n"
            "    hashtag_alert_thresholds: {a: 0.1, b: 0.1, c: 0.1, d: 0.1, e: 0.1, "
            "f: 0.1}\n    hashtags: [" +
            hashtags + "]\n");
    return prepare(dir / "adaptive.yml", {kPlugins}, {}, clock);
  }

  void SetUp() override {
    store = std::make_unique<HistoryStore>(setup.config.storage_path);
    collector = std::make_unique<Collector>(*store, state, setup.config.growth_windows,
                                            setup.config.retention);
    collector->track(setup.tracked());
  }

  // Snapshots per hashtag and per UTC day since the clock's start.
  std::map<std::string, int> polls_of(std::int64_t from, std::int64_t to) const {
    std::map<std::string, int> polls;
    for (const auto& hashtag : setup.config.sources[0].hashtags) {
      for (const auto& snapshot : store->history(hashtag, std::nullopt)) {
        if (snapshot.timestamp >= from && snapshot.timestamp < to) ++polls[hashtag];
      }
    }
    return polls;
  }

  static int total(const std::map<std::string, int>& polls) {
    int sum = 0;
    for (const auto& [hashtag, count] : polls) sum += count;
    return sum;
  }

  void run_for(std::chrono::seconds span, std::chrono::seconds step = 5min) {
    for (auto passed = 0s; passed < span; passed += step) {
      ASSERT_TRUE(clock.wait_for_sleepers(1));
      clock.advance(step);
    }
    ASSERT_TRUE(clock.wait_for_sleepers(1));
  }

  const std::string kHashtags = "a, b, c, d, e, f, g, h, i, j, k, l";
  testing::ManualClock clock;
  testing::TempDir dir;
  hashtag_exporter::Setup setup = adaptive_setup(dir, clock, kHashtags);
  std::unique_ptr<HistoryStore> store;
  StateStore state;
  std::unique_ptr<Collector> collector;
};

TEST_F(AdaptiveSchedulerTest, TheBudgetHoldsEveryDayAndIsSpentWhileHashtagsAreDue) {
  Scheduler scheduler(setup.sources, *collector, clock);
  run_for(4 * 24h);
  const auto start = testing::ManualClock::kStart;
  for (int day = 0; day < 4; ++day) {
    const auto spent = total(polls_of(start + day * kDaySeconds, start + (day + 1) * kDaySeconds));
    EXPECT_LE(spent, static_cast<int>(kBudget)) << "day " << day;
    // Twelve hashtags at most every 12 h want at least 24 a day; the rest of the budget goes to
    // the urgent ones rather than being left unused.
    EXPECT_GE(spent, static_cast<int>(kBudget) * 9 / 10) << "day " << day;
  }
}

TEST_F(AdaptiveSchedulerTest, HashtagsAboveTheirThresholdArePolledMoreOftenThanSteadyOnes) {
  Scheduler scheduler(setup.sources, *collector, clock);
  run_for(4 * 24h);
  const auto polls = polls_of(testing::ManualClock::kStart + kDaySeconds,
                              testing::ManualClock::kStart + 4 * kDaySeconds);
  const auto current = state.current();
  int fewest_above = INT32_MAX;
  int most_below = 0;
  for (const auto& entry : current->hashtags) {
    ASSERT_TRUE(entry.poll_interval_seconds) << entry.hashtag;
    ASSERT_TRUE(entry.next_poll) << entry.hashtag;
    EXPECT_GE(*entry.poll_interval_seconds, 15 * 60);
    EXPECT_GE(*entry.next_poll, clock.unix_seconds() - 60);
    const bool above = entry.alert_threshold_percent < 1;
    ASSERT_EQ(above, entry.videos_growth_percent.at("1d") > entry.alert_threshold_percent);
    auto& bound = above ? fewest_above : most_below;
    bound =
        above ? std::min(bound, polls.at(entry.hashtag)) : std::max(bound, polls.at(entry.hashtag));
  }
  EXPECT_GT(fewest_above, most_below);
}

TEST_F(AdaptiveSchedulerTest, ARestartPollsNothingBeforeItIsDue) {
  {
    Scheduler scheduler(setup.sources, *collector, clock);
    run_for(1h);
  }
  const auto before = polls_of(0, INT64_MAX);
  // A new process: new sources, a state restored from the history.
  auto restarted = adaptive_setup(dir, clock, kHashtags);
  StateStore restored;
  Collector restarted_collector(*store, restored, restarted.config.growth_windows, 0s);
  restarted_collector.track(restarted.tracked());
  Scheduler scheduler(restarted.sources, restarted_collector, clock);
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  EXPECT_EQ(polls_of(0, INT64_MAX), before) << "a restart polled every hashtag at once";
  for (const auto& entry : restored.current()->hashtags) {
    ASSERT_TRUE(entry.next_poll) << entry.hashtag;
    EXPECT_GT(*entry.next_poll, clock.unix_seconds()) << entry.hashtag;
  }
}

TEST_F(AdaptiveSchedulerTest, AReloadPollsAnAddedHashtagAtOnceAndTheOthersWhenTheyAreDue) {
  {
    Scheduler scheduler(setup.sources, *collector, clock);
    run_for(6h);
  }
  const auto before = polls_of(0, INT64_MAX);
  auto reloaded = adaptive_setup(dir, clock, kHashtags + ", added");
  reloaded.sources[0]->take_over(*setup.sources[0]);
  collector->track(reloaded.tracked());
  Scheduler scheduler(reloaded.sources, *collector, clock);
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  const auto after = polls_of(0, INT64_MAX);
  EXPECT_EQ(store->history("added", std::nullopt).size(), 1u);
  for (const auto& [hashtag, count] : before) EXPECT_EQ(after.at(hashtag), count) << hashtag;
}

}  // namespace
}  // namespace hashtag_exporter
