#include <hashtag_exporter/prometheus/exposition.hpp>

#include "gunzip.hpp"
#include "temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace hashtag_exporter::prometheus_exporter {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr const char* kPromtool = "/usr/bin/promtool";

const BuildInfo kBuildInfo{"1.2.3", "abc123"};

// A source whose plugin has the source's name. The configured interval and credit budget are
// those of `config` (none by default, so that both families show only the source that sets them).
SourceState source(const std::string& name, const std::string& plugin_version,
                   std::chrono::seconds interval = std::chrono::seconds(0),
                   std::uint64_t max_credits_per_day = 0) {
  SourceConfig config;
  config.name = name;
  config.plugin = name;
  config.interval = interval;
  config.max_credits_per_day = max_credits_per_day;
  return SourceState(std::make_shared<const SourceConfig>(std::move(config)),
                     {{}, name, plugin_version, 1});
}

HashtagState hashtag(const std::string& source, const std::string& name) {
  HashtagState hashtag;
  hashtag.source = source;
  hashtag.hashtag = name;
  return hashtag;
}

// Two sources and three hashtags covering every optional value both set and absent.
void fill_sample(ExporterState& state) {
  auto tiktok = source("tiktok", "1.2.0", std::chrono::seconds(21600), 20);
  tiktok.errors_by_reason = {{"timeout", 3}, {"auth", 1}};
  tiktok.fetches = 40;
  tiktok.credits_spent = 57;
  tiktok.last_collect_duration_seconds = 1.5;
  tiktok.credits_remaining = 420;
  tiktok.credits_spent_today = 17;
  tiktok.budget_exhausted = true;
  tiktok.suspended_hashtags = 2;
  state.sources = {source("demo", "0.1.0"), tiktok};

  auto growing = hashtag("tiktok", "aitools");
  growing.latest = Snapshot{1700000000, "tiktok", "aitools", 12345, 9876543210};
  growing.videos_growth_percent = {{"1d", 5}, {"7d", 12.5}};
  growing.views_growth_percent = {{"1d", -2.25}};
  growing.videos_growth_baseline = {{"1d", {.median_percent = 1.5, .mad_percent = 0.25}}};
  growing.breakout_score = {{"1d", 4.75}};
  growing.poll_interval_seconds = 900;
  growing.next_poll = 1700000900;
  growing.up = true;

  auto failing = hashtag("tiktok", "llm");
  failing.latest = Snapshot{1699990000, "tiktok", "llm", 500, 100000};
  failing.up = false;
  failing.last_error = "timeout after 15s";
  failing.alert_threshold_percent = 12.5;

  state.hashtags = {hashtag("demo", "newtag"), growing, failing};
  state.config_last_reload_successful = false;
  state.config_last_reload_success_timestamp = 1699000000;
  state.shard = {1, 3};
  state.storage_errors = 4;
  state.unstored_snapshots = 12;
  state.unstored_snapshots_dropped = 3;
  state.retention_errors = 2;
}

constexpr const char* kSampleExposition =
    R"(# HELP hashtag_videos Video count of the hashtag at the last successful collection.
# TYPE hashtag_videos gauge
hashtag_videos{source="tiktok",hashtag="aitools"} 12345
hashtag_videos{source="tiktok",hashtag="llm"} 500
# HELP hashtag_views View count of the hashtag at the last successful collection.
# TYPE hashtag_views gauge
hashtag_views{source="tiktok",hashtag="aitools"} 9876543210
hashtag_views{source="tiktok",hashtag="llm"} 100000
# HELP hashtag_videos_growth_percent Growth of the video count over the window in percent (5 means +5 %), as of the last collection.
# TYPE hashtag_videos_growth_percent gauge
hashtag_videos_growth_percent{source="tiktok",hashtag="aitools",window="1d"} 5
hashtag_videos_growth_percent{source="tiktok",hashtag="aitools",window="7d"} 12.5
# HELP hashtag_views_growth_percent Growth of the view count over the window in percent (5 means +5 %), as of the last collection.
# TYPE hashtag_views_growth_percent gauge
hashtag_views_growth_percent{source="tiktok",hashtag="aitools",window="1d"} -2.25
# HELP hashtag_videos_growth_baseline_percent The hashtag's own typical video growth over the window in percent: the median over its last 28 days (absent with under 7 days of history).
# TYPE hashtag_videos_growth_baseline_percent gauge
hashtag_videos_growth_baseline_percent{source="tiktok",hashtag="aitools",window="1d"} 1.5
# HELP hashtag_breakout_score How far the video growth over the window stands above the hashtag's baseline, in robust standard deviations: (growth - median) / (1.4826 * MAD).
# TYPE hashtag_breakout_score gauge
hashtag_breakout_score{source="tiktok",hashtag="aitools",window="1d"} 4.75
# HELP hashtag_poll_interval_seconds The interval the scheduler currently uses for the hashtag: the source's fixed interval, or the adaptive schedule's choice.
# TYPE hashtag_poll_interval_seconds gauge
hashtag_poll_interval_seconds{source="tiktok",hashtag="aitools"} 900
# HELP hashtag_up 1 if the last fetch of the hashtag succeeded, else 0, as of the last collection.
# TYPE hashtag_up gauge
hashtag_up{source="demo",hashtag="newtag"} 0
hashtag_up{source="tiktok",hashtag="aitools"} 1
hashtag_up{source="tiktok",hashtag="llm"} 0
# HELP hashtag_last_success_timestamp_seconds Unix time of the last successful fetch of the hashtag, as of the last collection.
# TYPE hashtag_last_success_timestamp_seconds gauge
hashtag_last_success_timestamp_seconds{source="tiktok",hashtag="aitools"} 1700000000
hashtag_last_success_timestamp_seconds{source="tiktok",hashtag="llm"} 1699990000
# HELP hashtag_growth_alert_threshold_percent Growth in percent (of videos or views) above which the hashtag's growth alerts fire, from the configuration.
# TYPE hashtag_growth_alert_threshold_percent gauge
hashtag_growth_alert_threshold_percent{source="demo",hashtag="newtag"} 5
hashtag_growth_alert_threshold_percent{source="tiktok",hashtag="aitools"} 5
hashtag_growth_alert_threshold_percent{source="tiktok",hashtag="llm"} 12.5
# HELP hashtag_collect_errors_total Failed fetches of the source by reason, counted up to the last collection.
# TYPE hashtag_collect_errors_total counter
hashtag_collect_errors_total{source="demo",reason="timeout"} 0
hashtag_collect_errors_total{source="demo",reason="http_4xx"} 0
hashtag_collect_errors_total{source="demo",reason="http_5xx"} 0
hashtag_collect_errors_total{source="demo",reason="rate_limited"} 0
hashtag_collect_errors_total{source="demo",reason="bad_response"} 0
hashtag_collect_errors_total{source="demo",reason="not_found"} 0
hashtag_collect_errors_total{source="demo",reason="auth"} 0
hashtag_collect_errors_total{source="demo",reason="credits"} 0
hashtag_collect_errors_total{source="demo",reason="unreachable"} 0
hashtag_collect_errors_total{source="tiktok",reason="timeout"} 3
hashtag_collect_errors_total{source="tiktok",reason="http_4xx"} 0
hashtag_collect_errors_total{source="tiktok",reason="http_5xx"} 0
hashtag_collect_errors_total{source="tiktok",reason="rate_limited"} 0
hashtag_collect_errors_total{source="tiktok",reason="bad_response"} 0
hashtag_collect_errors_total{source="tiktok",reason="not_found"} 0
hashtag_collect_errors_total{source="tiktok",reason="auth"} 1
hashtag_collect_errors_total{source="tiktok",reason="credits"} 0
hashtag_collect_errors_total{source="tiktok",reason="unreachable"} 0
# HELP hashtag_fetches_total Hashtag fetches of the source attempted (each got a value or a failure), counted up to the last collection.
# TYPE hashtag_fetches_total counter
hashtag_fetches_total{source="demo"} 0
hashtag_fetches_total{source="tiktok"} 40
# HELP hashtag_collect_duration_seconds How long the last collection round of the source took.
# TYPE hashtag_collect_duration_seconds gauge
hashtag_collect_duration_seconds{source="tiktok"} 1.5
# HELP hashtag_collect_interval_seconds Configured interval between two collections of a hashtag of the source: interval, or max_interval for an adaptive schedule.
# TYPE hashtag_collect_interval_seconds gauge
hashtag_collect_interval_seconds{source="tiktok"} 21600
# HELP hashtag_source_credits_remaining Remaining API credits of the source, as reported at the last collection.
# TYPE hashtag_source_credits_remaining gauge
hashtag_source_credits_remaining{source="tiktok"} 420
# HELP hashtag_source_credits_spent_today API requests of the source during this UTC day, retries included, as of the last collection.
# TYPE hashtag_source_credits_spent_today gauge
hashtag_source_credits_spent_today{source="demo"} 0
hashtag_source_credits_spent_today{source="tiktok"} 17
# HELP hashtag_source_credits_spent_total API requests of the source, retries included, counted up to the last collection; unlike the daily gauge, never reset at 00:00 UTC.
# TYPE hashtag_source_credits_spent_total counter
hashtag_source_credits_spent_total{source="demo"} 0
hashtag_source_credits_spent_total{source="tiktok"} 57
# HELP hashtag_source_credit_budget Daily credit budget of the source (max_credits_per_day).
# TYPE hashtag_source_credit_budget gauge
hashtag_source_credit_budget{source="tiktok"} 20
# HELP hashtag_source_credit_budget_exhausted 1 if the daily credit budget was spent at the last collection and collection pauses until 00:00 UTC, else 0.
# TYPE hashtag_source_credit_budget_exhausted gauge
hashtag_source_credit_budget_exhausted{source="demo"} 0
hashtag_source_credit_budget_exhausted{source="tiktok"} 1
# HELP hashtag_source_suspended_hashtags Hashtags that sat out the last collection: backing off after failures or waiting for credit budget.
# TYPE hashtag_source_suspended_hashtags gauge
hashtag_source_suspended_hashtags{source="demo"} 0
hashtag_source_suspended_hashtags{source="tiktok"} 2
# HELP hashtag_exporter_plugin_info Plugin that collects the source, as loaded for the last collection; always 1.
# TYPE hashtag_exporter_plugin_info gauge
hashtag_exporter_plugin_info{source="demo",plugin="demo",version="0.1.0",abi_version="1"} 1
hashtag_exporter_plugin_info{source="tiktok",plugin="tiktok",version="1.2.0",abi_version="1"} 1
# HELP hashtag_exporter_config_last_reload_successful 1 if the last configuration reload succeeded, else 0.
# TYPE hashtag_exporter_config_last_reload_successful gauge
hashtag_exporter_config_last_reload_successful 0
# HELP hashtag_exporter_config_last_reload_success_timestamp_seconds Unix time of the last successful configuration (re)load.
# TYPE hashtag_exporter_config_last_reload_success_timestamp_seconds gauge
hashtag_exporter_config_last_reload_success_timestamp_seconds 1699000000
# HELP hashtag_exporter_storage_errors_total Collection rounds that could not be written to the history (read-only or full disk, locked too long); their snapshots are kept in memory and written with the next round.
# TYPE hashtag_exporter_storage_errors_total counter
hashtag_exporter_storage_errors_total 4
# HELP hashtag_exporter_unstored_snapshots Snapshots collected but not yet written to the history, held in memory until a round can be stored.
# TYPE hashtag_exporter_unstored_snapshots gauge
hashtag_exporter_unstored_snapshots 12
# HELP hashtag_exporter_unstored_snapshots_dropped_total Collected snapshots given up unwritten because more were waiting for the history to be writable than the exporter keeps in memory.
# TYPE hashtag_exporter_unstored_snapshots_dropped_total counter
hashtag_exporter_unstored_snapshots_dropped_total 3
# HELP hashtag_exporter_retention_errors_total Retention runs that failed to delete snapshots older than storage.retention from the history.
# TYPE hashtag_exporter_retention_errors_total counter
hashtag_exporter_retention_errors_total 2
# HELP hashtag_exporter_shard_info The part of the configured hashtags this exporter owns; always 1.
# TYPE hashtag_exporter_shard_info gauge
hashtag_exporter_shard_info{index="1",count="3"} 1
# HELP hashtag_exporter_build_info Version and revision hashtag_exporter was built from; always 1.
# TYPE hashtag_exporter_build_info gauge
hashtag_exporter_build_info{revision="abc123",version="1.2.3"} 1
)";

// The two self-metrics describe the previous render, so their values vary; they end the
// rendered part.
constexpr const char* kSelfMetricsStart = "# HELP hashtag_exporter_render_duration_seconds";

std::string without_self_metrics(const std::string& body) {
  return body.substr(0, body.find(kSelfMetricsStart));
}

// What a scrape receives: the rendered state, then the process metrics read for it.
std::string text(const ScrapeBody& body) { return *body.rendered + body.scraped; }

// The value of the one sample of `family` (a family without labels) in `exposition`.
double sample_value(const std::string& exposition, const std::string& family) {
  const auto line = exposition.find("\n" + family + " ");
  if (line == std::string::npos) throw std::runtime_error("no sample of " + family);
  return std::stod(exposition.substr(line + family.size() + 2));
}

struct PromtoolResult {
  int exit_code = -1;
  std::string output;
};

// Pipes `body` into `promtool check metrics`, which lints the exposition read from stdin.
PromtoolResult promtool_check(const std::string& body) {
  const testing::TempDir dir;
  const auto output_file = dir / "promtool.out";
  const auto command =
      std::string(kPromtool) + " check metrics > '" + output_file.string() + "' 2>&1";
  FILE* promtool = popen(command.c_str(), "w");
  if (promtool == nullptr) return {};
  std::fwrite(body.data(), 1, body.size(), promtool);
  const int status = pclose(promtool);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::read_file(output_file)};
}

TEST(ExpositionTest, RendersEveryMetricOfTheSpecForASampleState) {
  StateStore store;
  store.update(fill_sample);
  Exposition exposition(store, kBuildInfo);

  EXPECT_EQ(without_self_metrics(*exposition.body().rendered), kSampleExposition);
}

TEST(ExpositionTest, TheRenderedPartEndsWithTheRenderSelfMetrics) {
  StateStore store;
  Exposition exposition(store, kBuildInfo);
  const auto body = *exposition.body().rendered;

  const auto self_metrics = body.substr(body.find(kSelfMetricsStart));
  EXPECT_THAT(self_metrics, HasSubstr("\n# TYPE hashtag_exporter_render_duration_seconds gauge\n"
                                      "hashtag_exporter_render_duration_seconds 0\n"));
  EXPECT_THAT(self_metrics, HasSubstr("# TYPE hashtag_exporter_exposition_bytes gauge\n"
                                      "hashtag_exporter_exposition_bytes 0\n"));
}

TEST(ExpositionTest, SelfMetricsDescribeThePreviousRender) {
  StateStore store;
  Exposition exposition(store, kBuildInfo);
  const auto first = exposition.body();
  store.update(fill_sample);
  const auto second = exposition.body();

  EXPECT_THAT(*second.rendered, HasSubstr("\nhashtag_exporter_exposition_bytes " +
                                          std::to_string(first.rendered->size()) + "\n"));
  EXPECT_THAT(*second.rendered, Not(HasSubstr("\nhashtag_exporter_render_duration_seconds 0\n")));
}

TEST(ExpositionTest, EmptyStateShowsOnlyExporterAndProcessMetrics) {
  StateStore store;
  Exposition exposition(store, kBuildInfo);
  const auto body = text(exposition.body());

  EXPECT_THAT(body, Not(HasSubstr("hashtag_videos")));
  EXPECT_THAT(body, Not(HasSubstr("hashtag_up")));
  EXPECT_THAT(body, Not(HasSubstr("hashtag_collect_errors_total")));
  EXPECT_THAT(body, Not(HasSubstr("hashtag_exporter_config_last_reload_success_timestamp")));
  EXPECT_THAT(body, HasSubstr("\nhashtag_exporter_config_last_reload_successful 1\n"));
  EXPECT_THAT(
      body, HasSubstr("\nhashtag_exporter_build_info{revision=\"abc123\",version=\"1.2.3\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("\nprocess_start_time_seconds "));
}

TEST(ExpositionTest, HasNoSampleTimestamps) {
  StateStore store;
  store.update(fill_sample);
  Exposition exposition(store, kBuildInfo);
  const auto body = text(exposition.body());

  // A sample line is `name{labels} value`; a timestamp would add a third field.
  std::size_t start = 0;
  for (auto end = body.find('\n'); end != std::string::npos; end = body.find('\n', start)) {
    const auto line = body.substr(start, end - start);
    start = end + 1;
    if (!line.starts_with('#')) {
      EXPECT_THAT(line, MatchesRegex("[a-z_]+(\\{.*\\})? [^ ]+"));
    }
  }
}

TEST(ExpositionTest, AnAdaptiveSourcesIntervalForStalenessIsItsMaxInterval) {
  SourceConfig config;
  config.name = "watch";
  config.plugin = "tiktok";
  config.schedule = ScheduleKind::adaptive;
  config.poll_bounds = {.min_interval = std::chrono::minutes(15),
                        .max_interval = std::chrono::hours(12)};
  StateStore store;
  store.update([&](ExporterState& state) {
    state.sources = {SourceState(std::make_shared<const SourceConfig>(config), {})};
  });
  Exposition exposition(store, kBuildInfo);
  EXPECT_THAT(*exposition.body().rendered,
              HasSubstr("\nhashtag_collect_interval_seconds{source=\"watch\"} 43200\n"));
}

TEST(ExpositionTest, EscapesLabelValues) {
  StateStore store;
  store.update([](ExporterState& state) {
    state.hashtags = {hashtag("tiktok", "say\"hi\\")};
    state.hashtags.front().up = true;
  });
  Exposition exposition(store, kBuildInfo);

  EXPECT_THAT(*exposition.body().rendered,
              HasSubstr("hashtag_up{source=\"tiktok\",hashtag=\"say\\\"hi\\\\\"} 1\n"));
}

TEST(ExpositionTest, PassesPromtoolLint) {
  if (!std::filesystem::exists(kPromtool)) GTEST_SKIP() << kPromtool << " not installed";
  StateStore store;
  store.update(fill_sample);
  Exposition exposition(store, kBuildInfo);

  const auto result = promtool_check(text(exposition.body()));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, "");
}

TEST(ExpositionTest, EmptyStatePassesPromtoolLint) {
  if (!std::filesystem::exists(kPromtool)) GTEST_SKIP() << kPromtool << " not installed";
  StateStore store;
  Exposition exposition(store, kBuildInfo);

  const auto result = promtool_check(text(exposition.body()));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, "");
}

TEST(ExpositionTest, ReusesTheBodyUntilTheStateChanges) {
  StateStore store;
  Exposition exposition(store, kBuildInfo);

  const auto first = exposition.body().rendered;
  const auto first_gzip = exposition.gzip_body().rendered;
  EXPECT_EQ(exposition.body().rendered, first);
  EXPECT_EQ(exposition.gzip_body().rendered, first_gzip);

  store.update(fill_sample);
  const auto second = exposition.body().rendered;
  EXPECT_NE(second, first);
  EXPECT_NE(exposition.gzip_body().rendered, first_gzip);
  EXPECT_THAT(*second, HasSubstr("hashtag_videos{"));
  EXPECT_EQ(exposition.body().rendered, second);
}

TEST(ExpositionTest, ConcurrentScrapesOfOneGenerationShareOneRender) {
  StateStore store;
  store.update(fill_sample);
  Exposition exposition(store, kBuildInfo);
  constexpr int kScrapes = 8;
  std::vector<std::shared_ptr<const std::string>> bodies(kScrapes);
  std::latch start(kScrapes);
  {
    std::vector<std::jthread> scrapes;
    for (int i = 0; i < kScrapes; ++i) {
      scrapes.emplace_back([&, i] {
        start.arrive_and_wait();
        bodies[i] = exposition.body().rendered;
      });
    }
  }
  for (const auto& body : bodies) EXPECT_EQ(body, bodies.front());
}

TEST(ExpositionTest, GzipBodyDecompressesToTheBodyInOneMember) {
  StateStore store;
  store.update(fill_sample);
  Exposition exposition(store, kBuildInfo);

  const auto compressed = exposition.gzip_body();
  const auto whole = *compressed.rendered + compressed.scraped;
  ASSERT_GE(whole.size(), 2U);
  EXPECT_EQ(static_cast<unsigned char>(whole[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(whole[1]), 0x8b);
  const auto plain = exposition.body();
  EXPECT_LT(whole.size(), plain.size());
  const auto decompressed = testing::gunzip(whole);
  EXPECT_EQ(decompressed.substr(0, plain.rendered->size()), *plain.rendered);
  EXPECT_TRUE(
      decompressed.substr(plain.rendered->size()).starts_with("# HELP process_cpu_seconds_total "))
      << decompressed;
}

TEST(ExpositionTest, EveryScrapeOfAGzipBodyEndsItWithItsOwnProcessMetrics) {
  StateStore store;
  store.update(fill_sample);
  Exposition exposition(store, kBuildInfo);

  const auto first = exposition.gzip_body();
  FILE* opened = std::fopen("/dev/null", "r");
  ASSERT_NE(opened, nullptr);
  const auto second = exposition.gzip_body();
  std::fclose(opened);

  EXPECT_EQ(first.rendered, second.rendered);
  const auto fds = [](const ScrapeBody& body) {
    return sample_value(testing::gunzip(*body.rendered + body.scraped), "process_open_fds");
  };
  EXPECT_EQ(fds(second), fds(first) + 1);
}

TEST(ExpositionTest, EveryScrapeReadsTheProcessMetricsAgain) {
  StateStore store;
  Exposition exposition(store, kBuildInfo);

  const auto first = exposition.body();
  FILE* opened = std::fopen("/dev/null", "r");
  ASSERT_NE(opened, nullptr);
  const auto second = exposition.body();
  std::fclose(opened);

  EXPECT_EQ(first.rendered, second.rendered) << "the state did not change";
  EXPECT_EQ(sample_value(second.scraped, "process_open_fds"),
            sample_value(first.scraped, "process_open_fds") + 1);
}

// client_golang's and client_python's process collector, name for name, so that dashboards and
// alerts written for any Prometheus client work here.
TEST(ExpositionTest, ProcessMetricsHaveTheClientLibrariesNamesTypesAndHelp) {
  StateStore store;
  Exposition exposition(store, kBuildInfo);
  const auto scraped = exposition.body().scraped;

  for (const auto* header : {
           "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
           "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ",
           "# HELP process_open_fds Number of open file descriptors.\n"
           "# TYPE process_open_fds gauge\nprocess_open_fds ",
           "# HELP process_max_fds Maximum number of open file descriptors.\n"
           "# TYPE process_max_fds gauge\nprocess_max_fds ",
           "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
           "# TYPE process_virtual_memory_bytes gauge\nprocess_virtual_memory_bytes ",
           "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
           "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ",
           "# HELP process_start_time_seconds Start time of the process since unix epoch in "
           "seconds.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds ",
       }) {
    EXPECT_THAT(scraped, HasSubstr(header));
  }
  EXPECT_THAT(*exposition.body().rendered, Not(HasSubstr("process_")))
      << "the process metrics are read per scrape, never cached with the state";
}

}  // namespace
}  // namespace hashtag_exporter::prometheus_exporter
