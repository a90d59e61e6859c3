// Growth of every hashtag from the stored history (a year of daily snapshots by default), the
// way the collector computes it after a round: the snapshots around the exact reference instant
// of every hashtag and window, read in one batch.
#include "bench_support.hpp"

#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/growth.hpp>
#include <hashtag_exporter/store.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <limits>

namespace hashtag_exporter::bench {
namespace {

using namespace std::chrono_literals;

const std::vector<GrowthWindow> kWindows = {{"1d", 24h}, {"7d", 7 * 24h}};

// Target: <= 100 ms for all 10,000 hashtags (two windows each).
void BM_GrowthAllHashtags(benchmark::State& st) {
  const auto hashtags = hashtag_count();
  const auto days = history_days();
  HistoryStore store(history_database(hashtags, days));
  std::vector<std::string> names;
  for (std::size_t i = 0; i < hashtags; ++i) names.push_back(hashtag_name(i));
  std::size_t with_growth = 0;
  for (auto _ : st) {
    with_growth = 0;
    std::vector<HistoryStore::SeriesAt> lookups;
    for (const auto& name : names) {
      for (const auto& window : kWindows) {
        lookups.push_back({{"tiktok", name}, reference_instant(kNow, window)});
      }
    }
    const auto references = store.around(lookups);
    auto reference = references.begin();
    for (const auto& name : names) {
      const Snapshot latest{kNow, "tiktok", name, 1'000'000, 150'000'000};
      for (const auto& window : kWindows) {
        with_growth += compute_growth(latest, *reference++, window).videos.has_value();
      }
    }
    benchmark::DoNotOptimize(with_growth);
  }
  st.counters["hashtags"] = static_cast<double>(hashtags);
  st.counters["history_rows"] = static_cast<double>(hashtags * days);
  st.counters["growth_series"] = static_cast<double>(with_growth);
}
BENCHMARK(BM_GrowthAllHashtags)->Unit(benchmark::kMillisecond)->UseRealTime();

// Start-up: the state of every hashtag restored from the history (latest values and growth),
// which is what /metrics shows before the first collection.
void BM_RestoreAtStartup(benchmark::State& st) {
  const auto hashtags = hashtag_count();
  const auto days = history_days();
  HistoryStore store(history_database(hashtags, days));
  const auto source = tiktok_source(hashtags, 6h);
  for (auto _ : st) {
    StateStore state;
    Collector collector(store, state, kWindows, 0s);
    collector.track({source});
    benchmark::DoNotOptimize(state.current());
  }
  st.counters["history_rows"] = static_cast<double>(hashtags * days);
}
BENCHMARK(BM_RestoreAtStartup)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace hashtag_exporter::bench
