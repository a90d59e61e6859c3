#include <hashtag_exporter/setup.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "fake_scavio.hpp"
#include "manual_clock.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kPlugins = HX_TEST_PLUGIN_DIR;

TEST(Source, RoundsReadTheTimeFromTheInjectedClock) {
  testing::TempDir dir;
  testing::write_file(dir / "demo.yml",
                      "storage:\n  path: history.db\nsources:\n  - name: demo\n"
                      "    plugin: demo\n    hashtags: [aitools]\n");
  testing::ManualClock clock(testing::ManualClock::kStart + 86400 * 365);
  const auto setup = prepare(dir / "demo.yml", {kPlugins}, {}, clock);
  const auto round = setup.sources.at(0)->collect();
  EXPECT_EQ(round.started_at, clock.unix_seconds());
  ASSERT_EQ(round.snapshots.size(), 1u);
  EXPECT_EQ(round.snapshots[0].timestamp, clock.unix_seconds());
  // The manual clock did not move during the round.
  EXPECT_EQ(round.duration_seconds, 0.0);
}

TEST(Source, ThePluginsNowIsTheInjectedClocksTime) {
  // The demo plugin's counts grow with the host's now_unix_seconds: the same time gives the same
  // counts, a later time larger ones.
  testing::TempDir dir;
  testing::write_file(dir / "demo.yml",
                      "storage:\n  path: history.db\nsources:\n  - name: demo\n"
                      "    plugin: demo\n    hashtags: [aitools]\n    settings:\n      seed: 7\n");
  testing::ManualClock clock;
  const auto first = prepare(dir / "demo.yml", {kPlugins}, {}, clock).sources.at(0)->collect();
  const auto again = prepare(dir / "demo.yml", {kPlugins}, {}, clock).sources.at(0)->collect();
  clock.advance(24h);
  const auto later = prepare(dir / "demo.yml", {kPlugins}, {}, clock).sources.at(0)->collect();
  ASSERT_EQ(first.snapshots.size(), 1u);
  ASSERT_EQ(later.snapshots.size(), 1u);
  EXPECT_EQ(again.snapshots.at(0).video_count, first.snapshots[0].video_count);
  EXPECT_NE(later.snapshots[0].video_count, first.snapshots[0].video_count);
}

// The tiktok plugin against the fake Scavio API, whose answers can be slow or failing.
class SourceAgainstTheApi : public ::testing::Test {
 protected:
  void SetUp() override { setenv("HX_SOURCE_TEST_KEY", "test-key", 1); }

  hashtag_exporter::Setup prepare_source(const std::string& hashtags) {
    testing::write_file(dir / "tiktok.yml",
                        "storage:\n  path: history.db\nsources:\n"
                        "  - name: tiktok\n    plugin: tiktok\n"
                        "    hashtags: " +
                            hashtags + "\n    settings:\n      api_url: " + fake.url() +
                            "\n      api_key_env: HX_SOURCE_TEST_KEY\n"
                            "      timeout: 50s\n      max_attempts: 1\n      max_in_flight: 4\n");
    return prepare(dir / "tiktok.yml", {kPlugins}, {});
  }

  testing::FakeScavio fake;
  testing::TempDir dir;
};

TEST_F(SourceAgainstTheApi, ProgressHearsThePlanThenEachResult) {
  fake.set_mode("llm", R"({"mode": "status", "status": 402})");
  const auto setup = prepare_source("[aitools, llm, claude]");
  std::mutex mutex;
  std::vector<RoundProgress> heard;
  const auto round = setup.sources.at(0)->collect([&](const RoundProgress& progress) {
    std::lock_guard lock(mutex);
    heard.push_back(progress);
  });
  ASSERT_EQ(heard.size(), 4u);
  EXPECT_EQ(heard.front().planned, 3u);
  EXPECT_EQ(heard.front().fetched + heard.front().failed, 0u);
  for (std::size_t i = 1; i < heard.size(); ++i) {
    EXPECT_EQ(heard[i].planned, 3u);
    EXPECT_EQ(heard[i].fetched + heard[i].failed, i);
  }
  EXPECT_EQ(heard.back().fetched, 2u);
  EXPECT_EQ(heard.back().failed, 1u);
  EXPECT_EQ(round.snapshots.size(), 2u);
}

TEST_F(SourceAgainstTheApi, ACancelledRoundKeepsWhatCameAndFailsNothing) {
  fake.set_mode("aitools", R"({"mode": "timeout", "delay": 60})");
  const auto setup = prepare_source("[aitools, llm]");
  auto& source = *setup.sources.at(0);
  std::promise<void> llm_done;
  std::thread canceller([&] {
    llm_done.get_future().wait();
    for (int waited = 0; waited < 10'000 && fake.request_count("aitools") == 0; waited += 20) {
      std::this_thread::sleep_for(20ms);
    }
    source.cancel();
  });
  const auto round = source.collect([&](const RoundProgress& progress) {
    if (progress.fetched == 1) llm_done.set_value();
  });
  canceller.join();
  ASSERT_EQ(round.snapshots.size(), 1u);
  EXPECT_EQ(round.snapshots[0].hashtag, "llm");
  EXPECT_TRUE(round.failures.empty()) << round.failures.at(0).reason;
  EXPECT_EQ(round.cancelled, std::vector<std::string>{"aitools"});
}

TEST_F(SourceAgainstTheApi, AnAdaptiveSourceBacksOffAFailingHashtagAcrossItsOwnPolls) {
  fake.set_mode("dead", R"({"mode": "status", "status": 404})");
  testing::write_file(dir / "adaptive.yml",
                      "storage:\n  path: history.db\nsources:\n"
                      "  - name: tiktok\n    plugin: tiktok\n    schedule: adaptive\n"
                      "    min_interval: 15m\n    max_interval: 1h\n"
                      "    hashtags: [alive, dead]\n    settings:\n      api_url: " +
                          fake.url() + "\n      api_key_env: HX_SOURCE_TEST_KEY\n");
  testing::ManualClock clock;
  const auto setup = prepare(dir / "adaptive.yml", {kPlugins}, {}, clock);
  auto& source = *setup.sources.at(0);
  std::vector<bool> dead_fetched;
  for (int poll = 0; poll < 8; ++poll) {
    const auto before = fake.request_count("dead");
    const auto round = source.collect();
    dead_fetched.push_back(fake.request_count("dead") > before);
    if (!dead_fetched.back()) {
      EXPECT_NE(std::find(round.suspended.begin(), round.suspended.end(), "dead"),
                round.suspended.end());
    }
    source.reschedule(ExporterState{});
    EXPECT_EQ(source.next_due(), clock.unix_seconds() + 3600);  // both polled every max_interval
    clock.advance(1h);
  }
  // Like a fixed source: fetched in its 1st, 2nd, 4th and 8th polls (0, 1, then 3 sat out).
  EXPECT_EQ(dead_fetched, (std::vector<bool>{true, true, false, true, false, false, false, true}));
  EXPECT_EQ(fake.request_count("alive"), 8);
}

}  // namespace
}  // namespace hashtag_exporter
