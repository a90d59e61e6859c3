#pragma once

#include <hashtag_exporter/growth.hpp>
#include <hashtag_exporter/source.hpp>
#include <hashtag_exporter/state.hpp>
#include <hashtag_exporter/store.hpp>

#include <chrono>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace hashtag_exporter {

// Turns collection rounds into history rows and into the state that scrapes read.
class Collector {
 public:
  // Snapshots of rounds that could not be written (read-only or full disk, a write lock held
  // past the busy timeout) are kept in memory and written with the next round, up to this many;
  // past it the oldest are dropped, logged and counted. About 10 MB: days of rounds of thousands
  // of hashtags at the default 6h interval, time enough to free the disk.
  static constexpr std::size_t kMaxUnstoredSnapshots = 100'000;

  Collector(HistoryStore& store, StateStore& state, std::vector<GrowthWindow> windows,
            std::chrono::seconds retention);
  // Logs the snapshots that are still unstored, which are lost with the process.
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Sets what the state shows: these sources (their config and plugin) and their config's
  // hashtags, in this order. A source or hashtag that was already tracked keeps what collections
  // changed (counters, values, `up`); a new hashtag starts from its newest stored snapshot, so
  // that values are right before the first collection of this process.
  void track(std::vector<SourceState> sources);

  // Stores the round's snapshots in one transaction, with those of earlier rounds that could not
  // be stored, and updates the state: new values and growth, `up`, error counters, duration and
  // credits. Failed hashtags keep their values.
  void record(const CollectionRound& round);

  // What the schedule chose for some hashtags of `source`: shown on /metrics and the API.
  void show_schedule(const std::string& source, std::span<const PollStatus> polls);

  // The state as of the last update (what adaptive schedules read after a round).
  std::shared_ptr<const ExporterState> current() const { return state_.current(); }

  // Snapshots recorded but not yet in the history (0 when every round was stored).
  std::size_t unstored_snapshots() const;

 private:
  struct Stored {
    bool round = false;       // the round (and every earlier unstored snapshot) was written
    std::size_t dropped = 0;  // the oldest unstored snapshots given up past kMaxUnstoredSnapshots
  };
  Stored store_round(const CollectionRound& round);
  void apply_retention(std::int64_t now);

  // Each hashtag's latest value from the history (left empty when there is none), and growth.
  void restore(std::span<HashtagState* const> hashtags) const;
  // The growth of each hashtag over every window, against references read in one batch.
  void fill_growth(std::span<HashtagState* const> hashtags) const;
  // Each hashtag's baseline per window (read again when a UTC day starts), and breakout score.
  void fill_baselines(std::span<HashtagState* const> hashtags) const;

  HistoryStore& store_;
  StateStore& state_;
  std::vector<GrowthWindow> windows_;
  std::chrono::seconds retention_;
  mutable std::mutex record_mutex_;  // rounds of different sources arrive from different threads
  std::vector<Snapshot> unstored_;   // oldest first
};

}  // namespace hashtag_exporter
