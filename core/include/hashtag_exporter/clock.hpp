#pragma once

#include <chrono>
#include <cstdint>
#include <stop_token>

namespace hashtag_exporter {

// Time as a dependency: the scheduler, the sources, the credit budget and the service read the
// time and sleep only through a Clock, so that tests drive days of schedule with a manual clock
// in microseconds (tests/support/manual_clock.hpp) instead of waiting for them.
class Clock {
 public:
  using Instant = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;

  // Wall time in Unix seconds (UTC): the timestamps of snapshots and the UTC day of the budget.
  virtual std::int64_t unix_seconds() const = 0;
  // Monotonic time, which no adjustment of the wall clock moves: schedules and durations.
  virtual Instant monotonic() const = 0;
  // Sleeps until monotonic() reaches `deadline` (Instant::max(): until stopped). Returns false,
  // at once, when `stop` is requested before or during the sleep.
  virtual bool sleep_until(Instant deadline, std::stop_token stop) = 0;
};

// The real clocks: system_clock for the wall, steady_clock for the rest.
class SystemClock final : public Clock {
 public:
  std::int64_t unix_seconds() const override;
  Instant monotonic() const override;
  bool sleep_until(Instant deadline, std::stop_token stop) override;
};

// The process's SystemClock, for whatever is not given another clock.
Clock& system_clock();

}  // namespace hashtag_exporter
