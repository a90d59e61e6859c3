#pragma once

#include <hashtag_exporter/baseline.hpp>
#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/plugin/reasons.hpp>
#include <hashtag_exporter/plugin_host.hpp>
#include <hashtag_exporter/shard.hpp>
#include <hashtag_exporter/snapshot.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hashtag_exporter {

// Every value of the `reason` label, in the order they are exported: the SDK's table.
inline constexpr const auto& kFailureReasons = sdk::kReasonLabels;

struct HashtagState {
  std::string source;
  std::string hashtag;
  // Empty until the first successful collection (or a snapshot restored from history).
  std::optional<Snapshot> latest;
  // Growth of videos and views per window label; a window without a usable reference is absent.
  std::map<std::string, double> videos_growth_percent;
  std::map<std::string, double> views_growth_percent;
  // Per window label, the hashtag's own typical video growth (absent with too little history),
  // computed for the UTC day starting at `baseline_day`, and how far the growth stands above it.
  std::map<std::string, Baseline> videos_growth_baseline;
  std::optional<std::int64_t> baseline_day;
  std::map<std::string, double> breakout_score;
  // Video growth between the last two snapshots, scaled to the watched window (adaptive polling).
  std::optional<double> recent_growth_percent;
  // The schedule's choice for this hashtag: its interval and when it is next polled (Unix time).
  std::optional<std::int64_t> poll_interval_seconds;
  std::optional<std::int64_t> next_poll;
  // Whether the last fetch succeeded; false until the first fetch of this process.
  bool up = false;
  // Video growth above this fires the growth alert (from config; exported for the alert rule).
  double alert_threshold_percent = 5;
  std::string last_error;

  // The time of the last successful fetch is the latest snapshot's: a restart restores it with
  // the snapshot, and a failed fetch leaves both alone.
  std::optional<std::int64_t> last_success_timestamp() const {
    return latest ? std::optional(latest->timestamp) : std::nullopt;
  }
};

// A tracked source: what it is until the next reload, then what its collections changed.
struct SourceState {
  explicit SourceState(std::shared_ptr<const SourceConfig> source_config,
                       PluginDescription collecting_plugin = {})
      : config(std::move(source_config)), plugin(std::move(collecting_plugin)) {}

  // Shared by every copy of the state, not copied into it: a source may have 100,000 hashtags.
  std::shared_ptr<const SourceConfig> config;  // never null
  PluginDescription plugin;  // the plugin that collects it; empty in the report, which loads none

  std::map<std::string, std::uint64_t> errors_by_reason;
  // Counters since the start of the process, carried across reloads like errors_by_reason.
  std::uint64_t fetches = 0;        // hashtags that got a snapshot or a failure
  std::uint64_t credits_spent = 0;  // API requests, retries included; never reset at 00:00 UTC
  std::optional<double> last_collect_duration_seconds;
  std::optional<double> credits_remaining;
  std::uint64_t credits_spent_today = 0;
  bool budget_exhausted = false;
  std::size_t suspended_hashtags = 0;  // sitting out the last round (backoff or budget)

  const std::string& name() const { return config->name; }
};

// Everything a scrape or an API call shows, as of the last collection.
struct ExporterState {
  std::vector<SourceState> sources;
  std::vector<HashtagState> hashtags;  // sorted by (source, hashtag)
  Shard shard;
  std::uint64_t storage_errors = 0;              // rounds that could not be written to the history
  std::uint64_t unstored_snapshots = 0;          // held in memory until the history is writable
  std::uint64_t unstored_snapshots_dropped = 0;  // given up past Collector::kMaxUnstoredSnapshots
  std::uint64_t retention_errors = 0;  // retention runs that failed to delete old snapshots
  bool config_last_reload_successful = true;
  std::optional<std::int64_t> config_last_reload_success_timestamp;
};

// Holds the current ExporterState. Readers get an immutable copy that stays valid however long
// they hold it; writers replace it whole, so a scrape never sees half a collection.
class StateStore {
 public:
  StateStore();

  std::shared_ptr<const ExporterState> current() const;
  // Increases with every update; lets readers cache what they derive from a state.
  std::uint64_t generation() const;

  void update(const std::function<void(ExporterState&)>& change);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const ExporterState> state_;
  std::uint64_t generation_ = 0;
};

}  // namespace hashtag_exporter
