#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hashtag_exporter {

// A source's daily credit budget (max_credits_per_day) per UTC day: a hashtag fetched costs one
// credit, counted when the round is planned, and API requests past one per hashtag (retries)
// cost one each, so plugins that make no request of the host's client are budgeted too. What was
// spent is forgotten at 00:00 UTC. A round that cannot afford every hashtag
// fetches as many as it can, and the next short round starts where this one stopped, so the
// hashtags take turns instead of the same ones always going without.
class CreditBudget {
 public:
  struct Plan {
    std::vector<std::string> fetch;   // what the round may fetch, one request each
    std::vector<std::string> paused;  // what waits for credits
    bool exhausted = false;           // the budget could not cover every hashtag
  };

  // Splits a round's `wanted` hashtags (config order) starting at `now_unix_seconds`, with a
  // budget of `per_day` credits (0: no budget), and counts one credit per hashtag to fetch.
  Plan plan(std::vector<std::string> wanted, std::uint64_t per_day, std::int64_t now_unix_seconds);
  // Counts credits spent past those plan() counted (the round's requests beyond one per hashtag)
  // against the day of the last plan.
  void spend(std::uint64_t credits);
  std::uint64_t spent_today() const { return spent_today_; }
  // What is left of `per_day` today at `now_unix_seconds` (none without a budget).
  std::optional<std::uint64_t> left(std::uint64_t per_day, std::int64_t now_unix_seconds) const;

 private:
  std::int64_t day_ = INT64_MIN;  // the UTC midnight the day started at (none yet)
  std::uint64_t spent_today_ = 0;
  std::size_t rotation_ = 0;  // where in the hashtags the next short round starts
};

}  // namespace hashtag_exporter
