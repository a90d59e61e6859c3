// The fault matrix: every failure the Scavio API or the network can produce, against the real
// tiktok plugin, the host's HTTP client, the collector and the history, in one round.
#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/setup.hpp>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "exporter_process.hpp"
#include "fake_scavio.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

struct Fault {
  std::string hashtag;
  std::string mode;  // the fake's control object
  std::string reason;
  int attempts;
};

// max_attempts is 3: transient failures (429, 5xx, network) are tried three times, the rest once.
const std::vector<Fault> kFaults{
    {"status500", R"({"mode": "status", "status": 500})", "http_5xx", 3},
    {"status502", R"({"mode": "status", "status": 502})", "http_5xx", 3},
    {"status429", R"({"mode": "status", "status": 429, "retry_after": "1"})", "rate_limited", 3},
    {"status401", R"({"mode": "status", "status": 401})", "auth", 1},
    {"status402", R"({"mode": "status", "status": 402})", "credits", 1},
    {"status403", R"({"mode": "status", "status": 403})", "auth", 1},
    {"slow", R"({"mode": "timeout", "delay": 3})", "timeout", 3},
    {"nonjson", R"({"mode": "non_json"})", "bad_response", 1},
    {"truncated", R"({"mode": "truncated"})", "bad_response", 1},
    {"strings", R"({"mode": "strings"})", "bad_response", 1},
    {"negative", R"({"mode": "negative"})", "bad_response", 1},
    {"nochallenge", R"({"mode": "no_challenge_info"})", "not_found", 1},
};

std::string source_config(const std::string& name, const std::string& url,
                          const std::vector<std::string>& hashtags) {
  std::string list;
  for (const auto& tag : hashtags) list += (list.empty() ? "" : ", ") + tag;
  return "  - name: " + name + "\n    plugin: tiktok\n    interval: 1h\n    hashtags: [" + list +
         "]\n    settings:\n      api_url: " + url +
         "\n      api_key_env: FAULT_MATRIX_KEY\n      timeout: 1s\n      max_attempts: 3\n"
         "      max_in_flight: 16\n";
}

const HashtagState& find(const ExporterState& state, const std::string& source,
                         const std::string& hashtag) {
  for (const auto& entry : state.hashtags) {
    if (entry.source == source && entry.hashtag == hashtag) return entry;
  }
  throw std::runtime_error("no hashtag " + hashtag);
}

TEST(TiktokFaultMatrix, EveryFaultHasItsReasonAndAttemptsAndLosesNothing) {
  setenv("FAULT_MATRIX_KEY", "test-key", 1);
  testing::FakeScavio fake;
  testing::TempDir dir;
  std::vector<std::string> hashtags{"healthy"};
  for (const auto& fault : kFaults) hashtags.push_back(fault.hashtag);
  const auto closed_port = testing::free_port();
  testing::write_file(
      dir / "faults.yml",
      "storage:\n  path: history.db\nsources:\n" + source_config("tiktok", fake.url(), hashtags) +
          source_config("unreachable", "http://127.0.0.1:" + std::to_string(closed_port),
                        {"refused"}));
  const auto setup = prepare(dir / "faults.yml", {HX_TEST_PLUGIN_DIR});
  HistoryStore store(setup.config.storage_path);
  StateStore state;
  Collector collector(store, state, setup.config.growth_windows, setup.config.retention);
  collector.track(setup.tracked());

  // A good round first: every hashtag has a value to keep.
  collector.record(setup.sources[0]->collect());
  for (const auto& tag : hashtags) ASSERT_TRUE(find(*state.current(), "tiktok", tag).up) << tag;
  const auto before = state.current();

  for (const auto& fault : kFaults) fake.set_mode(fault.hashtag, fault.mode);
  fake.set_mode("healthy", R"({"mode": "ok", "video_count": 4242, "view_count": 42})");
  const auto counts_before = [&] {
    std::map<std::string, int> counts;
    for (const auto& tag : hashtags) counts[tag] = fake.request_count(tag);
    return counts;
  }();
  // Snapshots are stamped to the second; the next round is a later one.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto round = setup.sources[0]->collect();
  collector.record(round);
  const auto refused_round = setup.sources[1]->collect();
  collector.record(refused_round);
  const auto after = state.current();

  std::string table = fmt::format("\n{:<12} {:<14} {:<8} {:<4} {}\n", "fault", "reason", "attempts",
                                  "kept", "message");
  for (const auto& fault : kFaults) {
    const auto failure = std::find_if(round.failures.begin(), round.failures.end(),
                                      [&](const auto& f) { return f.hashtag == fault.hashtag; });
    ASSERT_NE(failure, round.failures.end()) << fault.hashtag;
    const int attempts = fake.request_count(fault.hashtag) - counts_before.at(fault.hashtag);
    const auto& kept = find(*after, "tiktok", fault.hashtag);
    const auto& was = find(*before, "tiktok", fault.hashtag);
    EXPECT_EQ(failure->reason, fault.reason) << fault.hashtag << ": " << failure->message;
    EXPECT_EQ(attempts, fault.attempts) << fault.hashtag;
    EXPECT_FALSE(kept.up) << fault.hashtag;
    EXPECT_EQ(kept.latest, was.latest) << fault.hashtag;
    EXPECT_EQ(store.history(fault.hashtag, "tiktok").size(), 1u) << fault.hashtag;
    EXPECT_EQ(failure->message.find("test-key"), std::string::npos);
    table += fmt::format("{:<12} {:<14} {:<8} {:<4} {}\n", fault.hashtag, failure->reason, attempts,
                         kept.latest == was.latest ? "yes" : "no", failure->message.substr(0, 60));
  }
  ASSERT_EQ(refused_round.failures.size(), 1u);
  EXPECT_EQ(refused_round.failures[0].reason, "unreachable");
  table +=
      fmt::format("{:<12} {:<14} {:<8} {:<4} {}\n", "refused", refused_round.failures[0].reason,
                  "3", "yes", refused_round.failures[0].message.substr(0, 60));
  std::cout << table;

  // The healthy hashtag is unaffected: new value, stored.
  const auto& healthy = find(*after, "tiktok", "healthy");
  EXPECT_TRUE(healthy.up);
  EXPECT_EQ(healthy.latest->video_count, 4242);
  EXPECT_EQ(store.history("healthy", "tiktok").size(), 2u);
  const auto& errors = after->sources[0].errors_by_reason;
  EXPECT_EQ(errors.at("http_5xx"), 2u);
  EXPECT_EQ(errors.at("auth"), 2u);
  EXPECT_EQ(errors.at("bad_response"), 4u);
  EXPECT_EQ(after->sources[1].errors_by_reason.at("unreachable"), 1u);
  EXPECT_EQ(after->sources[1].errors_by_reason.at("timeout"), 0u);
}

TEST(TiktokFaultMatrix, FailingHashtagBacksOffAndTheBudgetPausesCollection) {
  setenv("FAULT_MATRIX_KEY", "test-key", 1);
  testing::FakeScavio fake;
  testing::TempDir dir;
  testing::write_file(dir / "c.yml", "storage:\n  path: history.db\nsources:\n" +
                                         source_config("tiktok", fake.url(), {"broken", "fine"}) +
                                         "    max_credits_per_day: 7\n");
  fake.set_mode("broken", R"({"mode": "status", "status": 404})");
  const auto setup = prepare(dir / "c.yml", {HX_TEST_PLUGIN_DIR});
  auto& source = *setup.sources[0];

  // Failures in a row: 1 -> retried next round, 2 -> sits out 1 round, 3 -> sits out 3.
  std::vector<std::string> broken_fate;
  std::vector<bool> budget_exhausted;
  for (int round_number = 0; round_number < 7; ++round_number) {
    const auto round = source.collect();
    const bool suspended = std::find(round.suspended.begin(), round.suspended.end(), "broken") !=
                           round.suspended.end();
    broken_fate.push_back(suspended ? "skip" : "fetch");
    budget_exhausted.push_back(round.budget_exhausted);
  }
  // Credits: fine costs 1 a round, broken 1 when fetched: 2, 4, 5, 7, then the budget of 7 is
  // spent and rounds 5 to 7 are paused.
  EXPECT_EQ(broken_fate,
            (std::vector<std::string>{"fetch", "fetch", "skip", "fetch", "skip", "skip", "skip"}));
  EXPECT_EQ(fake.request_count("broken"), 3);
  EXPECT_EQ(budget_exhausted, (std::vector<bool>{false, false, false, false, true, true, true}));
  EXPECT_EQ(fake.request_count("fine") + fake.request_count("broken"), 7);
}

}  // namespace
}  // namespace hashtag_exporter
