#pragma once

#include <hashtag_exporter/clock.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace hashtag_exporter::replay {

// Time for one scheduler thread, jumping to each deadline it sleeps towards: a month passes in
// as long as the rounds take. Before time moves on, `observe` sees what the previous round left.
// The first sleep towards a deadline at or past `end` finishes the replay.
class SimulatedClock final : public Clock {
 public:
  SimulatedClock(std::int64_t start, std::int64_t end, std::function<void(std::int64_t)> observe)
      : start_(start), end_(end), now_(start), observe_(std::move(observe)) {}

  std::int64_t unix_seconds() const override { return now_; }
  Instant monotonic() const override { return kOrigin + std::chrono::seconds(now_ - start_); }

  bool sleep_until(Instant deadline, std::stop_token stop) override {
    observe_(now_);
    const auto target =
        deadline == Instant::max()
            ? end_
            : start_ + std::chrono::ceil<std::chrono::seconds>(deadline - kOrigin).count();
    if (target < end_) {
      now_ = std::max<std::int64_t>(now_, target);
      return true;
    }
    std::unique_lock lock(mutex_);
    finished_ = true;
    changed_.notify_all();
    std::condition_variable_any stopped;
    stopped.wait(lock, stop, [] { return false; });
    return false;
  }

  void wait_until_finished() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return finished_; });
  }

 private:
  // Far from the epoch, so that "an interval before now" is a valid time point.
  static constexpr Instant kOrigin = Instant(std::chrono::hours(24 * 365));

  const std::int64_t start_;
  const std::int64_t end_;
  std::atomic<std::int64_t> now_;
  std::function<void(std::int64_t)> observe_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool finished_ = false;
};

}  // namespace hashtag_exporter::replay
