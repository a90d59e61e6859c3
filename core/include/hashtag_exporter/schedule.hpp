#pragma once

#include <hashtag_exporter/clock.hpp>

#include <chrono>
#include <optional>

namespace hashtag_exporter {

// When the rounds of one source are due. The first is due at once, or, across a reload, when
// the previous schedule said (never later than one interval from now, so a shorter interval
// takes effect); each next one an interval after the previous was due. A round that overruns
// its interval makes the next one due when it ends: no backlog of missed rounds is caught up.
class Schedule {
 public:
  Schedule(std::chrono::seconds interval, Clock::Instant now,
           std::optional<Clock::Instant> carried_over = std::nullopt);

  // When the next round is due; during a round, the round after it. Instant::max() for "never"
  // (an interval beyond what the clock can count).
  Clock::Instant due() const { return due_; }

  // The round that was due starts.
  void start_round();
  // The round ended at `now`.
  void finish_round(Clock::Instant now);

 private:
  std::chrono::seconds interval_;
  Clock::Instant due_;
};

}  // namespace hashtag_exporter
