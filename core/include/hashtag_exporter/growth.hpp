#pragma once

#include <hashtag_exporter/snapshot.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace hashtag_exporter {

// A growth window as configured (`1d`) and its length.
struct GrowthWindow {
  std::string label;
  std::chrono::seconds length{0};
};

// Growth in percent between a reference count and the latest one; none for a zero reference.
std::optional<double> growth_percent(std::int64_t reference, std::int64_t latest);

// The newest timestamp a reference snapshot may have: one window before `latest`, less 5 %
// slack so that a daily job running a little early still yields day-over-day growth.
std::int64_t reference_not_after(std::int64_t latest, const GrowthWindow& window);

// Whether `reference` is still usable for `latest`: references older than two windows are not.
bool reference_is_recent(std::int64_t reference, std::int64_t latest, const GrowthWindow& window);

struct Growth {
  std::optional<double> videos;
  std::optional<double> views;
};

// Applies the whole rule to a latest snapshot and the candidate found by the store
// (the newest snapshot not after reference_not_after()).
Growth compute_growth(const Snapshot& latest, const std::optional<Snapshot>& reference,
                      const GrowthWindow& window);

}  // namespace hashtag_exporter
