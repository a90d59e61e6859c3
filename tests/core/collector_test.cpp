#include <hashtag_exporter/collector.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kNow = 1'780'000'000;

const std::vector<GrowthWindow> kWindows{{"1d", std::chrono::seconds(kDay)},
                                         {"7d", std::chrono::seconds(7 * kDay)}};

SourceState tiktok(std::chrono::seconds interval = std::chrono::hours(6),
                   std::vector<std::string> hashtags = {"aitools", "llm"},
                   std::map<std::string, double> thresholds = {{"aitools", 5}, {"llm", 12.5}}) {
  SourceConfig config;
  config.name = "tiktok";
  config.plugin = "tiktok";
  config.interval = interval;
  config.hashtags = std::move(hashtags);
  config.alert_threshold_percent = std::move(thresholds);
  return SourceState(std::make_shared<const SourceConfig>(std::move(config)),
                     {"/plugins/tiktok.so", "tiktok", "1.0.0", 1});
}

CollectionRound round_at(std::int64_t at, std::vector<Snapshot> snapshots,
                         std::vector<CollectFailure> failures = {}) {
  CollectionRound round;
  round.source = "tiktok";
  round.started_at = at;
  round.duration_seconds = 0.25;
  round.snapshots = std::move(snapshots);
  round.failures = std::move(failures);
  return round;
}

const HashtagState& hashtag(const ExporterState& state, const std::string& name) {
  for (const auto& entry : state.hashtags) {
    if (entry.hashtag == name) return entry;
  }
  throw std::runtime_error("no hashtag " + name);
}

// Another program's connection to the history, such as a concurrent `import`.
class OtherConnection {
 public:
  explicit OtherConnection(const std::filesystem::path& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("cannot open");
  }
  ~OtherConnection() { sqlite3_close(db_); }
  OtherConnection(const OtherConnection&) = delete;
  OtherConnection& operator=(const OtherConnection&) = delete;

  void exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
  }

 private:
  sqlite3* db_ = nullptr;
};

class CollectorTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::unique_ptr<HistoryStore> store = std::make_unique<HistoryStore>(dir / "history.db");
  StateStore state;
};

TEST_F(CollectorTest, TracksEveryHashtagWithAllReasonCountersAtZero) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  const auto current = state.current();
  ASSERT_EQ(current->hashtags.size(), 2u);
  EXPECT_FALSE(hashtag(*current, "aitools").latest);
  EXPECT_FALSE(hashtag(*current, "aitools").up);
  EXPECT_FALSE(hashtag(*current, "aitools").last_success_timestamp());
  ASSERT_EQ(current->sources.size(), 1u);
  EXPECT_EQ(current->sources[0].plugin.version, "1.0.0");
  EXPECT_EQ(current->sources[0].errors_by_reason.size(), std::size(kFailureReasons));
  EXPECT_EQ(current->sources[0].config->interval, std::chrono::hours(6));
  EXPECT_EQ(hashtag(*current, "llm").alert_threshold_percent, 12.5);
}

TEST_F(CollectorTest, TrackingAgainKeepsWhatCollectionsChangedAndTakesTheNewConfig) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  collector.record(round_at(kNow, {{kNow, "tiktok", "aitools", 1000, 50'000}},
                            {{"llm", "rate_limited", "429 Too Many Requests"}}));

  auto reloaded = tiktok(std::chrono::hours(1), {"aitools", "claude"}, {{"aitools", 9}});
  reloaded.plugin.version = "1.1.0";
  collector.track({reloaded});

  const auto current = state.current();
  ASSERT_EQ(current->sources.size(), 1u);
  const auto& source = current->sources[0];
  EXPECT_EQ(source.config->interval, std::chrono::hours(1));
  EXPECT_EQ(source.plugin.version, "1.1.0");
  EXPECT_EQ(source.errors_by_reason.at("rate_limited"), 1u);
  EXPECT_EQ(source.last_collect_duration_seconds, 0.25);
  ASSERT_EQ(current->hashtags.size(), 2u);
  const auto& aitools = hashtag(*current, "aitools");
  EXPECT_TRUE(aitools.up);
  EXPECT_EQ(aitools.latest->video_count, 1000);
  EXPECT_EQ(aitools.last_success_timestamp(), kNow);
  EXPECT_EQ(aitools.alert_threshold_percent, 9);
  EXPECT_FALSE(hashtag(*current, "claude").latest);
}

TEST_F(CollectorTest, RecordsValuesAndDayOverDayGrowth) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  collector.record(round_at(kNow - kDay, {{kNow - kDay, "tiktok", "aitools", 1000, 50'000}}));
  collector.record(round_at(kNow, {{kNow, "tiktok", "aitools", 1120, 51'500}}));

  const auto& aitools = hashtag(*state.current(), "aitools");
  ASSERT_TRUE(aitools.latest);
  EXPECT_EQ(aitools.latest->video_count, 1120);
  EXPECT_TRUE(aitools.up);
  EXPECT_EQ(aitools.last_success_timestamp(), kNow);
  EXPECT_DOUBLE_EQ(aitools.videos_growth_percent.at("1d"), 12.0);
  EXPECT_DOUBLE_EQ(aitools.views_growth_percent.at("1d"), 3.0);
  EXPECT_FALSE(aitools.videos_growth_percent.contains("7d"));
  EXPECT_EQ(store->history("aitools", std::nullopt).size(), 2u);
}

TEST_F(CollectorTest, FailedFetchKeepsTheLastValueAndCountsTheReason) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  collector.record(
      round_at(kNow, {{kNow, "tiktok", "aitools", 1000, 50'000}, {kNow, "tiktok", "llm", 7, 70}}));
  auto failed = round_at(kNow + 60, {{kNow + 60, "tiktok", "llm", 8, 80}},
                         {{"aitools", "rate_limited", "429 Too Many Requests"}});
  failed.credits_remaining = 41;
  collector.record(failed);

  const auto current = state.current();
  const auto& aitools = hashtag(*current, "aitools");
  EXPECT_FALSE(aitools.up);
  ASSERT_TRUE(aitools.latest);
  EXPECT_EQ(aitools.latest->video_count, 1000);
  EXPECT_EQ(aitools.last_success_timestamp(), kNow);
  EXPECT_EQ(aitools.last_error, "rate_limited: 429 Too Many Requests");
  EXPECT_TRUE(hashtag(*current, "llm").up);
  EXPECT_EQ(current->sources[0].errors_by_reason.at("rate_limited"), 1u);
  EXPECT_EQ(current->sources[0].errors_by_reason.at("timeout"), 0u);
  EXPECT_EQ(current->sources[0].credits_remaining, 41);
  EXPECT_EQ(current->sources[0].last_collect_duration_seconds, 0.25);
  EXPECT_EQ(store->history("aitools", std::nullopt).size(), 1u);
}

TEST_F(CollectorTest, CountsEveryFetchAndEveryCreditAcrossAReload) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  EXPECT_EQ(state.current()->sources[0].fetches, 0u);
  EXPECT_EQ(state.current()->sources[0].credits_spent, 0u);

  auto first = round_at(kNow, {{kNow, "tiktok", "aitools", 1000, 50'000}},
                        {{"llm", "timeout", "timed out after 15s"}});
  first.credits_spent = 3;  // llm was tried twice
  collector.record(first);
  collector.track({tiktok(std::chrono::hours(1), {"aitools", "llm", "claude"})});
  auto second = round_at(
      kNow + 3600, {{kNow + 3600, "tiktok", "aitools", 1010, 50'100}},
      {{"llm", "timeout", "timed out after 15s"}, {"claude", "not_found", "no such hashtag"}});
  second.credits_spent = 4;
  collector.record(second);

  const auto& source = state.current()->sources[0];
  EXPECT_EQ(source.fetches, 5u);
  EXPECT_EQ(source.credits_spent, 7u);
}

TEST_F(CollectorTest, CreditsSpentTotalGoesOnPastMidnightWhileTheDailyFigureStartsAgain) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  const std::int64_t before_midnight = (kNow / kDay + 1) * kDay - 60;
  auto late = round_at(before_midnight, {{before_midnight, "tiktok", "aitools", 1000, 50'000},
                                         {before_midnight, "tiktok", "llm", 7, 70}});
  late.credits_spent = 2;
  late.credits_spent_today = 30;
  collector.record(late);
  auto early =
      round_at(before_midnight + 120, {{before_midnight + 120, "tiktok", "aitools", 1001, 50'001}});
  early.credits_spent = 1;
  early.credits_spent_today = 1;
  collector.record(early);

  const auto& source = state.current()->sources[0];
  EXPECT_EQ(source.credits_spent_today, 1u);
  EXPECT_EQ(source.credits_spent, 3u);
  EXPECT_EQ(source.fetches, 3u);
}

TEST_F(CollectorTest, RestoresLatestValuesAndGrowthFromHistoryAtStartUp) {
  {
    Collector collector(*store, state, kWindows, std::chrono::seconds(0));
    collector.track({tiktok()});
    collector.record(round_at(kNow - kDay, {{kNow - kDay, "tiktok", "llm", 200, 2000}}));
    collector.record(round_at(kNow, {{kNow, "tiktok", "llm", 206, 2000}}));
  }
  store = std::make_unique<HistoryStore>(dir / "history.db");
  StateStore restarted;
  Collector collector(*store, restarted, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  const auto& llm = hashtag(*restarted.current(), "llm");
  ASSERT_TRUE(llm.latest);
  EXPECT_EQ(llm.latest->video_count, 206);
  EXPECT_FALSE(llm.up);  // no fetch by this process yet
  EXPECT_EQ(llm.last_success_timestamp(), kNow);
  EXPECT_DOUBLE_EQ(llm.videos_growth_percent.at("1d"), 3.0);
}

TEST_F(CollectorTest, RetentionDeletesOldSnapshotsButKeepsTheLatest) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(10 * kDay));
  collector.track({tiktok()});
  collector.record(round_at(kNow - 30 * kDay, {{kNow - 30 * kDay, "tiktok", "llm", 1, 1}}));
  collector.record(round_at(kNow - 20 * kDay, {{kNow - 20 * kDay, "tiktok", "aitools", 1, 1}}));
  collector.record(round_at(kNow, {{kNow, "tiktok", "llm", 2, 2}}));
  EXPECT_EQ(store->history("llm", std::nullopt).size(), 1u);
  EXPECT_EQ(store->history("aitools", std::nullopt).size(), 1u);  // newest of its series
}

TEST_F(CollectorTest, RoundWaitsForAnotherWriterWithinTheBusyTimeout) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  OtherConnection import(dir / "history.db");
  import.exec("BEGIN IMMEDIATE");
  // Released well within HistoryStore::kBusyTimeout, while the round waits for the lock.
  std::jthread releasing([&import] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    import.exec("COMMIT");
  });
  collector.record(round_at(kNow, {{kNow, "tiktok", "aitools", 1000, 50'000}}));
  EXPECT_EQ(state.current()->storage_errors, 0u);
  EXPECT_EQ(store->history("aitools", std::nullopt).size(), 1u);
}

TEST_F(CollectorTest, RoundThatCannotBeStoredIsWrittenWithTheNextRound) {
  // A store that gives up on the lock at once, as one does after kBusyTimeout.
  store = std::make_unique<HistoryStore>(dir / "history.db", std::chrono::milliseconds(1));
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  {
    // Holds the write lock for longer than the store waits for it.
    OtherConnection import(dir / "history.db");
    import.exec("BEGIN IMMEDIATE");
    collector.record(round_at(kNow, {{kNow, "tiktok", "aitools", 1000, 50'000}}));
    EXPECT_EQ(state.current()->storage_errors, 1u);
    EXPECT_EQ(state.current()->unstored_snapshots, 1u);
    EXPECT_EQ(collector.unstored_snapshots(), 1u);
    EXPECT_EQ(hashtag(*state.current(), "aitools").latest->video_count, 1000);
    EXPECT_TRUE(store->history("aitools", std::nullopt).empty());
    import.exec("COMMIT");
  }
  collector.record(round_at(kNow + 60, {{kNow + 60, "tiktok", "llm", 7, 70}}));
  EXPECT_EQ(store->history("aitools", std::nullopt).size(), 1u);
  EXPECT_EQ(store->history("llm", std::nullopt).size(), 1u);
  EXPECT_EQ(state.current()->storage_errors, 1u);
  EXPECT_EQ(state.current()->unstored_snapshots, 0u);
  EXPECT_EQ(collector.unstored_snapshots(), 0u);
}

TEST_F(CollectorTest, UnstoredSnapshotsAreBoundedAndTheDroppedOnesCounted) {
  store = std::make_unique<HistoryStore>(dir / "history.db", std::chrono::milliseconds(1));
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  OtherConnection import(dir / "history.db");
  import.exec("BEGIN IMMEDIATE");
  std::vector<Snapshot> first;
  for (std::size_t i = 0; i < Collector::kMaxUnstoredSnapshots; ++i) {
    first.push_back({kNow - static_cast<std::int64_t>(i), "tiktok", "aitools", 1, 1});
  }
  collector.record(round_at(kNow, first));
  EXPECT_EQ(state.current()->unstored_snapshots_dropped, 0u);
  collector.record(round_at(
      kNow + 60, {{kNow + 60, "tiktok", "llm", 7, 70}, {kNow + 60, "tiktok", "aitools", 2, 2}}));
  EXPECT_EQ(state.current()->unstored_snapshots_dropped, 2u);
  EXPECT_EQ(state.current()->unstored_snapshots, Collector::kMaxUnstoredSnapshots);
  import.exec("COMMIT");

  collector.record(round_at(kNow + 120, {}));
  // The oldest were dropped: the first two of the first round, not the newest round.
  const auto aitools = store->history("aitools", "tiktok");
  EXPECT_EQ(aitools.size(), Collector::kMaxUnstoredSnapshots - 1);
  EXPECT_EQ(aitools.back().timestamp, kNow + 60);
  EXPECT_EQ(store->history("llm", "tiktok").size(), 1u);
  EXPECT_EQ(state.current()->unstored_snapshots, 0u);
}

TEST_F(CollectorTest, RetentionFailureIsCounted) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(10 * kDay));
  collector.track({tiktok()});
  collector.record(round_at(kNow - 30 * kDay, {{kNow - 30 * kDay, "tiktok", "llm", 1, 1}}));
  OtherConnection(dir / "history.db")
      .exec(
          "CREATE TRIGGER refuse_deletes BEFORE DELETE ON snapshots"
          " BEGIN SELECT RAISE(ABORT, 'deletes refused'); END");
  collector.record(round_at(kNow, {{kNow, "tiktok", "llm", 2, 2}}));
  EXPECT_EQ(state.current()->retention_errors, 1u);
  EXPECT_EQ(state.current()->storage_errors, 0u);  // the round itself was stored
  EXPECT_EQ(store->history("llm", std::nullopt).size(), 2u);
}

}  // namespace
}  // namespace hashtag_exporter

namespace hashtag_exporter {
namespace {

constexpr std::int64_t kHour = 3600;

TEST_F(CollectorTest, GrowthOverOneDayIsExactBetweenIrregularPolls) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  // Polls 30 h and 20 h before the latest: 24 h before it, 6/10 of the way from 1000 to 2000.
  collector.record(
      round_at(kNow - 30 * kHour, {{kNow - 30 * kHour, "tiktok", "aitools", 1000, 0}}));
  collector.record(
      round_at(kNow - 20 * kHour, {{kNow - 20 * kHour, "tiktok", "aitools", 2000, 0}}));
  collector.record(round_at(kNow, {{kNow, "tiktok", "aitools", 2400, 0}}));
  EXPECT_DOUBLE_EQ(hashtag(*state.current(), "aitools").videos_growth_percent.at("1d"), 50.0);
}

TEST_F(CollectorTest, WithoutASnapshotBeforeTheWindowTheNewestOldEnoughOneIsTheReference) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  // 23 h and 22.9 h back: no snapshot a full day back; the newest within the 5 % slack counts.
  collector.record(
      round_at(kNow - 23 * kHour, {{kNow - 23 * kHour, "tiktok", "aitools", 1000, 0}}));
  collector.record(round_at(kNow - 22 * kHour - 54 * 60,
                            {{kNow - 22 * kHour - 54 * 60, "tiktok", "aitools", 1100, 0}}));
  collector.record(round_at(kNow, {{kNow, "tiktok", "aitools", 1210, 0}}));
  EXPECT_DOUBLE_EQ(hashtag(*state.current(), "aitools").videos_growth_percent.at("1d"), 10.0);
}

TEST_F(CollectorTest, RecentGrowthIsScaledToTheFirstWindow) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  collector.record(round_at(kNow - 6 * kHour, {{kNow - 6 * kHour, "tiktok", "aitools", 1000, 0}}));
  EXPECT_FALSE(hashtag(*state.current(), "aitools").recent_growth_percent);
  collector.record(round_at(kNow, {{kNow, "tiktok", "aitools", 1010, 0}}));
  // 1 % in 6 hours is 4 % a day.
  EXPECT_DOUBLE_EQ(*hashtag(*state.current(), "aitools").recent_growth_percent, 4.0);
}

TEST_F(CollectorTest, BaselineAndBreakoutScoreFromTheHashtagsOwnHistory) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  // 20 days of 2 % a day but 3 % every fourth day (median 2, MAD 0, floored at 0.5), polled at
  // midnight; then a day of 2 + 3 × 1.4826 × 0.5 = 4.22 %: a score of 3.
  const auto midnight = kNow - kNow % kDay;
  double count = 1'000'000;
  for (int day = -20; day <= 0; ++day) {
    const auto at = midnight + day * kDay;
    collector.record(round_at(at, {{at, "tiktok", "aitools", std::llround(count), 0}}));
    if (day < 0) count *= day % 4 == 0 ? 1.03 : 1.02;
  }
  EXPECT_TRUE(hashtag(*state.current(), "aitools").videos_growth_baseline.contains("1d"));
  const double today = 2 + 3 * 1.4826 * 0.5;
  const auto tomorrow = midnight + kDay;
  collector.record(round_at(
      tomorrow, {{tomorrow, "tiktok", "aitools", std::llround(count * (1 + today / 100)), 0}}));

  const auto& aitools = hashtag(*state.current(), "aitools");
  const auto& typical = aitools.videos_growth_baseline.at("1d");
  EXPECT_NEAR(typical.median_percent, 2.0, 0.01);
  EXPECT_NEAR(typical.mad_percent, 0.0, 0.01);
  EXPECT_NEAR(aitools.breakout_score.at("1d"), 3.0, 0.01);
}

TEST_F(CollectorTest, NoBaselineWithUnderSevenDaysOfHistory) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  const auto midnight = kNow - kNow % kDay;
  for (int day = 0; day < 6; ++day) {
    collector.record(round_at(midnight + day * kDay,
                              {{midnight + day * kDay, "tiktok", "aitools", 1000 + day * 10, 0}}));
  }
  const auto& aitools = hashtag(*state.current(), "aitools");
  EXPECT_TRUE(aitools.videos_growth_percent.contains("1d"));
  EXPECT_TRUE(aitools.videos_growth_baseline.empty());
  EXPECT_TRUE(aitools.breakout_score.empty());
}

TEST_F(CollectorTest, TheScheduleShowsEachHashtagsIntervalAndNextPoll) {
  Collector collector(*store, state, kWindows, std::chrono::seconds(0));
  collector.track({tiktok()});
  const std::vector<PollStatus> polls{{"aitools", std::chrono::minutes(15), kNow + 900},
                                      {"llm", std::chrono::hours(12), kNow + 43'200},
                                      {"untracked", std::chrono::hours(1), kNow}};
  collector.show_schedule("tiktok", polls);
  const auto current = state.current();
  EXPECT_EQ(hashtag(*current, "aitools").poll_interval_seconds, 900);
  EXPECT_EQ(hashtag(*current, "aitools").next_poll, kNow + 900);
  EXPECT_EQ(hashtag(*current, "llm").poll_interval_seconds, 43'200);
}

}  // namespace
}  // namespace hashtag_exporter
