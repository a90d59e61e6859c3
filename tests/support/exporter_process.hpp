#pragma once

#include <sys/types.h>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hashtag_exporter::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // standard output
  std::string errors;  // standard error
};

// In a forked child: sets the extra environment variables and executes `argv` (exit 127 when it
// cannot).
[[noreturn]] void exec_child(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& environment);

// Runs a program to completion with extra environment variables.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& environment = {});

// A free TCP port on 127.0.0.1 (bound and released, so another process may race for it).
int free_port();

// The real hashtag_exporter binary serving in a child process; standard error goes to `log`.
class ExporterProcess {
 public:
  ExporterProcess(const std::string& binary, std::vector<std::string> args,
                  std::filesystem::path log, std::map<std::string, std::string> environment = {});
  // Stops the process with SIGTERM if it still runs.
  ~ExporterProcess();
  ExporterProcess(const ExporterProcess&) = delete;
  ExporterProcess& operator=(const ExporterProcess&) = delete;

  // Waits until GET `url` answers 200; false after `timeout_ms` or if the process exited.
  bool wait_until_ok(const std::string& url, int timeout_ms = 10000) const;
  // Sends `signal` and waits for the exit; returns the exit status (128+N for a signal N).
  int stop(int signal = 15);
  // Sends `signal` (SIGHUP, say) and returns at once.
  void signal(int signal) const;
  bool running() const;
  std::string log_text() const;

 private:
  mutable pid_t pid_ = -1;  // -1 once the exit was collected
  mutable int exit_status_ = -1;
  std::filesystem::path log_;
};

// Reads one sample from a text exposition: the value of `series` written exactly as in the
// output, e.g. `hashtag_videos{hashtag="aitools",source="tiktok"}`. Nothing if absent.
std::optional<double> sample_value(const std::string& exposition, const std::string& series);

}  // namespace hashtag_exporter::testing
