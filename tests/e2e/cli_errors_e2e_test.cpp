// End to end: every usage error of the real binary exits 1 with one line on standard error that
// names the flag (or file) and what is wrong with it (README, "Exit codes").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>

#include "exporter_process.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kBinary = HX_TEST_EXPORTER_BINARY;

struct UsageError {
  std::vector<std::string> args;
  std::string message;  // expected within the one line on standard error
};

void PrintTo(const UsageError& error, std::ostream* out) {
  for (const auto& arg : error.args) *out << arg << " ";
}

// A valid config, so that each failure comes from the flags alone.
class CliErrors : public ::testing::TestWithParam<UsageError> {
 protected:
  void SetUp() override {
    write_file(dir / "hashtag_exporter.yml",
               "storage:\n"
               "  path: history.db\n"
               "sources:\n"
               "  - name: demo\n"
               "    plugin: demo\n"
               "    interval: 1m\n"
               "    hashtags: [aitools]\n");
  }

  CommandResult cli(std::vector<std::string> args) const {
    args.insert(args.begin(), kBinary);
    args.push_back("--config.file=" + (dir / "hashtag_exporter.yml").string());
    return run_command(args);
  }

  TempDir dir;
};

TEST_P(CliErrors, ExitsOneWithOneLineNamingTheProblem) {
  const auto result = cli(GetParam().args);
  EXPECT_EQ(result.exit_code, 1) << result.errors;
  EXPECT_THAT(result.errors, HasSubstr(GetParam().message));
  EXPECT_EQ(std::count(result.errors.begin(), result.errors.end(), '\n'), 1) << result.errors;
  EXPECT_EQ(result.output, "");
}

INSTANTIATE_TEST_SUITE_P(
    Flags, CliErrors,
    ::testing::Values(
        UsageError{{"--config.check", "--shard.count=0"},
                   "--shard.count: must be at least 1, got 0"},
        UsageError{{"--config.check", "--shard.count=-1"},
                   "--shard.count: expected a whole number, got \"-1\""},
        UsageError{{"--config.check", "--shard.count=99999999999"},
                   "--shard.count: must be at most 4294967295, got 99999999999"},
        UsageError{{"--config.check", "--shard.index=first"},
                   "--shard.index: expected a whole number, got \"first\""},
        UsageError{{"--config.check", "--shard.count=2", "--shard.index=2"},
                   "--shard.index 2 must be below --shard.count 2"},
        UsageError{{"report", "--shard.count=2", "--shard.index=2"},
                   "--shard.index 2 must be below --shard.count 2"},
        UsageError{{"report", "--shard.index=1", "--shard.index-from-hostname"},
                   "--shard.index: cannot be combined with --shard.index-from-hostname"},
        UsageError{{"report", "--threshold", "nan"},
                   "--threshold: expected a finite number of percent such as 5, got \"nan\""},
        UsageError{{"report", "--threshold", "inf"},
                   "--threshold: expected a finite number of percent such as 5, got \"inf\""},
        UsageError{{"report", "--threshold", "-infinity"},
                   "--threshold: expected a finite number of percent such as 5, got \"-infinity\""},
        UsageError{{"report", "--threshold", "1e999"},
                   "--threshold: expected a finite number of percent such as 5, got \"1e999\""},
        UsageError{{"report", "--threshold", "five"},
                   "--threshold: expected a finite number of percent such as 5, got \"five\""},
        UsageError{{"report", "--window", "soon"},
                   "--window: expected a duration such as 1d or 7d, got \"soon\""},
        UsageError{{"import", "/nonexistent/snapshots.csv"}, "/nonexistent/snapshots.csv"},
        UsageError{{"import"}, "file is required"}, UsageError{{"collect"}, "--once is required"},
        UsageError{{"history"}, "--hashtag is required"},
        UsageError{{"--config.check", "--bogus"}, "--bogus"},
        UsageError{{"report", "--log.level=verbose"}, "--log.level: verbose not in"},
        UsageError{{"history", "--hashtag", "llm", "--format", "xml"}, "--format: xml not in"},
        UsageError{{"report", "collect"}, "collect"}));

class CliHelp : public CliErrors {};

TEST_F(CliHelp, HelpAndVersionExitZeroOnStandardOutput) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"}, {"report", "--help"}}) {
    const auto result = cli(args);
    EXPECT_EQ(result.exit_code, 0) << args[0];
    EXPECT_THAT(result.output, HasSubstr("Usage: "));
    EXPECT_EQ(result.errors, "");
  }
  const auto version = cli({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.output, StartsWith("hashtag_exporter, version "));
}

TEST_F(CliHelp, ValidFlagsStillWork) {
  const auto check = cli({"--config.check", "--shard.count=2", "--shard.index=1"});
  EXPECT_EQ(check.exit_code, 0) << check.errors;
  const auto report = cli({"report", "--threshold", "-2.5", "--window", "7d"});
  EXPECT_EQ(report.exit_code, 0) << report.errors;
}

}  // namespace
}  // namespace hashtag_exporter::testing
