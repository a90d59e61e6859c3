// The service against the fake Scavio API: reload and shutdown never wait for the network.
#include <hashtag_exporter/service.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "fake_scavio.hpp"
#include "manual_clock.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;
using Stopwatch = std::chrono::steady_clock;

const std::filesystem::path kPlugins = HX_TEST_PLUGIN_DIR;

// README, "Reliability": shutdown completes within 5 s whatever the API does. A reload is held to
// the same bound; the hanging fetch below would take a minute.
constexpr auto kPrompt = 5s;

class CollectionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("HX_SERVICE_TEST_KEY", "test-key", 1);
    fake.set_mode("aitools", R"({"mode": "timeout", "delay": 60})");
    fake.set_mode("llm", R"({"mode": "ok", "video_count": 2060, "view_count": 900000})");
    fake.set_mode("claude", R"({"mode": "ok", "video_count": 5, "view_count": 50})");
    write_config("[aitools, llm]");
  }

  void write_config(const std::string& hashtags, const std::string& source_extra = "",
                    const std::string& storage = "history.db") {
    testing::write_file(config(), "storage:\n  path: " + storage +
                                      "\n"
                                      "sources:\n"
                                      "  - name: tiktok\n"
                                      "    plugin: tiktok\n"
                                      "    interval: 6h\n"
                                      "    hashtags: " +
                                      hashtags + "\n" + source_extra +
                                      "    settings:\n"
                                      "      api_url: " +
                                      fake.url() +
                                      "\n"
                                      "      api_key_env: HX_SERVICE_TEST_KEY\n"
                                      "      timeout: 50s\n"
                                      "      max_attempts: 1\n"
                                      "      max_in_flight: 2\n");
  }

  std::filesystem::path config() const { return dir / "hashtag_exporter.yml"; }

  // Waits (in real time: the fake API runs in real time) until `hashtag` was requested `count`
  // times.
  bool requested(const std::string& hashtag, int count = 1) {
    for (int waited = 0; waited < 10'000; waited += 20) {
      if (fake.request_count(hashtag) >= count) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  std::size_t stored(const std::string& hashtag) {
    return HistoryStore(dir / "history.db").history(hashtag, std::nullopt).size();
  }

  static const HashtagState* find(const ExporterState& state, const std::string& hashtag) {
    for (const auto& entry : state.hashtags) {
      if (entry.hashtag == hashtag) return &entry;
    }
    return nullptr;
  }

  testing::FakeScavio fake;
  testing::TempDir dir;
  testing::ManualClock clock;
};

TEST_F(CollectionServiceTest, StopDoesNotWaitForAHangingFetchAndStoresWhatWasFetched) {
  CollectionService service(config(), {kPlugins}, {}, clock);
  service.start();
  ASSERT_TRUE(requested("aitools"));
  ASSERT_TRUE(requested("llm"));

  const auto stopping = Stopwatch::now();
  service.stop();
  EXPECT_LT(Stopwatch::now() - stopping, kPrompt);
  EXPECT_EQ(stored("llm"), 1u);
  EXPECT_EQ(stored("aitools"), 0u);
}

TEST_F(CollectionServiceTest, AReloadSwapsTheConfigInAtOnceWhileARoundHangs) {
  CollectionService service(config(), {kPlugins}, {}, clock);
  service.start();
  ASSERT_TRUE(requested("aitools"));

  write_config("[aitools, llm, claude]");
  const auto reloading = Stopwatch::now();
  EXPECT_EQ(service.reload(), std::nullopt);
  EXPECT_LT(Stopwatch::now() - reloading, kPrompt);
  EXPECT_NE(find(*service.state().current(), "claude"), nullptr);

  // The round the reload left running still ends within the shutdown bound.
  const auto stopping = Stopwatch::now();
  service.stop();
  EXPECT_LT(Stopwatch::now() - stopping, kPrompt);
  EXPECT_EQ(stored("llm"), 1u);
}

TEST_F(CollectionServiceTest, ARoundLeftRunningByAReloadIsStillRecorded) {
  fake.set_mode("aitools", R"({"mode": "timeout", "delay": 1})");
  CollectionService service(config(), {kPlugins}, {}, clock);
  service.start();
  ASSERT_TRUE(requested("aitools"));
  ASSERT_EQ(service.reload(), std::nullopt);
  for (int waited = 0; waited < 10'000 && stored("aitools") == 0; waited += 20) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(stored("aitools"), 1u);
  const auto* aitools = find(*service.state().current(), "aitools");
  ASSERT_NE(aitools, nullptr);
  EXPECT_TRUE(aitools->up);
}

TEST_F(CollectionServiceTest, AReloadDoesNotCollectBeforeTheSourceIsDue) {
  fake.set_mode("aitools", R"({"mode": "ok", "video_count": 1120, "view_count": 560000})");
  CollectionService service(config(), {kPlugins}, {}, clock);
  service.start();
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  ASSERT_EQ(service.reload(), std::nullopt);
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  EXPECT_EQ(fake.request_count("llm"), 1);

  clock.advance(6h);
  ASSERT_TRUE(requested("llm", 2));
}

TEST_F(CollectionServiceTest, TheDailyBudgetSpentBeforeAReloadStillCounts) {
  fake.set_mode("aitools", R"({"mode": "ok", "video_count": 1120, "view_count": 560000})");
  write_config("[aitools, llm]", "    max_credits_per_day: 2\n");
  CollectionService service(config(), {kPlugins}, {}, clock);
  service.start();
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  ASSERT_EQ(service.reload(), std::nullopt);

  clock.advance(6h);  // the same UTC day
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  EXPECT_EQ(fake.request_count("aitools") + fake.request_count("llm"), 2)
      << "the reload gave the source a fresh budget";
  EXPECT_TRUE(service.state().current()->sources.at(0).budget_exhausted);
}

// Every request the fake API answered is a credit, counted once in the never-reset total even
// though the reload shares the day's budget between the old source and the new one, and the
// total goes on past 00:00 UTC while the daily figure starts again.
TEST_F(CollectionServiceTest, CreditsAndFetchesAreCountedOnceAcrossAReloadAndPastMidnight) {
  fake.set_mode("aitools", R"({"mode": "ok", "video_count": 1120, "view_count": 560000})");
  CollectionService service(config(), {kPlugins}, {}, clock);
  service.start();
  ASSERT_TRUE(clock.wait_for_sleepers(1));
  ASSERT_EQ(service.reload(), std::nullopt);
  for (int round = 0; round < 4; ++round) {  // the last one at 00:00 UTC the next day
    clock.advance(6h);
    ASSERT_TRUE(clock.wait_for_sleepers(1));
  }
  ASSERT_TRUE(requested("llm", 5));

  const auto& source = service.state().current()->sources.at(0);
  EXPECT_EQ(source.credits_spent, 10u);
  EXPECT_EQ(source.credits_spent_today, 2u);
  EXPECT_EQ(source.fetches, 10u);
  EXPECT_EQ(fake.request_count("aitools") + fake.request_count("llm"), 10);
}

TEST_F(CollectionServiceTest, AReloadThatWouldMoveTheHistoryIsRefusedAndTheRunningConfigStays) {
  fake.set_mode("aitools", R"({"mode": "ok", "video_count": 1120, "view_count": 560000})");
  CollectionService service(config(), {kPlugins}, {}, clock);
  write_config("[aitools, llm, claude]", "", "elsewhere.db");
  const auto refused = service.reload();
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(refused->find("storage.path"), std::string::npos) << *refused;
  EXPECT_EQ(find(*service.state().current(), "claude"), nullptr);
  EXPECT_FALSE(service.state().current()->config_last_reload_successful);
}

}  // namespace
}  // namespace hashtag_exporter
