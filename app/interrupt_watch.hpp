#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include <signal.h>

namespace hashtag_exporter::app {

// Watches SIGINT and SIGTERM for a command that ends by itself (collect --once), on a thread of
// its own, so that nothing runs in a signal handler. The first signal runs the interrupt action;
// a second ends the process at once with 128 + the signal, for a user who will not wait for what
// the first lets finish (storing the round).
class InterruptWatch {
 public:
  // Blocks both signals in the calling thread and every thread it starts from now on: construct
  // it before any other thread starts, or a signal may reach a thread that does not block it.
  InterruptWatch();
  // Stops watching and unblocks the signals again.
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  // What the first signal does (on the watch's thread); run at once if it already came. The
  // action lives as long as the watch, so it holds what it uses.
  void on_interrupt(std::function<void()> action);
  // The first signal received, if any.
  std::optional<int> signal() const;

 private:
  void watch();

  sigset_t signals_{};
  sigset_t previous_mask_{};
  int signal_fd_ = -1;
  int stop_fd_ = -1;  // an eventfd the destructor writes to end the watch
  mutable std::mutex mutex_;
  std::optional<int> signal_;
  std::function<void()> action_;
  std::thread thread_;
};

}  // namespace hashtag_exporter::app
