#include "bench_support.hpp"

#include <sqlite3.h>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace hashtag_exporter::bench {
namespace {

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  return static_cast<std::size_t>(std::strtoull(value, nullptr, 10));
}

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "?";
    sqlite3_free(error);
    throw std::runtime_error(std::string("sqlite: ") + sql + ": " + message);
  }
}

}  // namespace

std::size_t hashtag_count() { return env_size("HX_BENCH_HASHTAGS", 10000); }
std::size_t history_days() { return env_size("HX_BENCH_DAYS", 365); }

std::string hashtag_name(std::size_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "tag%06zu", index);
  return name;
}

SourceState tiktok_source(std::size_t hashtags, std::chrono::seconds interval) {
  SourceConfig config;
  config.name = "tiktok";
  config.plugin = "tiktok";
  config.interval = interval;
  for (std::size_t i = 0; i < hashtags; ++i) config.hashtags.push_back(hashtag_name(i));
  return SourceState(std::make_shared<const SourceConfig>(std::move(config)),
                     {{}, "tiktok", "1.0.0", 1});
}

ExporterState make_state(std::size_t hashtags) {
  ExporterState state;
  auto source = tiktok_source(0, std::chrono::seconds(21600));
  for (const char* reason : kFailureReasons) source.errors_by_reason[reason] = 0;
  source.last_collect_duration_seconds = 4.2;
  source.credits_remaining = 123456;
  state.sources.push_back(source);
  state.hashtags.reserve(hashtags);
  for (std::size_t i = 0; i < hashtags; ++i) {
    HashtagState h;
    h.source = "tiktok";
    h.hashtag = hashtag_name(i);
    const auto videos = static_cast<std::int64_t>(100000 + 37 * i);
    h.latest = Snapshot{kNow, "tiktok", h.hashtag, videos, videos * 150};
    h.videos_growth_percent = {{"1d", 1.25 + static_cast<double>(i % 100) / 7}, {"7d", 9.5}};
    h.views_growth_percent = {{"1d", 2.5}, {"7d", 11.0 + static_cast<double>(i % 13) / 3}};
    h.up = true;
    state.hashtags.push_back(std::move(h));
  }
  return state;
}

std::vector<Snapshot> make_round(std::size_t hashtags, std::int64_t timestamp) {
  std::vector<Snapshot> round;
  round.reserve(hashtags);
  for (std::size_t i = 0; i < hashtags; ++i) {
    const auto videos = static_cast<std::int64_t>(200000 + 41 * i + timestamp % 1000);
    round.push_back({timestamp, "tiktok", hashtag_name(i), videos, videos * 151});
  }
  return round;
}

std::filesystem::path history_database(std::size_t hashtags, std::size_t days) {
  const auto path =
      std::filesystem::temp_directory_path() /
      ("hx_bench_history_" + std::to_string(hashtags) + "x" + std::to_string(days) + ".db");
  if (std::filesystem::exists(path)) return path;
  const auto building = path.string() + ".building";
  std::filesystem::remove(building);
  sqlite3* db = nullptr;
  if (sqlite3_open(building.c_str(), &db) != SQLITE_OK)
    throw std::runtime_error("cannot open " + building);
  exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;");
  exec(db,
       "CREATE TABLE snapshots (source TEXT NOT NULL, hashtag TEXT NOT NULL, timestamp INTEGER "
       "NOT NULL, video_count INTEGER NOT NULL, view_count INTEGER NOT NULL, PRIMARY KEY "
       "(source, hashtag, timestamp)) WITHOUT ROWID;"
       "CREATE TABLE latest (source TEXT NOT NULL, hashtag TEXT NOT NULL, timestamp INTEGER NOT "
       "NULL, video_count INTEGER NOT NULL, view_count INTEGER NOT NULL, PRIMARY KEY (source, "
       "hashtag)) WITHOUT ROWID;"
       "BEGIN;");
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO snapshots VALUES ('tiktok', ?, ?, ?, ?)", -1, &insert,
                     nullptr);
  for (std::size_t i = 0; i < hashtags; ++i) {
    const auto tag = hashtag_name(i);
    for (std::size_t d = 0; d < days; ++d) {
      const auto timestamp = kNow - static_cast<std::int64_t>(days - 1 - d) * kDay;
      const auto videos = static_cast<std::int64_t>(100000 + 37 * i + 50 * d);
      sqlite3_bind_text(insert, 1, tag.data(), static_cast<int>(tag.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(insert, 2, timestamp);
      sqlite3_bind_int64(insert, 3, videos);
      sqlite3_bind_int64(insert, 4, videos * 150);
      if (sqlite3_step(insert) != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db));
      sqlite3_reset(insert);
    }
  }
  sqlite3_finalize(insert);
  exec(db,
       "INSERT INTO latest SELECT source, hashtag, MAX(timestamp), video_count, view_count FROM "
       "snapshots GROUP BY source, hashtag;"
       "COMMIT; PRAGMA user_version = 2;");
  sqlite3_close(db);
  std::filesystem::rename(building, path);
  return path;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "hx_bench_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::system_error(errno, std::generic_category());
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace hashtag_exporter::bench
