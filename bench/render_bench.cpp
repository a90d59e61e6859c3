// /metrics: the cold render (state -> text, once per collection), its compression (once per
// collection too) and the cached body that every scrape between two collections gets.
#include "bench_support.hpp"

#include <hashtag_exporter/prometheus/exposition.hpp>

#include <benchmark/benchmark.h>

namespace hashtag_exporter::bench {
namespace {

using prometheus_exporter::BuildInfo;
using prometheus_exporter::Exposition;

void install(StateStore& store, std::size_t hashtags) {
  auto state = make_state(hashtags);
  store.update([&](ExporterState& s) { s = std::move(state); });
}

// Target: <= 50 ms for 10,000 hashtags. Each iteration bumps the generation (a new collection)
// and asks for the body, which renders the text.
void BM_RenderCold(benchmark::State& st) {
  const auto hashtags = static_cast<std::size_t>(st.range(0));
  StateStore store;
  install(store, hashtags);
  Exposition exposition(store, BuildInfo{"0.1.0", "bench"});
  std::size_t bytes = 0;
  for (auto _ : st) {
    st.PauseTiming();
    store.update([](ExporterState& s) { ++s.storage_errors; });  // a new generation
    st.ResumeTiming();
    const auto body = exposition.body();
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  st.counters["body_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderCold)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The compression of a fresh body, once per collection for the first scrape that accepts gzip.
void BM_GzipCold(benchmark::State& st) {
  const auto hashtags = static_cast<std::size_t>(st.range(0));
  StateStore store;
  install(store, hashtags);
  Exposition exposition(store, BuildInfo{"0.1.0", "bench"});
  std::size_t gzip_bytes = 0;
  for (auto _ : st) {
    st.PauseTiming();
    store.update([](ExporterState& s) { ++s.storage_errors; });
    exposition.body();
    st.ResumeTiming();
    const auto compressed = exposition.gzip_body();
    gzip_bytes = compressed.size();
    benchmark::DoNotOptimize(compressed);
  }
  st.counters["gzip_bytes"] = static_cast<double>(gzip_bytes);
}
BENCHMARK(BM_GzipCold)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

// What a scrape costs the exposition when nothing changed: a lock, a shared_ptr copy, and the
// process metrics read from /proc and serialised (compressed after a copy of zlib's state for
// a gzip scrape).
void BM_RenderCached(benchmark::State& st) {
  StateStore store;
  install(store, static_cast<std::size_t>(st.range(0)));
  Exposition exposition(store, BuildInfo{"0.1.0", "bench"});
  exposition.body();
  for (auto _ : st) benchmark::DoNotOptimize(exposition.body());
}
BENCHMARK(BM_RenderCached)->Arg(10000);

void BM_RenderCachedGzip(benchmark::State& st) {
  StateStore store;
  install(store, static_cast<std::size_t>(st.range(0)));
  Exposition exposition(store, BuildInfo{"0.1.0", "bench"});
  exposition.gzip_body();
  for (auto _ : st) benchmark::DoNotOptimize(exposition.gzip_body());
}
BENCHMARK(BM_RenderCachedGzip)->Arg(10000);

}  // namespace
}  // namespace hashtag_exporter::bench
