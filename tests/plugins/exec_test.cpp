// The exec plugin through the host (prepare + Source::collect) with the POSIX sh scripts of
// exec_scripts/: well-behaved, hanging, garbage, failing; and on the SDK's fake host for what
// goes to the log.
#include <hashtag_exporter/plugin/sdk_testing.hpp>
#include <hashtag_exporter/setup.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <string>
#include <thread>

#include "round_results.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

using testing::failure_of;
using ::testing::HasSubstr;
using testing::snapshot_of;
namespace fs = std::filesystem;

const fs::path kScripts = fs::path(HX_TEST_SOURCE_DIR) / "tests" / "plugins" / "exec_scripts";

std::string script(const std::string& name) {
  return (kScripts / name).lexically_normal().string();
}

CollectionRound collect(const std::string& hashtags, const std::string& settings) {
  testing::TempDir dir;
  testing::write_file(dir / "exec.yml",
                      "storage:\n  path: history.db\nsources:\n"
                      "  - name: script\n    plugin: exec\n    interval: 1h\n"
                      "    hashtags: [" +
                          hashtags + "]\n    settings:\n" + settings);
  const auto setup = prepare(dir / "exec.yml", {HX_TEST_PLUGIN_DIR});
  return setup.sources[0]->collect();
}

TEST(ExecPlugin, WellBehavedScriptReportsEveryHashtag) {
  const auto round = collect("aitools, llm, strings, unknown",
                             "      command: [/bin/sh, " + script("good.sh") + "]\n");
  ASSERT_NE(snapshot_of(round, "aitools"), nullptr);
  EXPECT_EQ(snapshot_of(round, "aitools")->video_count, 7);
  EXPECT_EQ(snapshot_of(round, "aitools")->view_count, 700);
  ASSERT_NE(snapshot_of(round, "llm"), nullptr);
  EXPECT_EQ(snapshot_of(round, "llm")->video_count, 3);
  ASSERT_NE(snapshot_of(round, "strings"), nullptr);  // counts as strings
  EXPECT_EQ(snapshot_of(round, "strings")->view_count, 7700);
  ASSERT_EQ(round.failures.size(), 1u);
  EXPECT_EQ(round.failures[0].hashtag, "unknown");
  EXPECT_EQ(round.failures[0].reason, "not_found");
  EXPECT_THAT(round.failures[0].message, HasSubstr("never heard of it"));
}

TEST(ExecPlugin, TheHostMatchesHashtagsAsTheConfigNormalisesThemAndKeepsTheFirstAnswer) {
  const auto round = collect("aitools, \xC3\xA9t\xC3\xA9, llm",  // été
                             "      command: [/bin/sh, " + script("spellings.sh") + "]\n");
  ASSERT_NE(snapshot_of(round, "aitools"), nullptr);
  EXPECT_EQ(snapshot_of(round, "aitools")->video_count, 1);
  ASSERT_NE(snapshot_of(round, "\xC3\xA9t\xC3\xA9"), nullptr);
  EXPECT_EQ(snapshot_of(round, "\xC3\xA9t\xC3\xA9")->video_count, 3);
  EXPECT_EQ(snapshot_of(round, "stranger"), nullptr);
  ASSERT_EQ(round.failures.size(), 1u);
  EXPECT_EQ(round.failures[0].hashtag, "llm");
  EXPECT_EQ(round.snapshots.size(), 2u);
}

TEST(ExecPlugin, HangingScriptIsKilledWithItsChildrenAtTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  const auto round =
      collect("first, second, third",
              "      command: [/bin/sh, " + script("slow.sh") + "]\n      timeout: 1s\n");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(10));        // not the 30 s of the script's sleeps
  ASSERT_NE(snapshot_of(round, "first"), nullptr);  // what came before the timeout counts
  for (const char* tag : {"second", "third"}) {
    const auto* failure = failure_of(round, tag);
    ASSERT_NE(failure, nullptr) << tag;
    EXPECT_EQ(failure->reason, "timeout");
    EXPECT_THAT(failure->message, HasSubstr("did not finish within 1000ms; killed"));
  }
}

TEST(ExecPlugin, GarbageOutputIsABadResponseForHashtagsWithoutResult) {
  const auto round =
      collect("first, second", "      command: [/bin/sh, " + script("garbage.sh") + "]\n");
  ASSERT_NE(snapshot_of(round, "first"), nullptr);
  EXPECT_EQ(snapshot_of(round, "first")->video_count, 10);
  const auto* failure = failure_of(round, "second");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(failure->reason, "bad_response");
  EXPECT_THAT(failure->message, HasSubstr("printed no result for this hashtag"));
  EXPECT_THAT(failure->message, HasSubstr("4 output line(s) ignored, first not a JSON object"));
}

TEST(ExecPlugin, NonZeroExitFailsTheRestWithItsStatusAndStderr) {
  const auto round =
      collect("first, second", "      command: [/bin/sh, " + script("fail.sh") + "]\n");
  ASSERT_NE(snapshot_of(round, "first"), nullptr);
  const auto* failure = failure_of(round, "second");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(failure->reason, "bad_response");
  EXPECT_THAT(failure->message, HasSubstr("exited with status 3"));
  EXPECT_THAT(failure->message, HasSubstr("boom: the upstream API is down"));
}

TEST(ExecPlugin, PerHashtagModeSubstitutesTheArgumentAndSurvivesACrash) {
  const auto round =
      collect("aitools, crash", "      mode: per_hashtag\n      command: [/bin/sh, " +
                                    script("per_hashtag.sh") + ", '{hashtag}']\n");
  ASSERT_NE(snapshot_of(round, "aitools"), nullptr);
  EXPECT_EQ(snapshot_of(round, "aitools")->video_count, 7);
  const auto* failure = failure_of(round, "crash");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(failure->reason, "bad_response");
  EXPECT_THAT(failure->message, HasSubstr("killed by signal 11"));
}

TEST(ExecPlugin, MissingProgramAndTooMuchOutputAreFailuresNotCrashes) {
  const auto round = collect("a", "      command: [no-such-program-hx-test]\n");
  ASSERT_EQ(round.failures.size(), 1u);
  EXPECT_EQ(round.failures[0].reason, "bad_response");
  EXPECT_THAT(round.failures[0].message, HasSubstr("cannot start no-such-program-hx-test"));

  const auto noisy = collect(
      "a", "      command: [/bin/sh, " + script("noisy.sh") + "]\n      max_output_bytes: 4096\n");
  ASSERT_EQ(noisy.failures.size(), 1u);
  EXPECT_THAT(noisy.failures[0].message, HasSubstr("more than max_output_bytes (4096)"));
}

TEST(ExecPlugin, SettingsErrorsNameTheKey) {
  const auto error = [](const std::string& settings) -> std::string {
    try {
      collect("a", settings);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_THAT(error("      mode: per_collection\n"), HasSubstr("command"));
  EXPECT_THAT(error("      command: []\n"), HasSubstr("expected a non-empty list"));
  EXPECT_THAT(error("      command: [/nonexistent/program]\n"),
              HasSubstr("/nonexistent/program is not an executable file"));
  EXPECT_THAT(error("      command: [/bin/echo, '{hashtag}']\n"),
              HasSubstr("{hashtag} is replaced only with mode: per_hashtag"));
  EXPECT_THAT(error("      command: [/bin/true]\n      mode: sometimes\n"),
              HasSubstr("expected per_collection or per_hashtag"));
}

// Whether `pid` runs: false once it is gone or only a zombie (killed; its parent has not reaped
// it yet).
bool is_running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto name_end = line.rfind(')');
  return name_end != std::string::npos && name_end + 2 < line.size() && line[name_end + 2] != 'Z';
}

// Waits for `condition` to hold, at most `limit`; whether it held.
bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Source::cancel() (shutdown, reload) reaches the plugin's own blocking work: the program, which
// ignores SIGTERM and would sleep for minutes, is killed with its process group and reaped.
TEST(ExecPlugin, CancelKillsAndReapsAProgramThatIgnoresSigterm) {
  testing::TempDir dir;
  const auto pids = dir / "pids";
  testing::write_file(dir / "exec.yml",
                      "storage:\n  path: history.db\nsources:\n  - name: script\n"
                      "    plugin: exec\n    interval: 1h\n    hashtags: [a, b]\n"
                      "    settings:\n      timeout: 1h\n      command: [/bin/sh, " +
                          script("ignores_term.sh") + ", " + pids.string() + "]\n");
  const auto setup = prepare(dir / "exec.yml", {HX_TEST_PLUGIN_DIR});
  auto& source = *setup.sources[0];
  auto round = std::async(std::launch::async, [&source] { return source.collect(); });
  ASSERT_TRUE(eventually([&] { return fs::exists(pids); }, std::chrono::seconds(10)));
  pid_t program = 0;
  pid_t child = 0;
  std::ifstream(pids) >> program >> child;
  ASSERT_GT(program, 0);
  ASSERT_GT(child, 0);

  source.cancel();
  const bool returned = round.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  if (!returned) kill(-program, SIGKILL);  // so that the test fails rather than hangs
  ASSERT_TRUE(returned) << "collect() did not return within 5 s of the cancel";
  const auto collected = round.get();
  // The plugin fails both as cancelled, which the host files as such: not errors of the hashtags.
  EXPECT_TRUE(collected.failures.empty());
  EXPECT_EQ(collected.cancelled, (std::vector<std::string>{"a", "b"}));
  // Reaped by the plugin: not even a zombie is left of the program.
  errno = 0;
  EXPECT_EQ(kill(program, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  // Its child, orphaned, was killed with the group (init reaps it).
  EXPECT_TRUE(eventually([&] { return !is_running(child); }, std::chrono::seconds(5)));
}

// After a cancel nothing more is started: per_hashtag mode does not run the next program.
TEST(ExecOnFakeHost, NothingStartsOnceCancelled) {
  testing::TempDir dir;
  const auto* plugin =
      sdk::testing::open_plugin((fs::path(HX_TEST_PLUGIN_DIR) / "exec.so").string());
  sdk::testing::FakeHost host;
  const nlohmann::json settings{
      {"mode", "per_hashtag"},
      {"command", {"/bin/sh", script("ignores_term.sh"), (dir / "{hashtag}").string()}}};
  sdk::testing::Instance instance(plugin, host, settings.dump());
  host.cancel();
  const auto got = instance.collect({"first", "second"});
  for (const char* tag : {"first", "second"}) {
    ASSERT_NE(got.failure(tag), nullptr) << tag;
    EXPECT_EQ(got.failure(tag)->reason, HX_REASON_TIMEOUT);
    EXPECT_THAT(got.failure(tag)->message, HasSubstr("cancelled"));
    EXPECT_FALSE(fs::exists(dir / tag)) << tag << " was started";
  }
}

// The reasons a program may name are the SDK's table, `unreachable` included; another name is a
// bad response.
TEST(ExecOnFakeHost, EveryReasonOfTheTableCanBeReportedByName) {
  const auto* plugin =
      sdk::testing::open_plugin((fs::path(HX_TEST_PLUGIN_DIR) / "exec.so").string());
  const auto reported = [&](std::string_view label) {
    sdk::testing::FakeHost host;
    const nlohmann::json settings{{"command", {"/bin/sh", script("reason.sh"), label}}};
    sdk::testing::Instance instance(plugin, host, settings.dump());
    const auto got = instance.collect({"a"});
    EXPECT_EQ(got.failures.size(), 1u) << label;
    return got.failures.empty() ? HX_REASON_BAD_RESPONSE : got.failures[0].reason;
  };
  for (const auto& [reason, label] : sdk::kReasons) EXPECT_EQ(reported(label), reason) << label;
  EXPECT_EQ(reported("unreachable"), HX_REASON_UNREACHABLE);
  EXPECT_EQ(reported("on_fire"), HX_REASON_BAD_RESPONSE);
}

TEST(ExecOnFakeHost, StderrLinesGoToTheLogPrefixed) {
  const auto* plugin =
      sdk::testing::open_plugin((fs::path(HX_TEST_PLUGIN_DIR) / "exec.so").string());
  sdk::testing::FakeHost host;
  const nlohmann::json settings{{"command", {"/bin/sh", script("fail.sh")}}};
  sdk::testing::Instance instance(plugin, host, settings.dump());
  const auto got = instance.collect({"first", "second"});
  ASSERT_NE(got.sample("first"), nullptr);
  ASSERT_NE(got.failure("second"), nullptr);
  EXPECT_THAT(host.log_text(), HasSubstr("exec /bin/sh stderr: boom: the upstream API is down"));
}

}  // namespace
}  // namespace hashtag_exporter
