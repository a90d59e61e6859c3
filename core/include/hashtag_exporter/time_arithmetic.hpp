#pragma once

// Time points plus delays that cannot overflow. steady_clock counts nanoseconds in 64 bits, so
// "now + 300 years" wraps around into the past: a wait that should never end would end at once
// and a schedule would run back to back. Adding here stops at the clock's last time point.

#include <chrono>
#include <ratio>

namespace hashtag_exporter {

// `when + delay`, or the last time point of the clock when that is past it ("never", for a
// wait). A negative delay counts as none. The delay's unit must not be finer than the clock's.
template <class Clock, class Duration, class Rep, class Period>
std::chrono::time_point<Clock, Duration> saturating_add(
    std::chrono::time_point<Clock, Duration> when, std::chrono::duration<Rep, Period> delay) {
  static_assert(std::ratio_greater_equal_v<Period, typename Duration::period>,
                "the delay's unit must be at least the time point's");
  using Point = std::chrono::time_point<Clock, Duration>;
  using Delay = std::chrono::duration<Rep, Period>;
  if (delay <= Delay::zero()) return when;
  // Room left before the clock's end, which is also all a Duration can hold (before its epoch
  // more is left, but a larger delay could not be converted), in the delay's unit rounded down.
  const Duration room = when < Point() ? Duration::max() : Point::max() - when;
  if (delay > std::chrono::floor<Delay>(room)) return Point::max();
  return when + std::chrono::duration_cast<Duration>(delay);
}

}  // namespace hashtag_exporter
