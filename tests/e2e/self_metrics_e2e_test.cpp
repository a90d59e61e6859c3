// End to end: the exporter's metrics about itself and its fetches, scraped from the real binary
// collecting from the fake Scavio API: the process collector of the Prometheus client libraries,
// and the counters beside the gauges that error ratios and credit rates are computed from.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "exporter_process.hpp"
#include "fake_scavio.hpp"
#include "http.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

using ::testing::HasSubstr;

const std::string kBinary = HX_TEST_EXPORTER_BINARY;
const std::string kCurl = "/usr/bin/curl";

// /proc/stat's boot time is in whole seconds and the exporter takes a moment to start: its
// start time may be read a little before the test saw it start, never much after.
constexpr double kStartTimeSlackSeconds = 2;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class SelfMetricsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    fake.set_mode("aitools", R"({"mode": "ok", "video_count": 1120, "view_count": 560000})");
    fake.set_mode("llm", R"({"mode": "ok", "video_count": 2060, "view_count": 900000})");
    fake.set_mode("broken", R"({"mode": "status", "status": 500})");
    write_config("[aitools, llm, broken]");
  }

  // One round at start, then none for an hour: the counters stay as that round left them.
  void write_config(const std::string& hashtags) {
    write_file(config(),
               "storage:\n"
               "  path: history.db\n"
               "sources:\n"
               "  - name: tiktok\n"
               "    plugin: tiktok\n"
               "    interval: 1h\n"
               "    hashtags: " +
                   hashtags +
                   "\n"
                   "    settings:\n"
                   "      api_url: " +
                   fake.url() +
                   "\n"
                   "      api_key_env: FAKE_SCAVIO_KEY\n"
                   "      timeout: 2s\n"
                   "      max_attempts: 1\n");
  }

  std::filesystem::path config() const { return dir / "hashtag_exporter.yml"; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }

  std::unique_ptr<ExporterProcess> start() {
    port = free_port();
    auto process = std::make_unique<ExporterProcess>(
        kBinary,
        std::vector<std::string>{"--config.file=" + config().string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port)},
        dir / "exporter.log", environment);
    EXPECT_TRUE(process->wait_until_ok(url("/-/ready"))) << process->log_text();
    return process;
  }

  // Scrapes until `series` is present (with `value`, if given) or the time runs out.
  std::string scrape_until(const std::string& series, std::optional<double> value = std::nullopt) {
    std::string body;
    for (int waited = 0; waited < 10'000; waited += 100) {
      body = http_get(url("/metrics")).body;
      const auto found = sample_value(body, series);
      if (found && (!value || found == value)) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return body;
  }

  TempDir dir;
  FakeScavio fake;
  std::map<std::string, std::string> environment{{"FAKE_SCAVIO_KEY", "test-key"}};
  int port = 0;
};

TEST_F(SelfMetricsE2E, ServesTheProcessMetricsOfTheExportersOwnProcess) {
  const auto before_start = unix_now();
  auto exporter = start();
  const auto body = http_get(url("/metrics")).body;

  const auto start_time = sample_value(body, "process_start_time_seconds");
  ASSERT_TRUE(start_time) << body;
  EXPECT_GE(*start_time, before_start - kStartTimeSlackSeconds);
  EXPECT_LE(*start_time, unix_now() + kStartTimeSlackSeconds);
  EXPECT_GT(sample_value(body, "process_resident_memory_bytes").value_or(0), 0);
  EXPECT_GE(sample_value(body, "process_virtual_memory_bytes").value_or(0),
            sample_value(body, "process_resident_memory_bytes").value_or(0));
  EXPECT_GE(sample_value(body, "process_cpu_seconds_total").value_or(-1), 0);
  const auto open_fds = sample_value(body, "process_open_fds");
  ASSERT_TRUE(open_fds);
  EXPECT_GT(*open_fds, 0);
  EXPECT_LT(*open_fds, sample_value(body, "process_max_fds").value_or(0));
  EXPECT_THAT(body, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));

  // The start time does not move from scrape to scrape (a move would count as a restart).
  EXPECT_EQ(sample_value(http_get(url("/metrics")).body, "process_start_time_seconds"), start_time);
}

// curl, like other clients, reads only the first gzip member: the rendered state and the
// process metrics of the scrape must arrive as one.
TEST_F(SelfMetricsE2E, AGzipScrapeDecodedByCurlHasTheStateAndTheProcessMetrics) {
  if (!std::filesystem::exists(kCurl)) GTEST_SKIP() << kCurl << " not installed";
  auto exporter = start();
  scrape_until(R"(hashtag_fetches_total{source="tiktok"})", 3);

  const auto fetched =
      run_command({kCurl, "--silent", "--show-error", "--fail", "--compressed", "--dump-header",
                   (dir / "headers.txt").string(), url("/metrics")});
  ASSERT_EQ(fetched.exit_code, 0) << fetched.errors;
  EXPECT_THAT(read_file(dir / "headers.txt"), HasSubstr("Content-Encoding: gzip"));
  EXPECT_EQ(sample_value(fetched.output, R"(hashtag_fetches_total{source="tiktok"})"), 3);
  EXPECT_TRUE(sample_value(fetched.output, "process_start_time_seconds")) << fetched.output;
}

TEST_F(SelfMetricsE2E, CountsEveryFetchAndCreditOfTheRoundAndKeepsThemAcrossAReload) {
  auto exporter = start();
  const std::string fetches = R"(hashtag_fetches_total{source="tiktok"})";
  const std::string credits = R"(hashtag_source_credits_spent_total{source="tiktok"})";
  const std::string server_errors =
      R"(hashtag_collect_errors_total{source="tiktok",reason="http_5xx"})";
  auto body = scrape_until(fetches, 3);

  EXPECT_EQ(sample_value(body, fetches), 3) << body;
  EXPECT_EQ(sample_value(body, server_errors), 1);
  EXPECT_EQ(sample_value(body, credits), fake.request_count("aitools") + fake.request_count("llm") +
                                             fake.request_count("broken"));
  EXPECT_EQ(sample_value(body, credits), 3);
  EXPECT_THAT(body, HasSubstr("# TYPE hashtag_fetches_total counter\n"));
  EXPECT_THAT(body, HasSubstr("# TYPE hashtag_source_credits_spent_total counter\n"));

  // A reload that adds a hashtag: the counters go on from where they were (the next round is an
  // hour away, so they stay).
  write_config("[aitools, llm, broken, claude]");
  exporter->signal(SIGHUP);
  body = scrape_until(R"(hashtag_up{source="tiktok",hashtag="claude"})");
  ASSERT_TRUE(sample_value(body, R"(hashtag_up{source="tiktok",hashtag="claude"})")) << body;
  EXPECT_EQ(sample_value(body, fetches), 3);
  EXPECT_EQ(sample_value(body, credits), 3);
  EXPECT_EQ(sample_value(body, server_errors), 1);
}

}  // namespace
}  // namespace hashtag_exporter::testing
