#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hashtag_exporter {

// The bounds of an adaptive source (`min_interval`, `max_interval`).
struct PollBounds {
  std::chrono::seconds min_interval{15 * 60};
  std::chrono::seconds max_interval{12 * 3600};
};

// What a schedule chose for one hashtag, as /metrics and the API show it.
struct PollStatus {
  std::string hashtag;
  std::chrono::seconds interval{0};
  std::int64_t next_poll = 0;  // Unix seconds
};

// When each hashtag of an adaptive source is next polled (SPEC §6, "Adaptive polling"). Each
// hashtag is due one interval after its last poll; the intervals come from pace(), which shares
// the rate the day's budget affords among the hashtags by urgency.
class PollPlan {
 public:
  // The hashtags of `hashtags` due by `now`, in that order: never polled, or polled one interval
  // ago. Those due a little later (kBatchFraction of min_interval) join them, so that rounds are
  // batched rather than one hashtag each.
  std::vector<std::string> due(std::span<const std::string> hashtags, std::int64_t now,
                               const PollBounds& bounds) const;
  // When the first of `hashtags` is due (now for one never polled).
  std::int64_t next_due(std::span<const std::string> hashtags, std::int64_t now) const;

  // A poll of `hashtag` was attempted (or sat out a failure backoff) at `now`.
  void polled(const std::string& hashtag, std::int64_t now);
  // `hashtag` was last fetched at `when` before this plan knew it (its newest snapshot, from the
  // history or a fixed schedule): its next poll counts from then, unless the plan has polled it.
  void fetched_before(const std::string& hashtag, std::int64_t when);
  // How urgently `hashtag` wants its next poll (poll_urgency()).
  void set_urgency(const std::string& hashtag, double urgency);

  // Sets every interval. With a budget (`credits_left` today, reset at 00:00 UTC), the rate it
  // affords until midnight is shared by urgency between min_interval and max_interval, so that
  // the day's budget is spent evenly, never exceeded, and not left unused while hashtags are
  // due; when it cannot keep every hashtag within max_interval, the budget wins. With no credit
  // left, nothing is due before midnight. Without a budget, a steady hashtag (urgency 1) is polled
  // every max_interval and an urgent one up to every min_interval.
  void pace(std::span<const std::string> hashtags, const PollBounds& bounds,
            std::optional<std::uint64_t> credits_left, std::int64_t now);

  // The interval pace() chose for `hashtag` (max_interval before any).
  std::chrono::seconds interval(const std::string& hashtag, const PollBounds& bounds) const;
  // When `hashtag` is next due.
  std::int64_t due_at(const std::string& hashtag, std::int64_t now) const;

  // Due hashtags that arrive within this fraction of min_interval are collected together.
  static constexpr double kBatchFraction = 0.05;

 private:
  struct Entry {
    std::optional<std::int64_t> last_poll;
    double urgency = 1;
    std::optional<double> interval_seconds;
  };
  std::map<std::string, Entry> entries_;
  std::int64_t paused_until_ = 0;  // no credit left: nothing is due before this midnight
};

}  // namespace hashtag_exporter
