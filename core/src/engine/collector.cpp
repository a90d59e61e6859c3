#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/memory.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace hashtag_exporter {
namespace {

constexpr std::size_t kRetentionBatch = 1000;

// `hashtags` (the state's, or stored snapshots) is sorted by (source, hashtag).
template <class Hashtags>
auto find_hashtag(Hashtags& hashtags, const std::string& source, const std::string& hashtag)
    -> decltype(&hashtags.front()) {
  const auto it = std::lower_bound(hashtags.begin(), hashtags.end(), std::tie(source, hashtag),
                                   [](const auto& entry, const auto& key) {
                                     return std::tie(entry.source, entry.hashtag) < key;
                                   });
  if (it == hashtags.end() || it->source != source || it->hashtag != hashtag) return nullptr;
  return &*it;
}

// Video growth from `previous` to `latest`, scaled to one `window`: how fast the hashtag moves now.
std::optional<double> recent_growth_percent(const Snapshot& previous, const Snapshot& latest,
                                            const GrowthWindow& window) {
  const auto elapsed = latest.timestamp - previous.timestamp;
  const auto growth = growth_percent(static_cast<double>(previous.video_count),
                                     static_cast<double>(latest.video_count));
  if (elapsed <= 0 || !growth) return std::nullopt;
  return *growth * static_cast<double>(window.length.count()) / static_cast<double>(elapsed);
}

}  // namespace

Collector::Collector(HistoryStore& store, StateStore& state, std::vector<GrowthWindow> windows,
                     std::chrono::seconds retention)
    : store_(store), state_(state), windows_(std::move(windows)), retention_(retention) {}

Collector::~Collector() {
  if (unstored_.empty()) return;
  log::error("exiting with snapshots not stored: they are lost",
             {{"path", store_.path().string()}, {"unstored", unstored_.size()}});
}

std::size_t Collector::unstored_snapshots() const {
  std::lock_guard lock(record_mutex_);
  return unstored_.size();
}

Collector::Stored Collector::store_round(const CollectionRound& round) {
  const auto earlier = unstored_.size();
  unstored_.insert(unstored_.end(), round.snapshots.begin(), round.snapshots.end());
  try {
    store_.append(unstored_);
    unstored_.clear();
    log::info("round committed",
              {{"source", round.source},
               {"snapshots", round.snapshots.size()},
               {"earlier_unstored", earlier},
               {"failures", round.failures.size()},
               {"duration_seconds", std::round(round.duration_seconds * 1000) / 1000}});
    return {.round = true};
  } catch (const StoreError& e) {
    Stored stored;
    if (unstored_.size() > kMaxUnstoredSnapshots) {
      stored.dropped = unstored_.size() - kMaxUnstoredSnapshots;
      unstored_.erase(unstored_.begin(),
                      unstored_.begin() + static_cast<std::ptrdiff_t>(stored.dropped));
      log::error(
          "the history has not been writable for too long: dropped the oldest unstored snapshots",
          {{"dropped", stored.dropped}, {"max_unstored", kMaxUnstoredSnapshots}});
    }
    log::error("round not stored; its snapshots are kept in memory and written with the next round",
               {{"source", round.source}, {"unstored", unstored_.size()}, {"err", e.what()}});
    return stored;
  }
}

void Collector::apply_retention(std::int64_t now) {
  try {
    const auto deleted = store_.delete_older_than(now - retention_.count(), kRetentionBatch);
    if (deleted > 0) log::info("retention removed old snapshots", {{"deleted", deleted}});
  } catch (const StoreError& e) {
    log::error("retention failed", {{"err", e.what()}});
    state_.update([](ExporterState& state) { ++state.retention_errors; });
  }
}

void Collector::fill_growth(std::span<HashtagState* const> hashtags) const {
  std::vector<HistoryStore::SeriesAt> lookups;
  for (auto* hashtag : hashtags) {
    hashtag->videos_growth_percent.clear();
    hashtag->views_growth_percent.clear();
    if (!hashtag->latest) continue;
    for (const auto& window : windows_) {
      lookups.push_back({{hashtag->source, hashtag->hashtag},
                         reference_instant(hashtag->latest->timestamp, window)});
    }
  }
  auto references = store_.around(lookups);
  // The §3 fallback is looked up only where nothing usable precedes the instant: new hashtags.
  std::vector<HistoryStore::SeriesAt> fallback_lookups;
  std::vector<std::size_t> fallback_of;  // index in references
  auto reference = references.begin();
  for (auto* hashtag : hashtags) {
    if (!hashtag->latest) continue;
    for (const auto& window : windows_) {
      if (needs_fallback(*hashtag->latest, *reference, window)) {
        fallback_of.push_back(static_cast<std::size_t>(reference - references.begin()));
        fallback_lookups.push_back({{hashtag->source, hashtag->hashtag},
                                    reference_not_after(hashtag->latest->timestamp, window)});
      }
      ++reference;
    }
  }
  const auto fallbacks = store_.newest_not_after(fallback_lookups);
  for (std::size_t i = 0; i < fallbacks.size(); ++i) {
    references[fallback_of[i]].old_enough = fallbacks[i];
  }
  reference = references.begin();
  for (auto* hashtag : hashtags) {
    if (!hashtag->latest) continue;
    for (const auto& window : windows_) {
      const auto growth = compute_growth(*hashtag->latest, *reference++, window);
      if (growth.videos) hashtag->videos_growth_percent[window.label] = *growth.videos;
      if (growth.views) hashtag->views_growth_percent[window.label] = *growth.views;
    }
  }
  fill_baselines(hashtags);
}

void Collector::fill_baselines(std::span<HashtagState* const> hashtags) const {
  // A baseline is sampled at midnights, so it is read from the history once per UTC day.
  std::vector<HistoryStore::SeriesSpan> spans;
  std::vector<HashtagState*> stale;
  for (auto* hashtag : hashtags) {
    if (!hashtag->latest || windows_.empty()) continue;
    const auto day = utc_midnight(hashtag->latest->timestamp);
    if (hashtag->baseline_day == day) continue;
    hashtag->baseline_day = day;
    hashtag->videos_growth_baseline.clear();
    std::int64_t from = hashtag->latest->timestamp;
    for (const auto& window : windows_) {
      from = std::min(from, baseline_history_start(hashtag->latest->timestamp, window));
    }
    spans.push_back({{hashtag->source, hashtag->hashtag}, from, hashtag->latest->timestamp});
    stale.push_back(hashtag);
  }
  // Read one series at a time: at start-up every hashtag's last month is read.
  store_.between(spans, [&](std::size_t i, std::span<const Snapshot> history) {
    for (const auto& window : windows_) {
      if (const auto found = baseline(history, stale[i]->latest->timestamp, window)) {
        stale[i]->videos_growth_baseline[window.label] = *found;
      }
    }
  });
  for (auto* hashtag : hashtags) {
    hashtag->breakout_score.clear();
    for (const auto& [label, typical] : hashtag->videos_growth_baseline) {
      if (const auto growth = hashtag->videos_growth_percent.find(label);
          growth != hashtag->videos_growth_percent.end()) {
        hashtag->breakout_score[label] = breakout_score(growth->second, typical);
      }
    }
  }
}

void Collector::restore(std::span<HashtagState* const> hashtags) const {
  // One scan of the latest table, sorted by (source, hashtag) like the state, rather than one
  // look-up in the history per hashtag.
  const auto stored = store_.latest();
  for (auto* hashtag : hashtags) {
    const auto* found = find_hashtag(stored, hashtag->source, hashtag->hashtag);
    if (found == nullptr) continue;
    hashtag->latest = *found;
  }
  fill_growth(hashtags);
}

void Collector::track(std::vector<SourceState> sources) {
  std::lock_guard lock(record_mutex_);
  const auto previous = state_.current();
  std::vector<HashtagState> next_hashtags;
  std::vector<std::size_t> new_hashtags;  // indexes in next_hashtags
  for (auto& source : sources) {
    for (const auto& old : previous->sources) {
      if (old.name() != source.name()) continue;
      // What collections changed carries over; what the source is comes from the new config.
      SourceState kept = old;
      kept.config = std::move(source.config);
      kept.plugin = std::move(source.plugin);
      source = std::move(kept);
    }
    for (const char* reason : kFailureReasons) source.errors_by_reason.try_emplace(reason, 0);
    const auto& config = *source.config;
    for (const auto& hashtag : config.hashtags) {
      const auto* old = find_hashtag(previous->hashtags, config.name, hashtag);
      if (old == nullptr) new_hashtags.push_back(next_hashtags.size());
      auto& hashtag_state = next_hashtags.emplace_back(old != nullptr ? *old : HashtagState{});
      hashtag_state.source = config.name;
      hashtag_state.hashtag = hashtag;
      if (const auto threshold = config.alert_threshold_percent.find(hashtag);
          threshold != config.alert_threshold_percent.end()) {
        hashtag_state.alert_threshold_percent = threshold->second;
      }
    }
  }
  if (!new_hashtags.empty()) {
    std::vector<HashtagState*> restoring;
    for (const auto index : new_hashtags) restoring.push_back(&next_hashtags[index]);
    restore(restoring);
    release_free_memory();  // reading the history for growth and baselines allocates a lot
  }
  std::sort(next_hashtags.begin(), next_hashtags.end(), [](const auto& a, const auto& b) {
    return std::tie(a.source, a.hashtag) < std::tie(b.source, b.hashtag);
  });
  state_.update([&](ExporterState& state) {
    state.sources = std::move(sources);
    state.hashtags = std::move(next_hashtags);
  });
}

void Collector::show_schedule(const std::string& source, std::span<const PollStatus> polls) {
  state_.update([&](ExporterState& state) {
    for (const auto& poll : polls) {
      if (auto* target = find_hashtag(state.hashtags, source, poll.hashtag)) {
        target->poll_interval_seconds = poll.interval.count();
        target->next_poll = poll.next_poll;
      }
    }
  });
}

void Collector::record(const CollectionRound& round) {
  std::lock_guard lock(record_mutex_);
  const auto stored = store_round(round);
  for (const auto& failure : round.failures) {
    log::warn("fetch failed, keeping the last value", {{"source", round.source},
                                                       {"hashtag", failure.hashtag},
                                                       {"reason", failure.reason},
                                                       {"err", failure.message}});
  }

  // Growth is computed outside the state lock: it reads the history.
  std::map<std::string, HashtagState> updated;
  const auto current = state_.current();
  for (const auto& snapshot : round.snapshots) {
    const auto* entry = find_hashtag(current->hashtags, round.source, snapshot.hashtag);
    if (entry == nullptr) continue;  // untracked by a reload while the round ran
    HashtagState next = *entry;
    next.recent_growth_percent =
        entry->latest && !windows_.empty()
            ? recent_growth_percent(*entry->latest, snapshot, windows_.front())
            : std::nullopt;
    next.latest = snapshot;
    next.up = true;
    next.last_error.clear();
    updated.emplace(snapshot.hashtag, std::move(next));
  }
  if (stored.round) {
    std::vector<HashtagState*> growing;
    for (auto& [hashtag, entry] : updated) growing.push_back(&entry);
    fill_growth(growing);
  }

  state_.update([&](ExporterState& state) {
    for (auto& [hashtag, entry] : updated) {
      if (auto* target = find_hashtag(state.hashtags, round.source, hashtag)) {
        *target = std::move(entry);
      }
    }
    for (const auto& failure : round.failures) {
      if (auto* target = find_hashtag(state.hashtags, round.source, failure.hashtag)) {
        target->up = false;
        target->last_error = failure.reason + ": " + failure.message;
      }
    }
    if (!stored.round) ++state.storage_errors;
    state.unstored_snapshots = unstored_.size();
    state.unstored_snapshots_dropped += stored.dropped;
    for (auto& source : state.sources) {
      if (source.name() != round.source) continue;
      for (const auto& failure : round.failures) ++source.errors_by_reason[failure.reason];
      source.fetches += round.snapshots.size() + round.failures.size();
      source.credits_spent += round.credits_spent;
      source.last_collect_duration_seconds = round.duration_seconds;
      if (round.credits_remaining) source.credits_remaining = round.credits_remaining;
      source.credits_spent_today = round.credits_spent_today;
      source.budget_exhausted = round.budget_exhausted;
      source.suspended_hashtags = round.suspended.size();
    }
  });

  release_free_memory();  // a round of thousands of hashtags allocates far more than it keeps

  if (retention_.count() > 0 && stored.round) apply_retention(round.started_at);
}

}  // namespace hashtag_exporter
