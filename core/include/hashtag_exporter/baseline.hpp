#pragma once

#include <hashtag_exporter/growth.hpp>
#include <hashtag_exporter/snapshot.hpp>
#include <hashtag_exporter/utc_day.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace hashtag_exporter {

// Days of a hashtag's own growth its baseline is the median of (SPEC §6).
inline constexpr int kBaselineDays = 28;
// With fewer days of growth than this the baseline is absent: a median of a few days is noise.
inline constexpr int kMinBaselineDays = 7;
// The least MAD the breakout score divides by, in percentage points. A hashtag that grew by the
// same amount every day has a MAD of 0, and would then make any change an infinite surprise;
// half a point is below what anyone calls a change in daily growth, so a hashtag must move by
// more than that (times 1.4826 × 3) before its score reaches 3.
inline constexpr double kMinMadPercent = 0.5;

// A hashtag's typical growth over one window and how far it usually strays from it.
struct Baseline {
  double median_percent = 0;
  double mad_percent = 0;  // median absolute deviation from the median, unscaled
};

// Where the history baseline() needs for the day of `now` starts (it ends at `now`).
std::int64_t baseline_history_start(std::int64_t now, const GrowthWindow& window);

// The baseline from `history` (one series, oldest first): the window's growth at each of the last
// kBaselineDays UTC midnights up to `now`, each from counts interpolated between the snapshots
// around both instants (no extrapolation past the history). Absent with fewer than
// kMinBaselineDays such days. Sampled at midnights, it is the same all day: computed once a day.
std::optional<Baseline> baseline(std::span<const Snapshot> history, std::int64_t now,
                                 const GrowthWindow& window);

// How far `growth` stands above the baseline in robust units: (growth − median) / (1.4826 × MAD),
// the MAD floored at kMinMadPercent. 1.4826 scales a MAD to a standard deviation for normal noise.
double breakout_score(double growth, const Baseline& baseline);

// The median of `values` (none for none).
std::optional<double> median(std::vector<double> values);

}  // namespace hashtag_exporter
