#include <hashtag_exporter/poll_plan.hpp>
#include <hashtag_exporter/poll_urgency.hpp>
#include <hashtag_exporter/utc_day.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hashtag_exporter {
namespace {

// Bisection steps for the rate per unit of urgency: 2^-100 of the range, far below a second.
constexpr int kPacingSteps = 100;

// Polls per second of each hashtag for `per_urgency` polls per second per unit of urgency,
// clamped to the bounds (`slowest` applied only when `keep_slowest`).
double polls_per_second(double urgency, double per_urgency, double slowest, double fastest,
                        bool keep_slowest) {
  const double rate = std::min(urgency * per_urgency, fastest);
  return keep_slowest ? std::max(rate, slowest) : rate;
}

}  // namespace

std::vector<std::string> PollPlan::due(std::span<const std::string> hashtags, std::int64_t now,
                                       const PollBounds& bounds) const {
  // Rounded down: with a min_interval of seconds, batching a whole second would make every
  // hashtag due at once.
  const auto batch = static_cast<std::int64_t>(
      std::floor(static_cast<double>(bounds.min_interval.count()) * kBatchFraction));
  std::vector<std::string> due;
  for (const auto& hashtag : hashtags) {
    if (due_at(hashtag, now) <= now + batch) due.push_back(hashtag);
  }
  return due;
}

std::int64_t PollPlan::next_due(std::span<const std::string> hashtags, std::int64_t now) const {
  std::int64_t first = std::numeric_limits<std::int64_t>::max();
  for (const auto& hashtag : hashtags) first = std::min(first, due_at(hashtag, now));
  return first;
}

std::int64_t PollPlan::due_at(const std::string& hashtag, std::int64_t now) const {
  const auto found = entries_.find(hashtag);
  std::int64_t due = now;
  if (found != entries_.end() && found->second.last_poll) {
    const double interval = found->second.interval_seconds.value_or(0);
    const double at = static_cast<double>(*found->second.last_poll) + interval;
    due = at >= static_cast<double>(std::numeric_limits<std::int64_t>::max())
              ? std::numeric_limits<std::int64_t>::max()
              : static_cast<std::int64_t>(std::ceil(at));
  }
  return std::max(due, paused_until_);
}

void PollPlan::polled(const std::string& hashtag, std::int64_t now) {
  entries_[hashtag].last_poll = now;
}

void PollPlan::fetched_before(const std::string& hashtag, std::int64_t when) {
  auto& entry = entries_[hashtag];
  if (!entry.last_poll) entry.last_poll = when;
}

void PollPlan::set_urgency(const std::string& hashtag, double urgency) {
  entries_[hashtag].urgency = std::max(1.0, urgency);
}

std::chrono::seconds PollPlan::interval(const std::string& hashtag,
                                        const PollBounds& bounds) const {
  const auto found = entries_.find(hashtag);
  if (found == entries_.end() || !found->second.interval_seconds) return bounds.max_interval;
  return std::chrono::seconds(static_cast<std::int64_t>(
      std::llround(std::min(*found->second.interval_seconds,
                            static_cast<double>(std::numeric_limits<std::int32_t>::max())))));
}

void PollPlan::pace(std::span<const std::string> hashtags, const PollBounds& bounds,
                    std::optional<std::uint64_t> credits_left, std::int64_t now) {
  const double slowest = 1.0 / static_cast<double>(bounds.max_interval.count());
  const double fastest = 1.0 / static_cast<double>(bounds.min_interval.count());
  std::vector<Entry*> paced;
  for (const auto& hashtag : hashtags) paced.push_back(&entries_[hashtag]);
  if (paced.empty()) return;

  const auto midnight = utc_midnight(now) + kSecondsPerDay;
  paused_until_ = credits_left && *credits_left == 0 ? midnight : 0;

  double per_urgency = slowest;  // no budget: urgency 1 polls every max_interval
  bool keep_slowest = true;
  if (credits_left && *credits_left > 0) {
    // Polls each rate gives before midnight: one now for a hashtag never polled, then one per
    // interval counted from its last poll. Polls land at the ends of intervals, so on average
    // half an interval per hashtag is cut off by midnight and billed to the next day: aiming at
    // half a poll more per hashtag spends what is left instead of leaving it unused.
    double aim = static_cast<double>(*credits_left) + 0.5 * static_cast<double>(paced.size());
    std::vector<double> horizon;  // seconds from each hashtag's last poll to midnight
    for (const auto* entry : paced) {
      if (!entry->last_poll) aim -= 1;
      horizon.push_back(static_cast<double>(midnight - entry->last_poll.value_or(now)));
    }
    const auto polls_before_midnight = [&](double rate, bool keep) {
      double sum = 0;
      for (std::size_t i = 0; i < paced.size(); ++i) {
        sum += horizon[i] * polls_per_second(paced[i]->urgency, rate, slowest, fastest, keep);
      }
      return sum;
    };
    // Every hashtag at max_interval already costs more than the budget affords: it wins.
    keep_slowest = polls_before_midnight(0, true) <= aim;
    double low = 0;
    double high = fastest;  // with it, every hashtag polls at min_interval
    if (polls_before_midnight(high, keep_slowest) <= aim) {
      low = high;
    } else {
      for (int step = 0; step < kPacingSteps; ++step) {
        const double middle = (low + high) / 2;
        (polls_before_midnight(middle, keep_slowest) <= aim ? low : high) = middle;
      }
    }
    per_urgency = low;
  }
  for (auto* entry : paced) {
    const double rate =
        polls_per_second(entry->urgency, per_urgency, slowest, fastest, keep_slowest);
    entry->interval_seconds = rate > 0 ? 1.0 / rate : std::numeric_limits<double>::infinity();
  }
}

}  // namespace hashtag_exporter
