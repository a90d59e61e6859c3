#include "terminal_process.hpp"

#include "exporter_process.hpp"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace hashtag_exporter::testing {
namespace {

using Stopwatch = std::chrono::steady_clock;

int remaining_ms(Stopwatch::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Stopwatch::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

TerminalProcess::TerminalProcess(const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& environment) {
  pid_ = forkpty(&terminal_, nullptr, nullptr, nullptr);
  if (pid_ < 0) throw std::runtime_error(std::string("forkpty: ") + std::strerror(errno));
  if (pid_ == 0) exec_child(argv, environment);
}

TerminalProcess::~TerminalProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(terminal_);
}

bool TerminalProcess::read_some(int timeout_ms) {
  pollfd fd{terminal_, POLLIN, 0};
  if (poll(&fd, 1, timeout_ms) <= 0) return true;
  char buffer[4096];
  const auto got = read(terminal_, buffer, sizeof buffer);
  // Linux answers EIO once the program's side of the terminal is closed.
  if (got <= 0) return false;
  shown_.append(buffer, static_cast<std::size_t>(got));
  return true;
}

bool TerminalProcess::wait_for(const std::string& text, int timeout_ms) {
  const auto deadline = Stopwatch::now() + std::chrono::milliseconds(timeout_ms);
  while (shown_.find(text) == std::string::npos) {
    if (Stopwatch::now() >= deadline || !read_some(remaining_ms(deadline))) {
      return shown_.find(text) != std::string::npos;
    }
  }
  return true;
}

void TerminalProcess::signal(int signal) const {
  if (pid_ > 0) kill(pid_, signal);
}

int TerminalProcess::wait(int timeout_ms) {
  const auto deadline = Stopwatch::now() + std::chrono::milliseconds(timeout_ms);
  while (Stopwatch::now() < deadline && read_some(remaining_ms(deadline))) {
  }
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (Stopwatch::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace hashtag_exporter::testing
