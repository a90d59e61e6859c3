// The process collector: /proc/self/stat as proc(5) lays it out, and values read for this very
// process.
#include "../../exporters/prometheus/src/process_metrics.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>

namespace hashtag_exporter::prometheus_exporter {
namespace {

// A real line of /proc/<pid>/stat (52 fields), its command name made as awkward as the kernel
// allows: spaces and a ") " that is not the end of the name.
constexpr const char* kStatLine =
    "4242 (hx) (evil name) S 1 4242 4242 0 -1 4194560 31822 0 2 0 1234 567 0 0 20 0 9 0 "
    "98765 734003200 12345 18446744073709551615 1 1 0 0 0 0 0 4096 17640 0 0 0 17 3 0 0 0 0 0 0 "
    "0 0 0 0 0 0 0\n";

TEST(ProcessMetricsTest, ParsesTheFieldsAfterTheLastParenthesisOfTheCommandName) {
  const auto stat = parse_process_stat(kStatLine);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->cpu_ticks, 1234u + 567u);
  EXPECT_EQ(stat->start_ticks, 98765u);
  EXPECT_EQ(stat->virtual_memory_bytes, 734003200u);
  EXPECT_EQ(stat->resident_pages, 12345u);
}

TEST(ProcessMetricsTest, RejectsAStatLineThatIsCutShortOrNotNumeric) {
  EXPECT_FALSE(parse_process_stat("4242 (hx) S 1 4242 4242 0 -1 4194560 31822 0 2 0 1234 567"));
  EXPECT_FALSE(parse_process_stat("no command name here"));
  EXPECT_FALSE(parse_process_stat(
      "4242 (hx) S 1 4242 4242 0 -1 4194560 31822 0 2 0 12x4 567 0 0 20 0 9 0 98765 1 2\n"));
  EXPECT_FALSE(parse_process_stat(""));
}

TEST(ProcessMetricsTest, ReadsTheBootTimeFromItsLineOfProcStat) {
  EXPECT_EQ(parse_boot_time("cpu  1 2 3\nctxt 99\nbtime 1767225600\nprocesses 7\n"), 1767225600);
  EXPECT_EQ(parse_boot_time("btime 12"), 12);
  EXPECT_FALSE(parse_boot_time("cpu  1 2 3\nctxt 99\n"));
  EXPECT_FALSE(parse_boot_time("btime soon\n"));
}

TEST(ProcessMetricsTest, ReadsPlausibleValuesForThisProcess) {
  const auto metrics = ProcessCollector().collect();
  ASSERT_TRUE(metrics.resident_memory_bytes);
  ASSERT_TRUE(metrics.virtual_memory_bytes);
  ASSERT_TRUE(metrics.cpu_seconds);
  EXPECT_GT(*metrics.resident_memory_bytes, 0);
  EXPECT_GE(*metrics.virtual_memory_bytes, *metrics.resident_memory_bytes);
  EXPECT_GE(*metrics.cpu_seconds, 0);
}

// The test binary started before this test and, however slow the machine, not a day ago.
TEST(ProcessMetricsTest, StartTimeIsWhenThisProcessStarted) {
  constexpr double kLongestTestRunSeconds = 86400;
  const auto start = ProcessCollector().collect().start_time_seconds;
  ASSERT_TRUE(start);
  const auto now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  // /proc/stat's btime is whole seconds: the start may appear up to a second late.
  EXPECT_LE(*start, now + 1);
  EXPECT_GT(*start, now - kLongestTestRunSeconds);
}

TEST(ProcessMetricsTest, OpenFdsCountsADescriptorOpenedSinceTheLastRead) {
  const ProcessCollector collector;
  const auto before = collector.collect().open_fds;
  FILE* opened = std::fopen("/dev/null", "r");
  ASSERT_NE(opened, nullptr);
  const auto during = collector.collect().open_fds;
  std::fclose(opened);
  const auto after = collector.collect().open_fds;

  ASSERT_TRUE(before && during && after);
  EXPECT_GT(*before, 0);
  EXPECT_EQ(*during, *before + 1);
  EXPECT_EQ(*after, *before);
}

TEST(ProcessMetricsTest, MaxFdsIsTheSoftLimitAsItIsNow) {
  rlimit original{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original), 0);
  const ProcessCollector collector;
  EXPECT_EQ(collector.collect().max_fds, static_cast<double>(original.rlim_cur));

  rlimit lowered = original;
  lowered.rlim_cur = original.rlim_cur - 1;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  const auto max_fds = collector.collect().max_fds;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &original), 0);
  EXPECT_EQ(max_fds, static_cast<double>(lowered.rlim_cur));
}

}  // namespace
}  // namespace hashtag_exporter::prometheus_exporter
