#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hashtag_exporter {

// A source's daily credit budget (max_credits_per_day): API requests, retries included, per UTC
// day. What was spent is forgotten at 00:00 UTC. A round that cannot afford every hashtag
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
  // budget of `per_day` requests (0: no budget).
  Plan plan(std::vector<std::string> wanted, std::uint64_t per_day, std::int64_t now_unix_seconds);
  // Counts API requests (retries included) against the day of the last plan.
  void spend(std::uint64_t requests);
  std::uint64_t spent_today() const { return spent_today_; }

 private:
  std::int64_t day_ = INT64_MIN;  // days since the epoch, UTC
  std::uint64_t spent_today_ = 0;
  std::size_t rotation_ = 0;  // where in the hashtags the next short round starts
};

}  // namespace hashtag_exporter
