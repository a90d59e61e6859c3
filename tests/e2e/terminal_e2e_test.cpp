// collect --once as cron and people run it: progress on a terminal, one summary line elsewhere,
// and SIGINT or SIGTERM keep what was fetched (README, "Exit codes").
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "exporter_process.hpp"
#include "fake_scavio.hpp"
#include "temp_dir.hpp"
#include "terminal_process.hpp"

namespace hashtag_exporter::testing {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using Stopwatch = std::chrono::steady_clock;

const std::string kBinary = HX_TEST_EXPORTER_BINARY;

// README, "Exit codes": an interrupted collect stops as promptly as a shutting-down server.
constexpr auto kPrompt = std::chrono::seconds(5);

// The progress line is redrawn at most every 100 ms (CollectProgress::kRedrawInterval).
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t found = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++found;
  return found;
}

class TerminalE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(config(),
               "storage:\n"
               "  path: history.db\n"
               "sources:\n"
               "  - name: tiktok\n"
               "    plugin: tiktok\n"
               "    hashtags: [aitools, llm, slow]\n"
               "    settings:\n"
               "      api_url: " +
                   fake.url() +
                   "\n"
                   "      api_key_env: FAKE_SCAVIO_KEY\n"
                   "      timeout: 50s\n"
                   "      max_attempts: 1\n"
                   "      max_in_flight: 4\n");
  }

  std::filesystem::path config() const { return dir / "hashtag_exporter.yml"; }

  std::vector<std::string> command(std::vector<std::string> args) const {
    args.insert(args.begin(), kBinary);
    args.push_back("--config.file=" + config().string());
    return args;
  }

  // The stored snapshots of `hashtag`, as CSV rows after the header.
  std::string stored(const std::string& hashtag) {
    const auto history =
        run_command(command({"history", "--hashtag", hashtag, "--format", "csv"}), environment);
    return history.output.substr(history.output.find('\n') + 1);
  }

  TempDir dir;
  FakeScavio fake;
  std::map<std::string, std::string> environment{{"FAKE_SCAVIO_KEY", "test-key"}};
};

TEST_F(TerminalE2E, OnATerminalTheProgressLineIsRedrawnInPlaceThenSummed) {
  fake.set_mode("slow", R"({"mode": "timeout", "delay": 2})");
  const auto started = Stopwatch::now();
  TerminalProcess collect(command({"collect", "--once"}), environment);
  EXPECT_TRUE(collect.wait_for("\rcollecting: 0/3 hashtags done, 0 failed, ")) << collect.shown();
  EXPECT_TRUE(collect.wait_for("\rcollecting: 2/3 hashtags done, 0 failed, ")) << collect.shown();
  EXPECT_EQ(collect.wait(), 0) << collect.shown();
  const auto elapsed = Stopwatch::now() - started;

  const auto& shown = collect.shown();
  // The last redraw is replaced by the summary, ended with a newline, before the report.
  EXPECT_THAT(shown, HasSubstr("\rcollected 3/3 hashtags, 0 failed, in "));
  const auto summary = shown.find("\rcollected 3/3");
  EXPECT_LT(summary, shown.find("\r\n", summary));
  EXPECT_LT(shown.find("\r\n", summary), shown.find("tiktok Hashtag Report"));
  // A log record clears the line first, so that it starts a line of its own.
  EXPECT_THAT(shown, HasSubstr("\r\x1b[Kts="));
  // Redrawn at most once per interval (and at the start), and below each log record.
  const auto redraws = static_cast<std::size_t>(elapsed / kRedrawInterval) + 1;
  EXPECT_LE(count(shown, "\rcollecting: "), redraws + count(shown, "\r\x1b[Kts=")) << shown;
}

TEST_F(TerminalE2E, WithoutATerminalOnlyOneSummaryLine) {
  fake.set_mode("llm", R"({"mode": "status", "status": 402})");
  const auto collect = run_command(command({"collect", "--once"}), environment);
  EXPECT_EQ(collect.exit_code, 1);
  EXPECT_THAT(collect.errors, Not(HasSubstr("\r")));
  EXPECT_THAT(collect.errors, Not(HasSubstr("collecting:")));
  EXPECT_EQ(count(collect.errors, "collected "), 1u) << collect.errors;
  EXPECT_THAT(collect.errors, HasSubstr("\ncollected 2/3 hashtags, 1 failed, in "));
  EXPECT_THAT(collect.errors.substr(collect.errors.find("\ncollected ")),
              ::testing::MatchesRegex("\ncollected 2/3 hashtags, 1 failed, in [0-9]+\\.[0-9]s\n"));
}

class InterruptE2E : public TerminalE2E, public ::testing::WithParamInterface<int> {};

TEST_P(InterruptE2E, StoresWhatWasFetchedAndExitsWithTheSignalsStatus) {
  const int signal = GetParam();
  fake.set_mode("slow", R"({"mode": "timeout", "delay": 60})");
  TerminalProcess collect(command({"collect", "--once"}), environment);
  ASSERT_TRUE(collect.wait_for("collecting: 2/3 hashtags done")) << collect.shown();

  const auto interrupted = Stopwatch::now();
  collect.signal(signal);
  EXPECT_EQ(collect.wait(), 128 + signal) << collect.shown();
  EXPECT_LT(Stopwatch::now() - interrupted, kPrompt);
  EXPECT_THAT(collect.shown(),
              HasSubstr(std::string("\rinterrupted by SIG") + sigabbrev_np(signal) +
                        ": collected 2/3 hashtags, 0 failed, in "));
  // Still the report, with what was fetched; the cancelled hashtag is neither a value nor an
  // error.
  EXPECT_THAT(collect.shown(), HasSubstr("#llm "));
  EXPECT_THAT(collect.shown(), HasSubstr("#slow: no data"));

  EXPECT_THAT(stored("aitools"), HasSubstr(",tiktok,aitools,"));
  EXPECT_THAT(stored("llm"), HasSubstr(",tiktok,llm,"));
  EXPECT_EQ(stored("slow"), "");
}

INSTANTIATE_TEST_SUITE_P(SigintAndSigterm, InterruptE2E, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) {
                           return std::string("SIG") + sigabbrev_np(info.param);
                         });

TEST_F(TerminalE2E, ASecondSignalExitsAtOnceWhileTheRoundWaitsToBeStored) {
  fake.set_mode("slow", R"({"mode": "timeout", "delay": 60})");
  TerminalProcess collect(command({"collect", "--once"}), environment);
  ASSERT_TRUE(collect.wait_for("collecting: 2/3 hashtags done")) << collect.shown();
  // Another writer holds the history, so that storing the round waits (up to the store's 5 s
  // busy timeout, then keeps the round unstored and exits 1).
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "history.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);

  const auto interrupted = Stopwatch::now();
  collect.signal(SIGINT);
  // The first signal is read before the second comes, or the two would merge into one.
  int status = -1;
  while (status < 0 && Stopwatch::now() - interrupted < kPrompt) {
    status = collect.wait(100);
    if (status < 0) collect.signal(SIGINT);
  }
  EXPECT_EQ(status, 130) << collect.shown();
  EXPECT_LT(Stopwatch::now() - interrupted, std::chrono::seconds(4));
  EXPECT_THAT(collect.shown(), Not(HasSubstr("interrupted by")));
  sqlite3_close(db);
}

}  // namespace
}  // namespace hashtag_exporter::testing
