#include <hashtag_exporter/schedule.hpp>
#include <hashtag_exporter/time_arithmetic.hpp>

#include <algorithm>

namespace hashtag_exporter {

Schedule::Schedule(std::chrono::seconds interval, Clock::Instant now,
                   std::optional<Clock::Instant> carried_over)
    : interval_(interval),
      due_(carried_over ? std::min(*carried_over, saturating_add(now, interval)) : now) {}

void Schedule::start_round() { due_ = saturating_add(due_, interval_); }

void Schedule::finish_round(Clock::Instant now) { due_ = std::max(due_, now); }

}  // namespace hashtag_exporter
