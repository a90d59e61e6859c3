#pragma once

#include <hashtag_exporter/clock.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>

namespace hashtag_exporter::testing {

// A clock that moves only when a test advances it, so that days of schedule pass in
// microseconds. Sleepers wake when an advance reaches their deadline; wait_for_sleepers() tells
// the test when the threads it drives have done everything due and gone back to sleep.
class ManualClock final : public Clock {
 public:
  // 2026-01-01T00:00:00Z.
  static constexpr std::int64_t kStart = 1'767'225'600;

  explicit ManualClock(std::int64_t unix_seconds = kStart) : unix_seconds_(unix_seconds) {}

  std::int64_t unix_seconds() const override {
    std::lock_guard lock(mutex_);
    return unix_seconds_;
  }

  Instant monotonic() const override {
    std::lock_guard lock(mutex_);
    return monotonic_;
  }

  bool sleep_until(Instant deadline, std::stop_token stop) override {
    std::unique_lock lock(mutex_);
    const auto sleeping = deadlines_.insert(deadline);
    changed_.notify_all();
    const bool reached = changed_.wait(lock, stop, [&] { return monotonic_ >= deadline; });
    deadlines_.erase(sleeping);
    changed_.notify_all();
    return reached && !stop.stop_requested();
  }

  // Moves wall and monotonic time forward together.
  void advance(std::chrono::seconds by) {
    std::lock_guard lock(mutex_);
    unix_seconds_ += by.count();
    monotonic_ += by;
    changed_.notify_all();
  }

  // Waits until `count` threads sleep towards a deadline still ahead (so whatever was due has
  // run). False if that does not happen within `limit` of real time: a test failure, not a wait.
  bool wait_for_sleepers(std::size_t count,
                         std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] {
      return static_cast<std::size_t>(
                 std::distance(deadlines_.upper_bound(monotonic_), deadlines_.end())) >= count;
    });
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;
  std::int64_t unix_seconds_;
  // Far from the epoch, so that "an interval before now" is a valid time point.
  Instant monotonic_ = Instant(std::chrono::hours(24 * 365));
  std::multiset<Instant> deadlines_;
};

}  // namespace hashtag_exporter::testing
