#include "process_metrics.hpp"

#include <hashtag_exporter/log.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace hashtag_exporter::prometheus_exporter {
namespace {

constexpr const char* kSelfStat = "/proc/self/stat";
constexpr const char* kSystemStat = "/proc/stat";
constexpr const char* kSelfFds = "/proc/self/fd";

// Positions in /proc/<pid>/stat (proc(5), counted from 1), here counted from field 3, the first
// after the command name.
constexpr std::size_t kFirstFieldAfterName = 3;
constexpr std::size_t kUtime = 14;
constexpr std::size_t kStime = 15;
constexpr std::size_t kStarttime = 22;
constexpr std::size_t kVsize = 23;
constexpr std::size_t kRss = 24;

std::optional<std::string> read_proc_file(const char* path) {
  std::ifstream file(path);
  std::ostringstream text;
  if (!(text << file.rdbuf())) {
    log::debug("cannot read a file of /proc for the process metrics", {{"path", path}});
    return std::nullopt;
  }
  return text.str();
}

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

double clock_ticks_per_second() { return static_cast<double>(sysconf(_SC_CLK_TCK)); }

std::optional<double> open_fds() {
  // Counts the descriptor that lists them too, as the client libraries do.
  double count = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator fd(kSelfFds, error), end; !error && fd != end;
       fd.increment(error)) {
    ++count;
  }
  if (error) {
    log::debug("cannot list the open file descriptors",
               {{"path", kSelfFds}, {"err", error.message()}});
    return std::nullopt;
  }
  return count;
}

std::optional<double> max_fds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::nullopt;
  return static_cast<double>(limit.rlim_cur);
}

}  // namespace

std::optional<ProcessStat> parse_process_stat(std::string_view line) {
  const auto name_end = line.rfind(')');
  if (name_end == std::string_view::npos) return std::nullopt;
  std::optional<std::uint64_t> utime, stime, starttime, vsize, rss;
  std::size_t field = kFirstFieldAfterName;
  std::size_t start = line.find_first_not_of(' ', name_end + 1);
  while (start != std::string_view::npos && field <= kRss) {
    const auto end = std::min(line.find_first_of(" \n", start), line.size());
    const auto text = line.substr(start, end - start);
    switch (field) {
      case kUtime: utime = number(text); break;
      case kStime: stime = number(text); break;
      case kStarttime: starttime = number(text); break;
      case kVsize: vsize = number(text); break;
      case kRss: rss = number(text); break;
      default: break;
    }
    ++field;
    start = line.find_first_not_of(" \n", end);
  }
  if (!utime || !stime || !starttime || !vsize || !rss) return std::nullopt;
  return ProcessStat{*utime + *stime, *starttime, *vsize, *rss};
}

std::optional<std::int64_t> parse_boot_time(std::string_view proc_stat) {
  constexpr std::string_view kKey = "btime ";
  for (std::size_t start = 0; start < proc_stat.size();) {
    const auto end = std::min(proc_stat.find('\n', start), proc_stat.size());
    const auto line = proc_stat.substr(start, end - start);
    if (line.starts_with(kKey)) {
      const auto seconds = number(line.substr(kKey.size()));
      if (!seconds) return std::nullopt;
      return static_cast<std::int64_t>(*seconds);
    }
    start = end + 1;
  }
  return std::nullopt;
}

ProcessCollector::ProcessCollector() {
  const auto self = read_proc_file(kSelfStat);
  const auto system = read_proc_file(kSystemStat);
  const auto stat = self ? parse_process_stat(*self) : std::nullopt;
  const auto boot = system ? parse_boot_time(*system) : std::nullopt;
  if (stat && boot) {
    start_time_seconds_ = static_cast<double>(*boot) +
                          static_cast<double>(stat->start_ticks) / clock_ticks_per_second();
  }
}

ProcessMetrics ProcessCollector::collect() const {
  ProcessMetrics metrics;
  metrics.start_time_seconds = start_time_seconds_;
  if (const auto line = read_proc_file(kSelfStat)) {
    if (const auto stat = parse_process_stat(*line)) {
      metrics.cpu_seconds = static_cast<double>(stat->cpu_ticks) / clock_ticks_per_second();
      metrics.virtual_memory_bytes = static_cast<double>(stat->virtual_memory_bytes);
      metrics.resident_memory_bytes =
          static_cast<double>(stat->resident_pages) * static_cast<double>(sysconf(_SC_PAGESIZE));
    } else {
      log::debug("cannot parse the process's stat line", {{"path", kSelfStat}});
    }
  }
  metrics.open_fds = open_fds();
  metrics.max_fds = max_fds();
  return metrics;
}

}  // namespace hashtag_exporter::prometheus_exporter
