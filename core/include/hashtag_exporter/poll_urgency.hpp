#pragma once

#include <chrono>
#include <optional>

namespace hashtag_exporter {

// What the adaptive schedule knows of a hashtag after a poll, in percent over the growth window
// it watches (the first configured one).
struct GrowthSignals {
  std::optional<double> growth;         // over the window, as exported
  std::optional<double> recent_growth;  // between the last two snapshots, scaled to one window
  double alert_threshold_percent = 5;
};

// How many times sooner than max_interval a hashtag wants its next poll (at least 1). Sooner when
// its growth is predicted to cross its alert threshold soon (moving fast or accelerating towards
// it, from either side), sits near it, or is above it; 1 for a steady hashtag well below it.
// A hashtag without two snapshots yet gets kUnknownUrgency, to learn its speed.
double poll_urgency(const GrowthSignals& signals, std::chrono::seconds window,
                    std::chrono::seconds max_interval);

// A hashtag whose speed is not known yet is polled this many times sooner than a steady one.
inline constexpr double kUnknownUrgency = 4;

}  // namespace hashtag_exporter
