// Parsing one Scavio answer (the tiktok plugin's header-only parser), in the shape the fake API
// and Scavio send: data.challengeInfo.statsV2 with string counts, plus credits.
#include <response_parser.hpp>

#include <benchmark/benchmark.h>

#include <string>

namespace {

const std::string kStatsV2Body =
    R"({"data": {"challengeInfo": {"challenge": {"id": "7000000007", "title": "aitools"},)"
    R"( "stats": {"videoCount": 1259, "viewCount": 188850},)"
    R"( "statsV2": {"videoCount": "1259", "viewCount": "188850"}}},)"
    R"( "credits_remaining": 4999, "credits_used": 1})";

const std::string kTopLevelBody =
    R"({"hashtag": "aitools", "video_count": 1259, "view_count": 188850, "credits_remaining": 4999})";

void BM_ParseStatsV2(benchmark::State& st) {
  for (auto _ : st) {
    auto parsed = hashtag_exporter::tiktok::parse_success_body(kStatsV2Body);
    benchmark::DoNotOptimize(parsed);
  }
  st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(kStatsV2Body.size()));
}
BENCHMARK(BM_ParseStatsV2);

void BM_ParseTopLevel(benchmark::State& st) {
  for (auto _ : st) {
    auto parsed = hashtag_exporter::tiktok::parse_success_body(kTopLevelBody);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_ParseTopLevel);

}  // namespace
