// Micro-benchmarks. Run: ./hashtag_exporter_micro_bench (see README.md, Benchmarks).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
