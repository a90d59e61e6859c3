// Adaptive polling with the real binary against the fake Scavio API: a hashtag growing fast is
// polled more often than a steady one, and a budget sets the pace.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <thread>

#include "exporter_process.hpp"
#include "fake_scavio.hpp"
#include "http.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

using namespace std::chrono_literals;

// Long enough for several polls at the bounds below (1 s to 8 s).
constexpr auto kObserved = 20s;

class AdaptivePollingE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    // 2 % a second: far above the 5 % alert threshold over the 10 s window. The other hashtag
    // keeps the same counts.
    fake.set_mode("fast", R"({"mode": "ok", "growth_percent_per_second": 2})");
  }

  void start(const std::string& budget_line) {
    write_file(dir / "adaptive.yml",
               "storage:\n  path: history.db\n"
               "growth:\n  windows: [10s]\n"
               "sources:\n"
               "  - name: tiktok\n"
               "    plugin: tiktok\n"
               "    schedule: adaptive\n"
               "    min_interval: 1s\n"
               "    max_interval: 8s\n" +
                   budget_line +
                   "    hashtags: [fast, steady]\n"
                   "    settings:\n"
                   "      api_url: " +
                   fake.url() +
                   "\n"
                   "      api_key_env: FAKE_SCAVIO_KEY\n");
    port = free_port();
    exporter = std::make_unique<ExporterProcess>(
        HX_TEST_EXPORTER_BINARY,
        std::vector<std::string>{"--config.file=" + (dir / "adaptive.yml").string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port)},
        dir / "exporter.log", std::map<std::string, std::string>{{"FAKE_SCAVIO_KEY", "test-key"}});
    ASSERT_TRUE(exporter->wait_until_ok(url("/-/ready"))) << exporter->log_text();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }

  TempDir dir;
  FakeScavio fake;
  int port = 0;
  std::unique_ptr<ExporterProcess> exporter;
};

TEST_F(AdaptivePollingE2E, AFastGrowingHashtagIsPolledMoreOftenThanASteadyOne) {
  start("");
  std::this_thread::sleep_for(kObserved);
  const int fast = fake.request_count("fast");
  const int steady = fake.request_count("steady");
  EXPECT_GT(fast, steady) << exporter->log_text();
  // A steady hashtag waits max_interval (8 s) between polls: 3 or 4 in 20 s, never one a second.
  EXPECT_LE(steady, 5);

  const auto metrics = http_get(url("/metrics")).body;
  const auto fast_interval =
      sample_value(metrics, R"(hashtag_poll_interval_seconds{source="tiktok",hashtag="fast"})");
  const auto steady_interval =
      sample_value(metrics, R"(hashtag_poll_interval_seconds{source="tiktok",hashtag="steady"})");
  ASSERT_TRUE(fast_interval && steady_interval) << metrics;
  EXPECT_LT(*fast_interval, *steady_interval);
  EXPECT_EQ(*steady_interval, 8);

  const auto api = nlohmann::json::parse(http_get(url("/api/v1/hashtags")).body);
  for (const auto& hashtag : api.at("hashtags")) {
    EXPECT_TRUE(hashtag.at("poll_interval_seconds").is_number()) << hashtag.dump();
    EXPECT_GE(hashtag.at("next_poll").get<std::int64_t>(), std::time(nullptr) - 2)
        << hashtag.dump();
  }
}

TEST_F(AdaptivePollingE2E, TheBudgetSetsThePaceSpendingWhatItAffordsAndNoMore) {
  // A budget that affords one poll a second until midnight UTC: more than max_interval would
  // spend (2 hashtags every 8 s at most), less than min_interval would (2 a second).
  const auto now = std::time(nullptr);
  const auto to_midnight = 86400 - now % 86400;
  if (to_midnight < 120) GTEST_SKIP() << "too close to midnight UTC, when the budget resets";
  start("    max_credits_per_day: " + std::to_string(to_midnight + 2) + "\n");
  const int first_round = fake.request_count("fast") + fake.request_count("steady");
  const auto from = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(kObserved);
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - from).count();
  const int fast = fake.request_count("fast");
  const int steady = fake.request_count("steady");
  const int paced = fast + steady - first_round;
  // About one a second: not the 5 of max_interval, not the 40 of min_interval.
  EXPECT_GE(paced, static_cast<int>(seconds * 0.6)) << exporter->log_text();
  EXPECT_LE(paced, static_cast<int>(seconds * 1.2) + 3) << exporter->log_text();
  EXPECT_GT(fast, steady);
}

}  // namespace
}  // namespace hashtag_exporter::testing
