#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace hashtag_exporter::testing {

// A program run on a pseudo-terminal, as from a person's shell: its standard input, output and
// error are the terminal (so "\n" reaches the reader as "\r\n").
class TerminalProcess {
 public:
  TerminalProcess(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& environment = {});
  // Kills the program if it still runs.
  ~TerminalProcess();
  TerminalProcess(const TerminalProcess&) = delete;
  TerminalProcess& operator=(const TerminalProcess&) = delete;

  // Reads the terminal until `text` was shown; false after `timeout_ms` or once the program
  // closed the terminal without showing it.
  bool wait_for(const std::string& text, int timeout_ms = 10000);
  void signal(int signal) const;
  // Reads the terminal to its end and collects the exit status (128+N for a signal N); -1 if
  // the program still runs after `timeout_ms`.
  int wait(int timeout_ms = 20000);
  // Everything the terminal showed so far.
  const std::string& shown() const { return shown_; }

 private:
  // Reads what arrives within `timeout_ms`; false once the terminal is closed.
  bool read_some(int timeout_ms);

  pid_t pid_ = -1;  // -1 once the exit was collected
  int terminal_ = -1;
  std::string shown_;
};

}  // namespace hashtag_exporter::testing
