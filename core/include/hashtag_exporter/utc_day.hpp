#pragma once

#include <cstdint>

namespace hashtag_exporter {

inline constexpr std::int64_t kSecondsPerDay = 86400;

// Midnight UTC at or before `unix_seconds`, also before the epoch: where the UTC day of the
// credit budget, the baseline's samples and the adaptive schedule's pacing start.
constexpr std::int64_t utc_midnight(std::int64_t unix_seconds) {
  const auto rest = unix_seconds % kSecondsPerDay;
  return unix_seconds - (rest < 0 ? rest + kSecondsPerDay : rest);
}

}  // namespace hashtag_exporter
