#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/store.hpp>

#include "adapters/sqlite.hpp"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <string_view>

namespace hashtag_exporter {
namespace {

using sqlite::Connection;
using sqlite::query_integer;
using sqlite::query_text;
using sqlite::Run;
using sqlite::Statement;
using sqlite::Transaction;

// Entry i takes a database from user_version i to i + 1. Each step runs in its own transaction
// together with the new user_version, so an interrupted upgrade resumes where it stopped.
struct Migration {
  const char* description;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    // The primary key is also the index that finds the reference snapshot of a growth window
    // (newest of a series not after a time); WITHOUT ROWID stores the rows in that order.
    {"create the snapshots table",
     "CREATE TABLE snapshots ("
     " source TEXT NOT NULL, hashtag TEXT NOT NULL, timestamp INTEGER NOT NULL,"
     " video_count INTEGER NOT NULL, view_count INTEGER NOT NULL,"
     " PRIMARY KEY (source, hashtag, timestamp)) WITHOUT ROWID"},
    // The newest snapshot of each series, kept beside the history so that restoring the values at
    // startup does not read years of rows. SQLite takes the bare columns of a MAX() aggregate
    // from the row that holds the maximum.
    {"add the latest table",
     "CREATE TABLE latest ("
     " source TEXT NOT NULL, hashtag TEXT NOT NULL, timestamp INTEGER NOT NULL,"
     " video_count INTEGER NOT NULL, view_count INTEGER NOT NULL,"
     " PRIMARY KEY (source, hashtag)) WITHOUT ROWID;"
     "INSERT INTO latest (source, hashtag, timestamp, video_count, view_count)"
     " SELECT source, hashtag, MAX(timestamp), video_count, view_count FROM snapshots"
     " GROUP BY source, hashtag"},
};
static_assert(std::size(kMigrations) == HistoryStore::kSchemaVersion,
              "one migration for every schema version");

constexpr const char* kSnapshotColumns = "source, hashtag, timestamp, video_count, view_count";

std::string missing_folder(const std::filesystem::path& path) {
  const auto folder = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  std::error_code error;
  if (std::filesystem::is_directory(folder, error)) return "";
  return " (the folder " + folder.string() +
         " does not exist; create it or point storage.path elsewhere)";
}

// Reads a row selected as kSnapshotColumns.
Snapshot read_snapshot(const sqlite::Run& run) {
  return {.timestamp = run.integer(2),
          .source = run.text(0),
          .hashtag = run.text(1),
          .video_count = run.integer(3),
          .view_count = run.integer(4)};
}

// SQLite says only "unable to open database file" when the folder of a new database is missing.
sqlite::Connection open_history(const std::filesystem::path& path) {
  try {
    return sqlite::Connection(path, sqlite::Connection::Access::read_write_create);
  } catch (const StoreError& e) {
    throw StoreError(e.what() + missing_folder(path));
  }
}

void migrate(const Connection& connection, std::int64_t version_read) {
  // An up-to-date history needs no write lock to open, so opening it does not wait for (or fail
  // on) another process that is writing.
  if (version_read == HistoryStore::kSchemaVersion) return;
  while (true) {
    Transaction transaction(connection);
    // Read inside the write transaction: another process may have migrated in the meantime.
    const auto version = query_integer(connection, "PRAGMA user_version");
    if (version >= HistoryStore::kSchemaVersion) return;
    if (version == 0 &&
        query_integer(connection, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'snapshots'") >
            0) {
      throw StoreError(connection.name() +
                       ": has a snapshots table but no hashtag_exporter schema version; to bring "
                       "in a tutorial tracker database, point storage.path at a new file and "
                       "run `hashtag_exporter import` on this one");
    }
    const Migration& migration = kMigrations[static_cast<std::size_t>(version)];
    const std::string context = "migrating the schema from version " + std::to_string(version) +
                                " to " + std::to_string(version + 1) + " (" +
                                migration.description + ")";
    connection.exec(migration.sql, context);
    connection.exec("PRAGMA user_version = " + std::to_string(version + 1), context);
    transaction.commit();
  }
}

// Sets up the connection and brings the schema up to date; returns the schema version.
int configure(const Connection& connection, std::chrono::milliseconds busy_timeout) {
  sqlite3_busy_timeout(connection.handle(), static_cast<int>(busy_timeout.count()));
  // The first read of the file: a file that is not a database fails here, before anything is
  // written to it, and so does a history written by a newer binary.
  const auto version = query_integer(connection, "PRAGMA user_version");
  if (version > HistoryStore::kSchemaVersion) {
    throw StoreError(connection.name() + ": schema version " + std::to_string(version) +
                     " is newer than version " + std::to_string(HistoryStore::kSchemaVersion) +
                     " that this hashtag_exporter supports; run a newer hashtag_exporter");
  }
  // WAL lets scrapes and reports read while a round is being written.
  if (const auto mode = query_text(connection, "PRAGMA journal_mode = WAL"); mode != "wal") {
    log::warn("WAL is not available, readers wait for writers",
              {{"path", connection.name()}, {"journal_mode", mode}});
  }
  // FULL syncs the WAL on every commit. NORMAL would lose no committed round when the process
  // crashes, but may lose the last ones on power loss; a round costs API credits and cannot be
  // fetched again for the past, and there are only a few commits per hour.
  connection.exec("PRAGMA synchronous = FULL");
  migrate(connection, version);
  return HistoryStore::kSchemaVersion;
}

}  // namespace

struct HistoryStore::Impl {
  Impl(const std::filesystem::path& file, std::chrono::milliseconds busy_timeout)
      : path(file),
        connection(open_history(file)),
        schema_version(configure(connection, busy_timeout)) {}

  std::filesystem::path path;
  mutable std::mutex mutex;
  // Declared before the statements, so that they are finalized before the connection closes.
  Connection connection;
  // Initialised before the statements are prepared, which need the migrated schema.
  int schema_version;
  Statement replace_snapshot{connection, std::string("INSERT OR REPLACE INTO snapshots (") +
                                             kSnapshotColumns + ") VALUES (?, ?, ?, ?, ?)"};
  Statement insert_new_snapshot{connection, std::string("INSERT OR IGNORE INTO snapshots (") +
                                                kSnapshotColumns + ") VALUES (?, ?, ?, ?, ?)"};
  // ">=" so that a snapshot replacing the newest one (same timestamp) replaces it here too.
  Statement update_latest{connection,
                          std::string("INSERT INTO latest (") + kSnapshotColumns +
                              ") VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, hashtag) DO UPDATE SET"
                              " timestamp = excluded.timestamp, video_count = excluded.video_count,"
                              " view_count = excluded.view_count"
                              " WHERE excluded.timestamp >= latest.timestamp"};
  Statement select_latest{connection, std::string("SELECT ") + kSnapshotColumns +
                                          " FROM latest ORDER BY source, hashtag"};
  Statement select_newest_not_after{
      connection, std::string("SELECT ") + kSnapshotColumns +
                      " FROM snapshots WHERE source = ? AND hashtag = ? AND timestamp <= ?"
                      " ORDER BY timestamp DESC LIMIT 1"};
  Statement select_oldest_after{
      connection, std::string("SELECT ") + kSnapshotColumns +
                      " FROM snapshots WHERE source = ? AND hashtag = ? AND timestamp > ?"
                      " ORDER BY timestamp LIMIT 1"};
  Statement select_between{connection, std::string("SELECT ") + kSnapshotColumns +
                                           " FROM snapshots WHERE source = ? AND hashtag = ?"
                                           " AND timestamp BETWEEN ? AND ? ORDER BY timestamp"};
  Statement select_history{connection, std::string("SELECT ") + kSnapshotColumns +
                                           " FROM snapshots WHERE hashtag = ?"
                                           " ORDER BY timestamp, source"};
  Statement select_history_of_source{connection, std::string("SELECT ") + kSnapshotColumns +
                                                     " FROM snapshots"
                                                     " WHERE source = ? AND hashtag = ?"
                                                     " ORDER BY timestamp"};
  Statement delete_old_batch{
      connection,
      "DELETE FROM snapshots WHERE (source, hashtag, timestamp) IN ("
      " SELECT source, hashtag, timestamp FROM snapshots AS old WHERE old.timestamp < ?"
      " AND EXISTS (SELECT 1 FROM snapshots AS newer WHERE newer.source = old.source"
      " AND newer.hashtag = old.hashtag AND newer.timestamp > old.timestamp)"
      " LIMIT ?)"};

  void write(const Statement& statement, const Snapshot& snapshot) const {
    Run(connection, statement)
        .bind(snapshot.source)
        .bind(snapshot.hashtag)
        .bind(snapshot.timestamp)
        .bind(snapshot.video_count)
        .bind(snapshot.view_count)
        .next();
  }

  std::vector<Snapshot> read_all(Run& run) const {
    std::vector<Snapshot> snapshots;
    while (run.next()) snapshots.push_back(read_snapshot(run));
    return snapshots;
  }
};

HistoryStore::HistoryStore(const std::filesystem::path& path,
                           std::chrono::milliseconds busy_timeout)
    : impl_(std::make_unique<Impl>(path, busy_timeout)) {}

HistoryStore::~HistoryStore() = default;

void HistoryStore::append(std::span<const Snapshot> round) {
  const std::lock_guard lock(impl_->mutex);
  Transaction transaction(impl_->connection);
  for (const Snapshot& snapshot : round) {
    impl_->write(impl_->replace_snapshot, snapshot);
    impl_->write(impl_->update_latest, snapshot);
  }
  transaction.commit();
}

std::size_t HistoryStore::import(std::span<const Snapshot> snapshots) {
  std::size_t added = 0;
  while (!snapshots.empty()) {
    const auto batch = snapshots.first(std::min(snapshots.size(), kWriteBatchRows));
    snapshots = snapshots.subspan(batch.size());
    const std::lock_guard lock(impl_->mutex);
    Transaction transaction(impl_->connection);
    for (const Snapshot& snapshot : batch) {
      impl_->write(impl_->insert_new_snapshot, snapshot);
      // A snapshot already stored keeps its values, so `latest` must not take the imported ones.
      if (sqlite3_changes64(impl_->connection.handle()) == 0) continue;
      ++added;
      impl_->write(impl_->update_latest, snapshot);
    }
    transaction.commit();
  }
  return added;
}

std::vector<Snapshot> HistoryStore::latest() const {
  const std::lock_guard lock(impl_->mutex);
  Run run(impl_->connection, impl_->select_latest);
  return impl_->read_all(run);
}

std::optional<Snapshot> HistoryStore::newest_not_after(const SeriesKey& series,
                                                       std::int64_t not_after) const {
  const std::lock_guard lock(impl_->mutex);
  Run run(impl_->connection, impl_->select_newest_not_after);
  run.bind(series.source).bind(series.hashtag).bind(not_after);
  if (!run.next()) return std::nullopt;
  return read_snapshot(run);
}

std::vector<std::optional<Snapshot>> HistoryStore::newest_not_after(
    std::span<const SeriesAt> lookups) const {
  std::vector<std::optional<Snapshot>> found;
  found.reserve(lookups.size());
  const std::lock_guard lock(impl_->mutex);
  Transaction transaction(impl_->connection, Transaction::Kind::read);
  for (const auto& lookup : lookups) {
    Run run(impl_->connection, impl_->select_newest_not_after);
    run.bind(lookup.series.source).bind(lookup.series.hashtag).bind(lookup.not_after);
    found.push_back(run.next() ? std::optional(read_snapshot(run)) : std::nullopt);
  }
  transaction.commit();
  return found;
}

std::vector<ReferenceSnapshots> HistoryStore::around(std::span<const SeriesAt> lookups) const {
  std::vector<ReferenceSnapshots> found;
  found.reserve(lookups.size());
  const std::lock_guard lock(impl_->mutex);
  Transaction transaction(impl_->connection, Transaction::Kind::read);
  const auto one = [this](const Statement& statement, const SeriesAt& lookup) {
    Run run(impl_->connection, statement);
    run.bind(lookup.series.source).bind(lookup.series.hashtag).bind(lookup.not_after);
    return run.next() ? std::optional(read_snapshot(run)) : std::nullopt;
  };
  for (const auto& lookup : lookups) {
    found.push_back({.at_or_before = one(impl_->select_newest_not_after, lookup),
                     .after = one(impl_->select_oldest_after, lookup)});
  }
  transaction.commit();
  return found;
}

void HistoryStore::between(
    std::span<const SeriesSpan> spans,
    const std::function<void(std::size_t, std::span<const Snapshot>)>& visit) const {
  const std::lock_guard lock(impl_->mutex);
  Transaction transaction(impl_->connection, Transaction::Kind::read);
  std::vector<Snapshot> snapshots;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const auto& span = spans[i];
    Run run(impl_->connection, impl_->select_between);
    run.bind(span.series.source).bind(span.series.hashtag).bind(span.from).bind(span.to);
    snapshots.clear();
    while (run.next()) snapshots.push_back(read_snapshot(run));
    visit(i, snapshots);
  }
  transaction.commit();
}

std::vector<Snapshot> HistoryStore::history(const std::string& hashtag,
                                            const std::optional<std::string>& source) const {
  const std::lock_guard lock(impl_->mutex);
  if (source) {
    Run run(impl_->connection, impl_->select_history_of_source);
    run.bind(*source).bind(hashtag);
    return impl_->read_all(run);
  }
  Run run(impl_->connection, impl_->select_history);
  run.bind(hashtag);
  return impl_->read_all(run);
}

std::size_t HistoryStore::delete_older_than(std::int64_t cutoff, std::size_t batch_size) {
  // A limit of zero rows would never finish.
  const auto limit = static_cast<std::int64_t>(std::max<std::size_t>(batch_size, 1));
  std::size_t deleted = 0;
  while (true) {
    // Locked per batch, so that rounds and reads of this process get in between batches.
    const std::lock_guard lock(impl_->mutex);
    Transaction transaction(impl_->connection);
    Run(impl_->connection, impl_->delete_old_batch).bind(cutoff).bind(limit).next();
    const auto batch = sqlite3_changes64(impl_->connection.handle());
    transaction.commit();
    deleted += static_cast<std::size_t>(batch);
    if (batch < limit) return deleted;
  }
}

int HistoryStore::schema_version() const { return impl_->schema_version; }

const std::filesystem::path& HistoryStore::path() const { return impl_->path; }

}  // namespace hashtag_exporter
