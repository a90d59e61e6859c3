#include <hashtag_exporter/poll_urgency.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hashtag_exporter {
namespace {

// Polls wanted before a predicted threshold crossing: the crossing is seen within a quarter of
// the time that was left when it was predicted, and each poll refines the prediction.
constexpr double kPollsBeforeCrossing = 4;
// Within this fraction of the threshold a hashtag counts as near it whatever its speed: noise
// alone can carry it across.
constexpr double kNearFraction = 0.25;
// The urgency of a hashtag exactly at its threshold, from nearness alone.
constexpr double kNearUrgency = 3;
// The urgency of a hashtag growing faster than its threshold, over the window or recently: its
// growth alert is firing or about to, so users watch it, but a steady one has nothing new to
// show often: less urgent than one about to cross.
constexpr double kAboveUrgency = 2;

}  // namespace

double poll_urgency(const GrowthSignals& signals, std::chrono::seconds window,
                    std::chrono::seconds max_interval) {
  if (!signals.growth && !signals.recent_growth) return kUnknownUrgency;
  const double growth = signals.growth.value_or(*signals.recent_growth);
  const double recent = signals.recent_growth.value_or(growth);
  const double threshold = signals.alert_threshold_percent;

  // Growth over a window drifts towards the recent speed within one window: the windows left
  // until it crosses the threshold, if it moves towards it.
  const double gap = threshold - growth;
  const double drift = recent - growth;
  const bool towards = (gap > 0 && drift > 0) || (gap < 0 && drift < 0) || gap == 0;
  const double windows_to_crossing = gap == 0 ? 0
                                              : (towards ? std::abs(gap) / std::abs(drift)
                                                         : std::numeric_limits<double>::infinity());
  const double wanted_seconds =
      windows_to_crossing * static_cast<double>(window.count()) / kPollsBeforeCrossing;
  const double crossing = wanted_seconds <= 0
                              ? std::numeric_limits<double>::infinity()
                              : static_cast<double>(max_interval.count()) / wanted_seconds;

  const double near_band = std::abs(threshold) * kNearFraction;
  const double nearness =
      near_band > 0 ? std::max(0.0, 1 - std::abs(gap) / near_band) : (gap == 0 ? 1.0 : 0.0);
  const double near = 1 + (kNearUrgency - 1) * nearness;

  const double above = std::max(growth, recent) >= threshold ? kAboveUrgency : 1;

  // Finite, so that pacing can multiply it by any rate.
  constexpr double kMostUrgent = 1e6;
  return std::min(kMostUrgent, std::max({1.0, crossing, near, above}));
}

}  // namespace hashtag_exporter
