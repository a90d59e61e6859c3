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
std::optional<double> growth_percent(double reference, double latest);

// The newest timestamp a reference snapshot may have: one window before `latest`, less 5 %
// slack so that a daily job running a little early still yields day-over-day growth.
std::int64_t reference_not_after(std::int64_t latest, const GrowthWindow& window);

// Whether `reference` is still usable for `latest`: references older than two windows are not.
bool reference_is_recent(std::int64_t reference, std::int64_t latest, const GrowthWindow& window);

struct Growth {
  std::optional<double> videos;
  std::optional<double> views;
};

// The instant a window's reference counts are taken at: exactly one window before `latest`.
std::int64_t reference_instant(std::int64_t latest, const GrowthWindow& window);

// The stored snapshots a window's reference comes from, as the store finds them.
struct ReferenceSnapshots {
  std::optional<Snapshot> at_or_before;  // the newest at or before reference_instant()
  std::optional<Snapshot> after;         // the oldest after reference_instant()
  // The newest not after reference_not_after(); only looked up when needs_fallback().
  std::optional<Snapshot> old_enough;
};

// Whether at_or_before cannot be used (missing, or older than two windows), so that the §3 rule
// applies and `old_enough` must be looked up.
bool needs_fallback(const Snapshot& latest, const ReferenceSnapshots& references,
                    const GrowthWindow& window);

// Growth over exactly one window (SPEC §6, "Exact windows"): the latest counts against the
// counts at reference_instant(), interpolated linearly between the snapshots around it, so that
// irregular polls still mean one day by "1d". With no usable snapshot at or before that instant,
// the §3 rule: the newest snapshot at least 95 % of a window old, none older than two windows.
Growth compute_growth(const Snapshot& latest, const ReferenceSnapshots& references,
                      const GrowthWindow& window);

// Counts of a series at `instant`, interpolated linearly between two snapshots around it.
struct Counts {
  double videos = 0;
  double views = 0;
};
Counts interpolate(const Snapshot& before, const Snapshot& after, std::int64_t instant);

}  // namespace hashtag_exporter
