// Writing one collection round: 10,000 snapshots in one transaction (WAL, synchronous=FULL),
// through HistoryStore::append and through the collector (append + growth + state).
#include "bench_support.hpp"

#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/store.hpp>

#include <benchmark/benchmark.h>

#include <chrono>

namespace hashtag_exporter::bench {
namespace {

using namespace std::chrono_literals;

// Target: <= 100 ms for a round of 10,000 snapshots.
void BM_AppendRound(benchmark::State& st) {
  const auto hashtags = static_cast<std::size_t>(st.range(0));
  TempDir dir;
  HistoryStore store(dir.path() / "history.db");
  std::int64_t timestamp = kNow;
  for (auto _ : st) {
    st.PauseTiming();
    const auto round = make_round(hashtags, timestamp += kDay);
    st.ResumeTiming();
    store.append(round);
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(hashtags));
}
BENCHMARK(BM_AppendRound)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same round appended to a year of history (a copy of the benchmark history database).
void BM_AppendRoundToYear(benchmark::State& st) {
  const auto hashtags = hashtag_count();
  TempDir dir;
  const auto file = dir.path() / "history.db";
  std::filesystem::copy_file(history_database(hashtags, history_days()), file);
  HistoryStore store(file);
  std::int64_t timestamp = kNow;
  for (auto _ : st) {
    st.PauseTiming();
    const auto round = make_round(hashtags, timestamp += kDay);
    st.ResumeTiming();
    store.append(round);
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(hashtags));
}
BENCHMARK(BM_AppendRoundToYear)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

// Everything after the fetches: store the round, compute growth for every hashtag, swap the
// state (retention off; see README for its cost).
void BM_CollectorRecordRound(benchmark::State& st) {
  const auto hashtags = hashtag_count();
  TempDir dir;
  const auto file = dir.path() / "history.db";
  std::filesystem::copy_file(history_database(hashtags, history_days()), file);
  HistoryStore store(file);
  StateStore state;
  const std::vector<GrowthWindow> windows = {{"1d", 24h}, {"7d", 7 * 24h}};
  Collector collector(store, state, windows, 0s);
  collector.track({tiktok_source(hashtags, 24h)});
  std::int64_t timestamp = kNow;
  for (auto _ : st) {
    st.PauseTiming();
    CollectionRound round;
    round.source = "tiktok";
    round.started_at = timestamp += kDay;
    round.snapshots = make_round(hashtags, timestamp);
    st.ResumeTiming();
    collector.record(round);
  }
}
BENCHMARK(BM_CollectorRecordRound)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

}  // namespace
}  // namespace hashtag_exporter::bench
