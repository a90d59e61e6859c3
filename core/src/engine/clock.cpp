#include <hashtag_exporter/clock.hpp>

#include <condition_variable>
#include <mutex>

namespace hashtag_exporter {

std::int64_t SystemClock::unix_seconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Clock::Instant SystemClock::monotonic() const { return std::chrono::steady_clock::now(); }

bool SystemClock::sleep_until(Instant deadline, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any stopped;
  std::unique_lock lock(mutex);
  // Nothing else notifies: the wait ends at the deadline or when `stop` is requested.
  stopped.wait_until(lock, stop, deadline, [] { return false; });
  return !stop.stop_requested();
}

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

}  // namespace hashtag_exporter
