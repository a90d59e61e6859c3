#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hashtag_exporter::prometheus_exporter {

// The process collector of the Prometheus client libraries (client_golang, client_python): the
// exporter's own CPU, memory, start time and file descriptors, read from /proc at scrape time. A
// value that cannot be read is left empty, and its family out of the exposition.
// Read here rather than through Debian's libproc2 (procps 4): for the own process it gives the
// four fields of /proc/self/stat parsed below, through a context, an item list and a select as
// long as the parser, needs its stat API for the boot time all the same, and has nothing for
// open or maximum file descriptors; a new run-time dependency for no code saved.
struct ProcessMetrics {
  std::optional<double> cpu_seconds;            // user + system
  std::optional<double> resident_memory_bytes;  // RSS
  std::optional<double> virtual_memory_bytes;
  std::optional<double> start_time_seconds;  // Unix time
  std::optional<double> open_fds;
  std::optional<double> max_fds;  // the soft limit (RLIMIT_NOFILE), as client_golang reads it
};

// The fields of /proc/<pid>/stat (proc(5)) the collector needs, in the kernel's units.
struct ProcessStat {
  std::uint64_t cpu_ticks = 0;    // utime + stime, in clock ticks
  std::uint64_t start_ticks = 0;  // starttime: clock ticks after boot
  std::uint64_t virtual_memory_bytes = 0;
  std::uint64_t resident_pages = 0;
};

// Parses the one line of /proc/<pid>/stat; nothing if it is not one. The command name (field 2)
// may hold spaces and parentheses, so fields are counted after its last ')'.
std::optional<ProcessStat> parse_process_stat(std::string_view line);

// The boot time (Unix seconds) from the `btime` line of /proc/stat; nothing without one.
std::optional<std::int64_t> parse_boot_time(std::string_view proc_stat);

// Reads the metrics of this process. The start time is read once, at construction: /proc/stat's
// btime is derived from the current time and the uptime and can move by a second from one read
// to the next, which changes() would count as restarts (HashtagExporterRestarting).
class ProcessCollector {
 public:
  ProcessCollector();

  // One read of /proc/self/stat and of /proc/self/fd, and the file descriptor limit.
  ProcessMetrics collect() const;

 private:
  std::optional<double> start_time_seconds_;
};

}  // namespace hashtag_exporter::prometheus_exporter
