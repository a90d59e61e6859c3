#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace hashtag_exporter {

// The most rounds a failing hashtag sits out in a row, whatever its failures.
inline constexpr std::uint32_t kMaxRoundsSatOut = 31;

// How many rounds a hashtag sits out after `consecutive_failures` failures in a row, like
// collectd suspends a failing read: 2^(k-1)-1 (0, 1, 3, 7, ...), at most a day's worth of rounds
// of `interval` and at most kMaxRoundsSatOut.
std::uint32_t rounds_to_sit_out(std::uint32_t consecutive_failures, std::chrono::seconds interval);

// The backoff of the failing hashtags of one source, counted in rounds.
class FailureBackoff {
 public:
  // Whether `hashtag` sits out the round that is starting; counts that round off if so.
  bool sits_out(const std::string& hashtag);
  // Records a failed fetch; returns how many of the next rounds the hashtag now sits out.
  std::uint32_t failed(const std::string& hashtag, std::chrono::seconds interval);
  // A successful fetch forgets the failures.
  void succeeded(const std::string& hashtag);

 private:
  struct Failing {
    std::uint32_t consecutive_failures = 0;
    std::uint32_t rounds_left = 0;
  };
  std::map<std::string, Failing> failing_;
};

}  // namespace hashtag_exporter
