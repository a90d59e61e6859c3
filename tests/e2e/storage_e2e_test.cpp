// End to end: what the CLI does when the history cannot be written, and the CSV that `history`
// writes coming back through `import` unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include "exporter_process.hpp"
#include "http.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

using ::testing::HasSubstr;

const std::string kBinary = HX_TEST_EXPORTER_BINARY;

// SQLite needs 32 KiB for the WAL index of a new connection, so a limit of that size opens the
// history but cannot write a round of kHashtags to the WAL (about 15 pages of 4 KiB): the
// "disk full" of a full or size-limited volume, which file permissions cannot give as root.
constexpr int kFileSizeLimitBytes = 32768;
constexpr int kHashtags = 500;

// Runs the exporter with files limited to `limit` bytes. SIGXFSZ is ignored (an ignored signal
// stays ignored across exec), so a write past the limit fails with EFBIG as on a full disk.
CommandResult run_with_file_size_limit(int limit, const std::vector<std::string>& args) {
  std::vector<std::string> argv{
      HX_TEST_PYTHON, "-c",
      "import os, resource, signal, sys\n"
      "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
      "resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))\n"
      "os.execv(sys.argv[2], sys.argv[2:])\n",
      std::to_string(limit), kBinary};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

// The first column of every row of `sql` on the database at `path`, as text.
std::vector<std::string> query(const std::filesystem::path& path, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  while (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(statement, 0);
    rows.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "NULL");
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

// Every column of every snapshot, one string a row, in a stable order.
constexpr const char* kAllRows =
    "SELECT source || '|' || hashtag || '|' || timestamp || '|' || video_count || '|' || "
    "view_count FROM snapshots ORDER BY 1";

std::string hashtag_name(int i) { return "hashtag_number_" + std::to_string(1000 + i); }

TEST(StorageE2E, CollectOnceFailsWhenTheRoundCannotBeStored) {
  const TempDir dir;
  std::string hashtags;
  std::string rows = "timestamp,source,hashtag,video_count,view_count\n";
  for (int i = 0; i < kHashtags; ++i) {
    hashtags += (i > 0 ? ", " : "") + hashtag_name(i);
    rows += "2026-01-01T00:00:00Z,demo," + hashtag_name(i) + ",1,2\n";
  }
  write_file(dir / "demo.yml",
             "storage:\n  path: history.db\nsources:\n  - name: demo\n    plugin: demo\n"
             "    hashtags: [" +
                 hashtags + "]\n");
  write_file(dir / "earlier.csv", rows);
  const std::string config = "--config.file=" + (dir / "demo.yml").string();
  const auto imported = run_command({kBinary, config, "import", (dir / "earlier.csv").string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.errors;
  const auto stored = query(dir / "history.db", kAllRows);
  ASSERT_EQ(stored.size(), static_cast<std::size_t>(kHashtags));

  const auto full = run_with_file_size_limit(kFileSizeLimitBytes, {config, "collect", "--once"});
  EXPECT_EQ(full.exit_code, 1) << full.errors;
  EXPECT_THAT(full.errors, HasSubstr("not stored"));
  EXPECT_THAT(full.errors, HasSubstr((dir / "history.db").string()));

  // Nothing stored before is lost or damaged.
  EXPECT_EQ(query(dir / "history.db", "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  EXPECT_EQ(query(dir / "history.db", kAllRows), stored);
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t found = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++found;
  return found;
}

// Waits until the exporter's log holds `part`; false after `timeout`.
bool wait_for_log(const ExporterProcess& exporter, const std::string& part,
                  std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (exporter.log_text().find(part) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Like an `import` of a large file in one transaction, another connection holds the write lock
// for longer than the exporter's busy timeout: the round fails, is kept, and is written with the
// next one once the lock is free.
TEST(StorageE2E, ServeWritesARoundThatFoundTheHistoryLockedWithTheNextRound) {
  const TempDir dir;
  // Rounds 2 s apart never share a timestamp (whole seconds), so every round is one row.
  write_file(dir / "demo.yml",
             "storage:\n  path: history.db\nsources:\n  - name: demo\n"
             "    plugin: demo\n    interval: 2s\n    hashtags: [aitools]\n");
  const int port = free_port();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  ExporterProcess exporter(kBinary,
                           {"--config.file=" + (dir / "demo.yml").string(),
                            "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                           dir / "exporter.log");
  ASSERT_TRUE(exporter.wait_until_ok(base + "/-/ready")) << exporter.log_text();
  ASSERT_TRUE(wait_for_log(exporter, "msg=\"round committed\"", std::chrono::seconds(10)))
      << exporter.log_text();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "history.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  // HistoryStore::kBusyTimeout (5 s) plus a round interval, with room for a slow machine.
  const bool failed = wait_for_log(exporter, "msg=\"round not stored", std::chrono::seconds(30));
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  ASSERT_TRUE(failed) << exporter.log_text();
  EXPECT_TRUE(wait_for_log(exporter, "earlier_unstored=1 ", std::chrono::seconds(10)))
      << exporter.log_text();
  const auto metrics = http_get(base + "/metrics").body;
  EXPECT_EQ(sample_value(metrics, "hashtag_exporter_unstored_snapshots"), 0);
  EXPECT_GE(sample_value(metrics, "hashtag_exporter_storage_errors_total"), 1);
  EXPECT_EQ(exporter.stop(SIGTERM), 0);

  // Every round of the process is in the history, the one that found it locked included.
  const auto log = exporter.log_text();
  const auto rounds = count(log, "msg=\"round committed\"") + count(log, "msg=\"round not stored");
  EXPECT_EQ(query(dir / "history.db", "SELECT COUNT(*) FROM snapshots"),
            std::vector<std::string>{std::to_string(rounds)})
      << log;
}

TEST(StorageE2E, HistoryCsvImportsBackIntoTheSameRows) {
  const TempDir dir;
  for (const std::string name : {"first", "second"}) {
    write_file(dir / (name + ".yml"), "storage:\n  path: " + name +
                                          ".db\nsources:\n  - name: demo\n    plugin: demo\n"
                                          "    hashtags: [aitools]\n");
  }
  const auto cli = [&](const std::string& config, std::vector<std::string> args) {
    args.insert(args.begin(), {kBinary, "--config.file=" + (dir / (config + ".yml")).string()});
    return run_command(args);
  };
  // Hashtags may hold the CSV's own separator and quote, and any UTF-8.
  write_file(dir / "odd.csv",
             "timestamp,source,hashtag,video_count,view_count\n"
             "2026-05-21T10:00:00Z,demo,\"a\"\"b,c\",1,2\n"
             "2026-05-22T10:00:00Z,demo,\"a\"\"b,c\",3,4\n"
             "2026-05-22T10:00:00Z,my-source,\"a\"\"b,c\",5,6\n"
             "2026-05-22T10:00:00Z,demo,\"\"\"quoted\"\"\",7,8\n"
             "2026-05-22T10:00:00Z,demo,ünïcødé,9,10\n");
  const auto imported = cli("first", {"import", (dir / "odd.csv").string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.errors;

  for (const std::string hashtag : {"a\"b,c", "\"quoted\"", "ünïcødé"}) {
    const auto exported = cli("first", {"history", "--hashtag", hashtag, "--format", "csv"});
    ASSERT_EQ(exported.exit_code, 0) << exported.errors;
    write_file(dir / "exported.csv", exported.output);
    const auto reimported = cli("second", {"import", (dir / "exported.csv").string()});
    ASSERT_EQ(reimported.exit_code, 0) << hashtag << ": " << reimported.errors;
    EXPECT_EQ(cli("second", {"history", "--hashtag", hashtag, "--format", "csv"}).output,
              exported.output);
  }
  EXPECT_EQ(query(dir / "second.db", kAllRows), query(dir / "first.db", kAllRows));
  EXPECT_EQ(query(dir / "second.db", kAllRows).size(), 5u);
}

// A history written before imports were validated may hold a source that is not UTF-8.
TEST(StorageE2E, HistoryJsonShowsABadSourceInsteadOfFailing) {
  const TempDir dir;
  write_file(dir / "demo.yml",
             "storage:\n  path: history.db\nsources:\n  - name: demo\n"
             "    plugin: demo\n    hashtags: [aitools]\n");
  const std::string config = "--config.file=" + (dir / "demo.yml").string();
  ASSERT_EQ(run_command({kBinary, config, "history", "--hashtag", "aitools"}).exit_code, 0);
  sqlite3* db = nullptr;
  sqlite3_open((dir / "history.db").c_str(), &db);
  EXPECT_EQ(sqlite3_exec(db, "INSERT INTO snapshots VALUES ('t\xFFk', 'aitools', 1779408000, 1, 2)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  const auto json =
      run_command({kBinary, config, "history", "--hashtag", "aitools", "--format", "json"});
  EXPECT_EQ(json.exit_code, 0) << json.errors;
  EXPECT_THAT(json.output, HasSubstr("\"source\": \"t\xEF\xBF\xBDk\""));  // U+FFFD
}

}  // namespace
}  // namespace hashtag_exporter::testing
