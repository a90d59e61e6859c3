#include <hashtag_exporter/failure_backoff.hpp>
#include <hashtag_exporter/utc_day.hpp>

#include <algorithm>

namespace hashtag_exporter {

std::uint32_t rounds_to_sit_out(std::uint32_t consecutive_failures, std::chrono::seconds interval) {
  if (consecutive_failures == 0) return 0;
  const std::int64_t rounds_per_day = kSecondsPerDay / std::max<std::int64_t>(1, interval.count());
  // 2^(k-1)-1 only matters up to the cap; a shift of 31 or more would leave 32 bits.
  const std::uint32_t exponent = std::min<std::uint32_t>(consecutive_failures - 1, 31);
  const std::int64_t doubling = (std::int64_t{1} << exponent) - 1;
  return static_cast<std::uint32_t>(
      std::min({doubling, rounds_per_day, std::int64_t{kMaxRoundsSatOut}}));
}

bool FailureBackoff::sits_out(const std::string& hashtag) {
  const auto found = failing_.find(hashtag);
  if (found == failing_.end() || found->second.rounds_left == 0) return false;
  --found->second.rounds_left;
  return true;
}

std::uint32_t FailureBackoff::failed(const std::string& hashtag, std::chrono::seconds interval) {
  auto& failing = failing_[hashtag];
  if (failing.consecutive_failures < UINT32_MAX) ++failing.consecutive_failures;
  failing.rounds_left = rounds_to_sit_out(failing.consecutive_failures, interval);
  return failing.rounds_left;
}

void FailureBackoff::succeeded(const std::string& hashtag) { failing_.erase(hashtag); }

}  // namespace hashtag_exporter
