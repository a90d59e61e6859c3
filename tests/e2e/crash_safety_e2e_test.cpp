// Crash safety: the real exporter is killed with SIGKILL at random moments while it collects,
// many times over the same history, then the database must be intact and must hold every
// snapshot of every round that a log line reported as committed.
//
// HX_CRASH_SEED replays a run (the seed is printed); HX_CRASH_CYCLES changes the number of kills.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "exporter_process.hpp"
#include "fake_scavio.hpp"
#include "http.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

const std::string kBinary = HX_TEST_EXPORTER_BINARY;

constexpr int kHashtags = 40;
// Every call waits this long in the fake API and the plugin makes at most kInFlight at a time,
// so a round of 40 hashtags lasts at least 40 / 8 * 220 ms = 1.1 s, more than the 1 s interval:
// rounds run back to back (a kill nearly always lands in one), and no two rounds of a process
// start in the same second, which is the resolution of snapshot timestamps (so no committed
// round can overwrite another's rows). A round ends after its last commit, so a later process
// cannot start a round in the same second as an earlier process's committed round either.
constexpr int kLatencyMs = 220;
constexpr int kInFlight = 8;
static_assert((kHashtags + kInFlight - 1) / kInFlight * kLatencyMs > 1000);
// The first start measures how long the exporter takes from ready to its first committed round
// on this machine (about 1.3 s). Most kills then come at a random moment from ready to twice
// that, so that about half the processes commit a round before the kill and the others die in
// the middle of one, with up to 8 requests in flight. One in five kills comes 0-1 s after the
// start instead, whatever the exporter is doing then (opening the history, loading plugins, its
// first round).
constexpr int kMinKillWindowMs = 1500;
constexpr int kMaxKillWindowMs = 15000;
constexpr int kMaxEarlyKillDelayMs = 1000;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::stoull(value) : fallback;
}

struct Committed {
  int rounds = 0;  // rounds logged as committed with at least one snapshot
  std::int64_t snapshots = 0;
};

// The rounds the exporter logged as committed. A kill can cut the last line short: only
// complete lines count.
Committed committed_rounds(const std::string& log) {
  static const std::regex snapshots(R"((?:^|\s)snapshots=(\d+)(?:\s|$))");
  Committed committed;
  std::size_t begin = 0;
  for (std::size_t end; (end = log.find('\n', begin)) != std::string::npos; begin = end + 1) {
    const std::string line = log.substr(begin, end - begin);
    std::smatch match;
    if (line.find("msg=\"round committed\"") == std::string::npos ||
        !std::regex_search(line, match, snapshots)) {
      continue;
    }
    const auto count = std::stoll(match[1]);
    if (count > 0) ++committed.rounds;
    committed.snapshots += count;
  }
  return committed;
}

// The first column of every row of `sql`, as text.
std::vector<std::string> query(sqlite3* db, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    return rows;
  }
  int status = SQLITE_ROW;
  while ((status = sqlite3_step(statement)) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(statement, 0);
    rows.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "NULL");
  }
  if (status != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  sqlite3_finalize(statement);
  return rows;
}

std::int64_t query_number(sqlite3* db, const std::string& sql) {
  const auto rows = query(db, sql);
  return rows.size() == 1 ? std::stoll(rows[0]) : -1;
}

TEST(CrashSafety, KillNineDuringCollectionLosesNoCommittedSnapshot) {
  const auto seed = env_number("HX_CRASH_SEED", std::random_device{}());
  const auto cycles = static_cast<int>(env_number("HX_CRASH_CYCLES", 30));
  std::cout << "crash safety: seed " << seed << " (replay with HX_CRASH_SEED=" << seed << "), "
            << cycles << " kills" << std::endl;
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int> early_kill_delay_ms(0, kMaxEarlyKillDelayMs);
  std::bernoulli_distribution early_kill(0.2);

  TempDir dir;
  FakeScavio fake({"--latency-ms", std::to_string(kLatencyMs), "--credits", "1000000"});
  std::string hashtags;
  for (int i = 0; i < kHashtags; ++i) {
    hashtags += (i > 0 ? ", tag" : "tag") + std::to_string(i);
  }
  const auto config = dir / "hashtag_exporter.yml";
  std::string text = "storage:\n  path: history.db\n";
  text += "sources:\n  - name: tiktok\n    plugin: tiktok\n    interval: 1s\n";
  text += "    hashtags: [" + hashtags + "]\n";
  text += "    settings:\n      api_url: " + fake.url() + "\n";
  text += "      api_key_env: FAKE_SCAVIO_KEY\n      timeout: 5s\n";
  text += "      max_in_flight: " + std::to_string(kInFlight) + "\n      max_attempts: 1\n";
  write_file(config, text);
  const std::map<std::string, std::string> environment{{"FAKE_SCAVIO_KEY", "test-key"}};
  Committed committed;
  std::ostringstream kills;
  const auto start = [&](const std::string& name, int port) {
    return std::make_unique<ExporterProcess>(
        kBinary,
        std::vector<std::string>{"--config.file=" + config.string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port)},
        dir / ("exporter-" + name + ".log"), environment);
  };
  const auto ready = [&](const ExporterProcess& exporter, int port) {
    return exporter.wait_until_ok("http://127.0.0.1:" + std::to_string(port) + "/-/ready", 30000);
  };
  const auto kill_and_count = [&](ExporterProcess& exporter, const std::string& what) {
    // 128 + 9: the exporter was still running when it was killed, not stopped by an error.
    EXPECT_EQ(exporter.stop(SIGKILL), 128 + SIGKILL) << what << " (seed " << seed << "):\n"
                                                     << exporter.log_text();
    const auto rounds = committed_rounds(exporter.log_text());
    committed.rounds += rounds.rounds;
    committed.snapshots += rounds.snapshots;
    return rounds.rounds;
  };

  // The first start measures the time from ready to the first committed round, and is killed
  // right after it.
  int kill_window_ms = 0;
  {
    const int port = free_port();
    auto exporter = start("0", port);
    ASSERT_TRUE(ready(*exporter, port)) << exporter->log_text();
    const auto ready_at = std::chrono::steady_clock::now();
    while (committed_rounds(exporter->log_text()).rounds == 0) {
      ASSERT_LT(std::chrono::steady_clock::now() - ready_at, std::chrono::seconds(60))
          << "no round committed within 60 s:\n"
          << exporter->log_text();
      ASSERT_TRUE(exporter->running()) << exporter->log_text();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const auto first_round_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - ready_at)
                                    .count();
    kill_window_ms =
        std::clamp(static_cast<int>(2 * first_round_ms), kMinKillWindowMs, kMaxKillWindowMs);
    kills << " ready+" << first_round_ms << "ms:" << kill_and_count(*exporter, "first start");
  }
  std::cout << "crash safety: kills come 0-" << kill_window_ms << " ms after ready" << std::endl;
  std::uniform_int_distribution<int> kill_delay_ms(0, kill_window_ms);

  for (int cycle = 1; cycle < cycles; ++cycle) {
    const bool early = early_kill(random);
    const int delay = early ? early_kill_delay_ms(random) : kill_delay_ms(random);
    const int port = free_port();
    auto exporter = start(std::to_string(cycle), port);
    if (!early) {
      ASSERT_TRUE(ready(*exporter, port)) << "cycle " << cycle << ":\n" << exporter->log_text();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    const int rounds = kill_and_count(*exporter, "cycle " + std::to_string(cycle));
    kills << " " << (early ? "start+" : "ready+") << delay << "ms:" << rounds;
  }
  std::cout << "crash safety: kill delays and rounds committed before each kill:" << kills.str()
            << std::endl;

  // The history opens after all that, and a clean stop closes it.
  {
    const int port = free_port();
    auto exporter = start("final", port);
    ASSERT_TRUE(ready(*exporter, port)) << exporter->log_text();
    EXPECT_EQ(exporter->stop(SIGTERM), 0) << exporter->log_text();
    const auto rounds = committed_rounds(exporter->log_text());
    committed.rounds += rounds.rounds;
    committed.snapshots += rounds.snapshots;
  }
  std::cout << "crash safety: " << committed.rounds << " rounds with " << committed.snapshots
            << " snapshots logged as committed" << std::endl;
  // Without committed rounds the test proves nothing; about half the kills come after one.
  ASSERT_GE(committed.rounds, 3) << "seed " << seed;

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir / "history.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  EXPECT_EQ(query(db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  // Every committed round's timestamp is distinct (see kLatencyMs), so the rows of all of them
  // are distinct too; rounds that committed but were killed before logging only add rows.
  const auto rows = query_number(db, "SELECT COUNT(*) FROM snapshots");
  const auto timestamps = query_number(db, "SELECT COUNT(DISTINCT timestamp) FROM snapshots");
  EXPECT_GE(rows, committed.snapshots) << "seed " << seed;
  EXPECT_GE(timestamps, committed.rounds) << "seed " << seed;
  // The newest snapshot of every series, kept beside the history, agrees with the history.
  EXPECT_EQ(query_number(db,
                         "SELECT COUNT(*) FROM latest l WHERE l.timestamp != ("
                         " SELECT MAX(s.timestamp) FROM snapshots s"
                         " WHERE s.source = l.source AND s.hashtag = l.hashtag)"),
            0);
  EXPECT_EQ(
      query_number(db, "SELECT COUNT(*) FROM latest"),
      query_number(db, "SELECT COUNT(*) FROM (SELECT DISTINCT source, hashtag FROM snapshots)"));
  sqlite3_close(db);
}

}  // namespace
}  // namespace hashtag_exporter::testing
