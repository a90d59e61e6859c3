#include <hashtag_exporter/baseline.hpp>

#include <algorithm>
#include <cmath>

namespace hashtag_exporter {
namespace {

// Scales a median absolute deviation to a standard deviation when the noise is normal.
constexpr double kMadToSigma = 1.4826;

// The counts at `instant`, interpolated between the snapshots around it; none outside the history.
std::optional<Counts> counts_at(std::span<const Snapshot> history, std::int64_t instant) {
  const auto after = std::upper_bound(
      history.begin(), history.end(), instant,
      [](std::int64_t at, const Snapshot& snapshot) { return at < snapshot.timestamp; });
  if (after == history.begin()) return std::nullopt;
  const auto& before = *std::prev(after);
  if (before.timestamp == instant) return interpolate(before, before, instant);
  if (after == history.end()) return std::nullopt;
  return interpolate(before, *after, instant);
}

}  // namespace

std::int64_t baseline_history_start(std::int64_t now, const GrowthWindow& window) {
  // One window further back than the oldest reference instant, so that the snapshot before that
  // instant is read too whenever polls are at most a window apart.
  return utc_midnight(now) - (kBaselineDays - 1) * kSecondsPerDay - 2 * window.length.count();
}

std::optional<double> median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  if (values.size() % 2 == 1) return *middle;
  const double upper = *middle;
  const double lower = *std::max_element(values.begin(), middle);
  return (lower + upper) / 2;
}

std::optional<Baseline> baseline(std::span<const Snapshot> history, std::int64_t now,
                                 const GrowthWindow& window) {
  std::vector<double> growths;
  const auto last_midnight = utc_midnight(now);
  for (int day = 0; day < kBaselineDays; ++day) {
    const auto instant = last_midnight - day * kSecondsPerDay;
    const auto latest = counts_at(history, instant);
    const auto reference = counts_at(history, instant - window.length.count());
    if (!latest || !reference) continue;
    if (const auto growth = growth_percent(reference->videos, latest->videos)) {
      growths.push_back(*growth);
    }
  }
  if (growths.size() < static_cast<std::size_t>(kMinBaselineDays)) return std::nullopt;
  const double middle = *median(growths);
  std::vector<double> deviations;
  for (const double growth : growths) deviations.push_back(std::abs(growth - middle));
  return Baseline{.median_percent = middle, .mad_percent = *median(std::move(deviations))};
}

double breakout_score(double growth, const Baseline& baseline) {
  return (growth - baseline.median_percent) /
         (kMadToSigma * std::max(baseline.mad_percent, kMinMadPercent));
}

}  // namespace hashtag_exporter
