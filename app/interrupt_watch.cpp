#include "interrupt_watch.hpp"

#include <hashtag_exporter/log.hpp>

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace hashtag_exporter::app {

InterruptWatch::InterruptWatch() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, &previous_mask_);
  signal_fd_ = signalfd(-1, &signals_, SFD_CLOEXEC);
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (signal_fd_ < 0 || stop_fd_ < 0) {
    const std::string reason = std::strerror(errno);
    if (signal_fd_ >= 0) close(signal_fd_);
    if (stop_fd_ >= 0) close(stop_fd_);
    pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
    throw std::runtime_error("cannot watch SIGINT and SIGTERM: " + reason);
  }
  thread_ = std::thread([this] { watch(); });
}

InterruptWatch::~InterruptWatch() {
  const std::uint64_t one = 1;
  // Writing to an eventfd fails only when its counter would overflow, which one write cannot do.
  static_cast<void>(write(stop_fd_, &one, sizeof one));
  thread_.join();
  close(signal_fd_);
  close(stop_fd_);
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void InterruptWatch::on_interrupt(std::function<void()> action) {
  std::lock_guard lock(mutex_);
  action_ = std::move(action);
  if (signal_ && action_) action_();
}

std::optional<int> InterruptWatch::signal() const {
  std::lock_guard lock(mutex_);
  return signal_;
}

void InterruptWatch::watch() {
  pollfd fds[] = {{signal_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      log::error("cannot watch SIGINT and SIGTERM any longer", {{"err", std::strerror(errno)}});
      return;
    }
    if (fds[1].revents != 0) return;
    signalfd_siginfo info{};
    if (read(signal_fd_, &info, sizeof info) != sizeof info) continue;
    const int received = static_cast<int>(info.ssi_signo);
    std::lock_guard lock(mutex_);
    // The conventional status of a process ended by signal N.
    if (signal_) _exit(128 + received);
    signal_ = received;
    if (action_) action_();
  }
}

}  // namespace hashtag_exporter::app
