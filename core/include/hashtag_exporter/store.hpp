#pragma once

#include <hashtag_exporter/growth.hpp>
#include <hashtag_exporter/snapshot.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace hashtag_exporter {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The snapshot history in SQLite (WAL mode). Thread-safe: one connection behind a mutex.
class HistoryStore {
 public:
  static constexpr int kSchemaVersion = 2;
  // How long a write waits for another connection holding the write lock (a cron `collect
  // --once`, an `import` or another process's retention beside `serve`) before failing with
  // "database is locked". Each of those holds the lock for one round or one batch of rows, well
  // under a second; waiting longer would only hold up this process's other rounds and its
  // shutdown. A round that still cannot be written is kept by the Collector for the next one.
  static constexpr std::chrono::milliseconds kBusyTimeout{5000};
  // Rows written per transaction by import, so that a large import never holds the write lock
  // for long: 10,000 rows take some tens of milliseconds.
  static constexpr std::size_t kWriteBatchRows = 10'000;

  // Opens or creates the database and migrates it to kSchemaVersion. Throws StoreError naming the
  // file when it cannot be opened (a folder that does not exist is named), is not a database, or
  // has a newer schema than this binary.
  explicit HistoryStore(const std::filesystem::path& path,
                        std::chrono::milliseconds busy_timeout = kBusyTimeout);
  ~HistoryStore();
  HistoryStore(const HistoryStore&) = delete;
  HistoryStore& operator=(const HistoryStore&) = delete;

  // Writes one collection round in one transaction. A snapshot with the same (source, hashtag,
  // timestamp) as a stored one replaces it.
  void append(std::span<const Snapshot> round);

  // Inserts snapshots that are not stored yet (same source, hashtag and timestamp); returns how
  // many were new. Importing the same data twice adds nothing. Commits every kWriteBatchRows rows
  // so that rounds of a running exporter get the write lock in between; an import that fails
  // half-way keeps the batches before, and running it again adds the rest.
  std::size_t import(std::span<const Snapshot> snapshots);

  // The newest snapshot of every series.
  std::vector<Snapshot> latest() const;

  // The newest snapshot of `series` whose timestamp is <= not_after.
  std::optional<Snapshot> newest_not_after(const SeriesKey& series, std::int64_t not_after) const;

  struct SeriesAt {
    SeriesKey series;
    std::int64_t not_after = 0;
  };
  // The same for many look-ups at once (one answer each, in order), read in one transaction:
  // per look-up, that saves the file locking and WAL check of a transaction of its own.
  std::vector<std::optional<Snapshot>> newest_not_after(std::span<const SeriesAt> lookups) const;

  // For each look-up, the newest snapshot at or before `not_after` and the oldest after it (the
  // two an exact window interpolates between), read in one transaction.
  std::vector<ReferenceSnapshots> around(std::span<const SeriesAt> lookups) const;

  struct SeriesSpan {
    SeriesKey series;
    std::int64_t from = 0;  // inclusive
    std::int64_t to = 0;    // inclusive
  };
  // Calls `visit(i, snapshots)` with every snapshot of the series of spans[i] in its span, oldest
  // first, for each span in turn, in one read transaction: one series is in memory at a time.
  void between(std::span<const SeriesSpan> spans,
               const std::function<void(std::size_t, std::span<const Snapshot>)>& visit) const;

  // Every snapshot of a hashtag, oldest first; all sources unless one is given.
  std::vector<Snapshot> history(const std::string& hashtag,
                                const std::optional<std::string>& source) const;

  // Deletes snapshots older than `cutoff` in batches of `batch_size` rows so that no single
  // transaction holds the database for long. The newest snapshot of a series is always kept.
  // Returns how many rows were deleted.
  std::size_t delete_older_than(std::int64_t cutoff, std::size_t batch_size = 1000);

  int schema_version() const;
  const std::filesystem::path& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hashtag_exporter
