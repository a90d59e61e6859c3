#include <hashtag_exporter/store.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <functional>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kStart = 1'780'000'000;

Snapshot snapshot(std::string source, std::string hashtag, std::int64_t timestamp,
                  std::int64_t videos, std::int64_t views = 0) {
  return {.timestamp = timestamp,
          .source = std::move(source),
          .hashtag = std::move(hashtag),
          .video_count = videos,
          .view_count = views};
}

// A connection of its own, to look at or prepare a database the way another program would.
class RawDatabase {
 public:
  explicit RawDatabase(const std::filesystem::path& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("cannot open");
  }
  ~RawDatabase() { sqlite3_close(db_); }
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;

  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error;
      sqlite3_free(error);
      throw std::runtime_error(message);
    }
  }

  std::string text(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
    std::string value;
    if (sqlite3_step(statement) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string store_error(const std::filesystem::path& path) {
  try {
    HistoryStore store(path);
  } catch (const StoreError& error) {
    return error.what();
  }
  return "no error";
}

TEST(StoreTest, CreatesTheCurrentSchema) {
  const TempDir dir;
  const HistoryStore store(dir / "history.db");
  EXPECT_EQ(store.schema_version(), HistoryStore::kSchemaVersion);
  EXPECT_EQ(store.path(), dir / "history.db");
  EXPECT_TRUE(store.latest().empty());
  RawDatabase raw(dir / "history.db");
  EXPECT_EQ(raw.text("PRAGMA user_version"), "2");
}

TEST(StoreTest, RunsInWalMode) {
  const TempDir dir;
  const HistoryStore store(dir / "history.db");
  RawDatabase raw(dir / "history.db");
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
}

TEST(StoreTest, AppendedSnapshotsComeBackInHistoryOldestFirst) {
  const TempDir dir;
  HistoryStore store(dir / "history.db");
  const std::vector<Snapshot> first{snapshot("tiktok", "llm", kStart + kDay, 20, 200),
                                    snapshot("tiktok", "aitools", kStart + kDay, 11, 110)};
  const std::vector<Snapshot> second{snapshot("tiktok", "aitools", kStart, 10, 100),
                                     snapshot("demo", "aitools", kStart + 10, 1, 2)};
  store.append(first);
  store.append(second);

  EXPECT_THAT(store.history("aitools", std::nullopt), ElementsAre(second[0], second[1], first[1]));
  EXPECT_THAT(store.history("aitools", "tiktok"), ElementsAre(second[0], first[1]));
  EXPECT_THAT(store.history("aitools", "youtube"), ElementsAre());
  EXPECT_THAT(store.history("unknown", std::nullopt), ElementsAre());
}

TEST(StoreTest, LatestIsTheNewestSnapshotOfEverySeries) {
  const TempDir dir;
  HistoryStore store(dir / "history.db");
  const std::vector<Snapshot> newest{snapshot("tiktok", "aitools", kStart + kDay, 11, 110),
                                     snapshot("tiktok", "llm", kStart, 5, 50)};
  store.append(newest);
  // An older snapshot written later does not replace the newest one.
  const std::vector<Snapshot> older{snapshot("tiktok", "aitools", kStart, 10, 100)};
  store.append(older);

  EXPECT_THAT(store.latest(), ElementsAre(newest[0], newest[1]));
}

TEST(StoreTest, AppendingTheSameTimestampReplacesTheSnapshot) {
  const TempDir dir;
  HistoryStore store(dir / "history.db");
  const std::vector<Snapshot> first{snapshot("tiktok", "aitools", kStart, 10, 100)};
  const std::vector<Snapshot> corrected{snapshot("tiktok", "aitools", kStart, 12, 120)};
  store.append(first);
  store.append(corrected);

  EXPECT_THAT(store.history("aitools", "tiktok"), ElementsAre(corrected[0]));
  EXPECT_THAT(store.latest(), ElementsAre(corrected[0]));
}

// #aitools on tiktok on three days in a row, and once on demo on the second.
std::vector<Snapshot> three_days_and_another_source() {
  return {snapshot("tiktok", "aitools", kStart, 10),
          snapshot("tiktok", "aitools", kStart + kDay, 11),
          snapshot("tiktok", "aitools", kStart + 2 * kDay, 12),
          snapshot("demo", "aitools", kStart + kDay, 99)};
}

TEST(StoreTest, NewestNotAfterFindsTheReferenceSnapshot) {
  const TempDir dir;
  HistoryStore store(dir / "history.db");
  const auto round = three_days_and_another_source();
  store.append(round);
  const SeriesKey series{.source = "tiktok", .hashtag = "aitools"};

  EXPECT_EQ(store.newest_not_after(series, kStart + kDay), round[1]);
  EXPECT_EQ(store.newest_not_after(series, kStart + 2 * kDay - 1), round[1]);
  EXPECT_EQ(store.newest_not_after(series, std::numeric_limits<std::int64_t>::max()), round[2]);
  EXPECT_EQ(store.newest_not_after(series, kStart - 1), std::nullopt);
  EXPECT_EQ(store.newest_not_after({.source = "tiktok", .hashtag = "llm"}, kStart + kDay),
            std::nullopt);
}

TEST(StoreTest, BatchedLookUpsAnswerEachInOrder) {
  const TempDir dir;
  HistoryStore store(dir / "history.db");
  const std::vector<Snapshot> round{snapshot("tiktok", "aitools", kStart, 10),
                                    snapshot("tiktok", "aitools", kStart + kDay, 11),
                                    snapshot("demo", "aitools", kStart + kDay, 99)};
  store.append(round);
  const SeriesKey tiktok{.source = "tiktok", .hashtag = "aitools"};
  const std::vector<HistoryStore::SeriesAt> lookups{
      {tiktok, kStart + kDay},
      {{.source = "tiktok", .hashtag = "llm"}, kStart + kDay},
      {tiktok, kStart},
      {{.source = "demo", .hashtag = "aitools"}, kStart + kDay},
      {tiktok, kStart - 1}};

  EXPECT_THAT(store.newest_not_after(lookups),
              ElementsAre(round[1], std::nullopt, round[0], round[2], std::nullopt));
  EXPECT_THAT(store.newest_not_after(std::span<const HistoryStore::SeriesAt>{}), ElementsAre());
}

TEST(StoreTest, AroundFindsTheSnapshotsOnEitherSideOfEachInstant) {
  const TempDir dir;
  HistoryStore store(dir / "history.db");
  const auto round = three_days_and_another_source();
  store.append(round);
  const SeriesKey tiktok{.source = "tiktok", .hashtag = "aitools"};
  const std::vector<HistoryStore::SeriesAt> lookups{{tiktok, kStart + kDay / 2},
                                                    {tiktok, kStart + kDay},
                                                    {tiktok, kStart - 1},
                                                    {tiktok, kStart + 3 * kDay},
                                                    {{.source = "demo", .hashtag = "llm"}, kStart}};
  const auto found = store.around(lookups);
  ASSERT_EQ(found.size(), 5u);
  EXPECT_EQ(found[0].at_or_before, round[0]);
  EXPECT_EQ(found[0].after, round[1]);
  EXPECT_EQ(found[1].at_or_before, round[1]);  // at the instant: at or before
  EXPECT_EQ(found[1].after, round[2]);
  EXPECT_EQ(found[2].at_or_before, std::nullopt);
  EXPECT_EQ(found[2].after, round[0]);
  EXPECT_EQ(found[3].at_or_before, round[2]);
  EXPECT_EQ(found[3].after, std::nullopt);
  EXPECT_EQ(found[4].at_or_before, std::nullopt);
  EXPECT_EQ(found[4].after, std::nullopt);
  EXPECT_FALSE(found[0].old_enough);  // looked up separately, only when needed
}

TEST(StoreTest, BetweenVisitsEachSpanInTurnWithItsSnapshotsOldestFirst) {
  const TempDir dir;
  HistoryStore store(dir / "history.db");
  const auto round = three_days_and_another_source();
  store.append(round);
  const SeriesKey tiktok{.source = "tiktok", .hashtag = "aitools"};
  const std::vector<HistoryStore::SeriesSpan> spans{
      {tiktok, kStart + 1, kStart + 2 * kDay},  // both ends inclusive
      {{.source = "demo", .hashtag = "aitools"}, kStart, kStart + 3 * kDay},
      {tiktok, kStart + 3 * kDay, kStart + 4 * kDay}};
  std::vector<std::pair<std::size_t, std::vector<Snapshot>>> visited;
  store.between(spans, [&](std::size_t i, std::span<const Snapshot> snapshots) {
    visited.emplace_back(i, std::vector<Snapshot>(snapshots.begin(), snapshots.end()));
  });
  ASSERT_EQ(visited.size(), 3u);
  EXPECT_EQ(visited[0].first, 0u);
  EXPECT_THAT(visited[0].second, ElementsAre(round[1], round[2]));
  EXPECT_THAT(visited[1].second, ElementsAre(round[3]));
  EXPECT_THAT(visited[2].second, ElementsAre());
}

TEST(StoreTest, ImportingTwiceAddsNothing) {
  const TempDir dir;
  HistoryStore store(dir / "history.db");
  const std::vector<Snapshot> stored{snapshot("tiktok", "aitools", kStart + kDay, 11, 110)};
  store.append(stored);
  const std::vector<Snapshot> imported{snapshot("tiktok", "aitools", kStart, 10, 100),
                                       // Same key as a stored snapshot: the stored one stays.
                                       snapshot("tiktok", "aitools", kStart + kDay, 999, 999),
                                       snapshot("tiktok", "llm", kStart, 5, 50)};

  EXPECT_EQ(store.import(imported), 2u);
  EXPECT_EQ(store.import(imported), 0u);
  EXPECT_THAT(store.history("aitools", "tiktok"), ElementsAre(imported[0], stored[0]));
  EXPECT_THAT(store.latest(), ElementsAre(stored[0], imported[2]));
}

TEST(StoreTest, RetentionDeletesInBatchesButKeepsTheNewestOfEachSeries) {
  const TempDir dir;
  HistoryStore store(dir / "history.db");
  std::vector<Snapshot> rows;
  for (std::int64_t day = 0; day < 10; ++day) {
    rows.push_back(snapshot("tiktok", "aitools", kStart + day * kDay, day));
  }
  // A series that stopped being collected long ago keeps its last snapshot.
  rows.push_back(snapshot("tiktok", "retired", kStart, 1));
  rows.push_back(snapshot("tiktok", "retired", kStart + kDay, 2));
  store.append(rows);

  EXPECT_EQ(store.delete_older_than(kStart + 7 * kDay, 3), 8u);
  const auto kept = store.history("aitools", "tiktok");
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept.front().timestamp, kStart + 7 * kDay);
  EXPECT_THAT(store.history("retired", "tiktok"), ElementsAre(rows.back()));
  EXPECT_EQ(store.delete_older_than(kStart + 7 * kDay, 3), 0u);

  // Even a cutoff after every snapshot keeps the newest of each series.
  EXPECT_EQ(store.delete_older_than(kStart + 100 * kDay, 1), 2u);
  EXPECT_THAT(store.latest(), ElementsAre(rows[9], rows.back()));
  EXPECT_THAT(store.history("aitools", "tiktok"), ElementsAre(rows[9]));
}

TEST(StoreTest, TwoProcessesMayWriteTheSameFile) {
  const TempDir dir;
  HistoryStore serve(dir / "history.db");
  HistoryStore cron(dir / "history.db");
  constexpr int kRounds = 50;
  const auto write_rounds = [](HistoryStore& store, const std::string& source) {
    for (int round = 0; round < kRounds; ++round) {
      const std::vector<Snapshot> snapshots{snapshot(source, "aitools", kStart + round, round)};
      store.append(snapshots);
    }
  };
  {
    std::jthread serving(write_rounds, std::ref(serve), "tiktok");
    std::jthread collecting(write_rounds, std::ref(cron), "demo");
  }
  EXPECT_EQ(serve.history("aitools", std::nullopt).size(), 2u * kRounds);
  EXPECT_EQ(cron.latest().size(), 2u);
}

TEST(StoreTest, OpeningWaitsForNoWriter) {
  const TempDir dir;
  { HistoryStore created(dir / "history.db"); }
  RawDatabase writer(dir / "history.db");
  writer.exec("BEGIN IMMEDIATE");
  // A `report` or `history` beside a long `import`: reading needs no write lock, not even to
  // open an up-to-date history.
  const HistoryStore reader(dir / "history.db", std::chrono::milliseconds(1));
  EXPECT_TRUE(reader.latest().empty());
  writer.exec("COMMIT");
}

TEST(StoreTest, ImportsInBatchesAndCountsAcrossThem) {
  const TempDir dir;
  HistoryStore store(dir / "history.db");
  std::vector<Snapshot> rows;
  for (std::size_t i = 0; i < 2 * HistoryStore::kWriteBatchRows + 1; ++i) {
    rows.push_back(snapshot("tiktok", "aitools", kStart + static_cast<std::int64_t>(i), 1));
  }
  store.append(std::span(rows).first(3));
  EXPECT_EQ(store.import(rows), rows.size() - 3);
  EXPECT_EQ(store.import(rows), 0u);
  EXPECT_EQ(store.history("aitools", "tiktok").size(), rows.size());
  EXPECT_THAT(store.latest(), ElementsAre(rows.back()));
}

TEST(StoreTest, ReopeningRestoresTheLatestValues) {
  const TempDir dir;
  const std::vector<Snapshot> round{snapshot("tiktok", "aitools", kStart, 10, 100),
                                    snapshot("tiktok", "llm", kStart, 20, 200)};
  {
    HistoryStore store(dir / "history.db");
    store.append(round);
  }
  const HistoryStore reopened(dir / "history.db");
  EXPECT_THAT(reopened.latest(), ElementsAre(round[0], round[1]));
  EXPECT_THAT(reopened.history("llm", std::nullopt), ElementsAre(round[1]));
}

TEST(StoreTest, MigratesAVersionOneDatabase) {
  const TempDir dir;
  {
    RawDatabase raw(dir / "history.db");
    raw.exec(
        "CREATE TABLE snapshots (source TEXT NOT NULL, hashtag TEXT NOT NULL,"
        " timestamp INTEGER NOT NULL, video_count INTEGER NOT NULL, view_count INTEGER NOT NULL,"
        " PRIMARY KEY (source, hashtag, timestamp)) WITHOUT ROWID;"
        "INSERT INTO snapshots VALUES ('tiktok', 'aitools', 1780000000, 10, 100),"
        " ('tiktok', 'aitools', 1780086400, 11, 110), ('tiktok', 'llm', 1780000000, 5, 50),"
        " ('demo', 'aitools', 1780000100, 1, 2);"
        "PRAGMA user_version = 1;");
  }
  const HistoryStore store(dir / "history.db");
  EXPECT_EQ(store.schema_version(), 2);
  EXPECT_THAT(store.latest(), ElementsAre(snapshot("demo", "aitools", 1780000100, 1, 2),
                                          snapshot("tiktok", "aitools", 1780086400, 11, 110),
                                          snapshot("tiktok", "llm", 1780000000, 5, 50)));
  EXPECT_EQ(store.history("aitools", "tiktok").size(), 2u);
  RawDatabase raw(dir / "history.db");
  EXPECT_EQ(raw.text("PRAGMA user_version"), "2");
}

TEST(StoreTest, RejectsADatabaseOfANewerVersion) {
  const TempDir dir;
  {
    RawDatabase raw(dir / "history.db");
    raw.exec("CREATE TABLE future (x); PRAGMA user_version = 7;");
  }
  const auto message = store_error(dir / "history.db");
  EXPECT_THAT(message, HasSubstr((dir / "history.db").string()));
  EXPECT_THAT(message, HasSubstr("schema version 7"));
  EXPECT_THAT(message, HasSubstr("version 2"));
  // Left as it was: not switched to WAL, not migrated.
  RawDatabase raw(dir / "history.db");
  EXPECT_EQ(raw.text("PRAGMA user_version"), "7");
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "delete");
}

TEST(StoreTest, RejectsAFileThatIsNotADatabase) {
  const TempDir dir;
  const std::string text(4096, 'x');
  testing::write_file(dir / "notes.db", text);
  const auto message = store_error(dir / "notes.db");
  EXPECT_THAT(message, HasSubstr((dir / "notes.db").string() + ": "));
  EXPECT_THAT(message, HasSubstr("not a database"));
  EXPECT_EQ(testing::read_file(dir / "notes.db"), text);
}

TEST(StoreTest, RejectsATutorialTrackerDatabaseAsHistory) {
  const TempDir dir;
  {
    RawDatabase raw(dir / "hashtag_tracker.db");
    raw.exec(
        "CREATE TABLE snapshots (date TEXT, hashtag TEXT, video_count INTEGER,"
        " view_count INTEGER, PRIMARY KEY (date, hashtag))");
  }
  const auto message = store_error(dir / "hashtag_tracker.db");
  EXPECT_THAT(message, HasSubstr((dir / "hashtag_tracker.db").string()));
  EXPECT_THAT(message, HasSubstr("hashtag_exporter import"));
}

TEST(StoreTest, ReportsAFolderThatDoesNotExist) {
  const TempDir dir;
  const auto message = store_error(dir / "missing" / "history.db");
  EXPECT_THAT(message, HasSubstr((dir / "missing" / "history.db").string() + ": cannot open"));
  EXPECT_THAT(message, HasSubstr("the folder " + (dir / "missing").string() + " does not exist"));
}

}  // namespace
}  // namespace hashtag_exporter
