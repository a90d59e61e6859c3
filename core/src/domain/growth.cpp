#include <hashtag_exporter/growth.hpp>

namespace hashtag_exporter {

std::optional<double> growth_percent(double reference, double latest) {
  if (reference == 0) return std::nullopt;
  return (latest - reference) / reference * 100.0;
}

std::int64_t reference_not_after(std::int64_t latest, const GrowthWindow& window) {
  // 95 % of the window, rounded up so that the slack never exceeds 5 %.
  const std::int64_t minimum_age = (window.length.count() * 95 + 99) / 100;
  return latest - minimum_age;
}

bool reference_is_recent(std::int64_t reference, std::int64_t latest, const GrowthWindow& window) {
  return latest - reference <= 2 * window.length.count();
}

Counts interpolate(const Snapshot& before, const Snapshot& after, std::int64_t instant) {
  if (after.timestamp <= before.timestamp) {
    return {static_cast<double>(before.video_count), static_cast<double>(before.view_count)};
  }
  const double weight = static_cast<double>(instant - before.timestamp) /
                        static_cast<double>(after.timestamp - before.timestamp);
  const auto between = [weight](std::int64_t from, std::int64_t to) {
    return static_cast<double>(from) + weight * static_cast<double>(to - from);
  };
  return {between(before.video_count, after.video_count),
          between(before.view_count, after.view_count)};
}

std::int64_t reference_instant(std::int64_t latest, const GrowthWindow& window) {
  return latest - window.length.count();
}

bool needs_fallback(const Snapshot& latest, const ReferenceSnapshots& references,
                    const GrowthWindow& window) {
  const auto& before = references.at_or_before;
  return !before || before->timestamp > reference_instant(latest.timestamp, window) ||
         !reference_is_recent(before->timestamp, latest.timestamp, window);
}

Growth compute_growth(const Snapshot& latest, const ReferenceSnapshots& references,
                      const GrowthWindow& window) {
  const auto growth_from = [&latest](Counts reference) {
    return Growth{
        .videos = growth_percent(reference.videos, static_cast<double>(latest.video_count)),
        .views = growth_percent(reference.views, static_cast<double>(latest.view_count))};
  };
  const auto instant = reference_instant(latest.timestamp, window);
  // The store is asked for the right snapshots, but a caller may pass any, so every condition
  // is checked here.
  if (!needs_fallback(latest, references, window)) {
    const auto& after = references.after;
    const bool brackets =
        after && after->timestamp > instant && after->timestamp <= latest.timestamp;
    return growth_from(interpolate(*references.at_or_before, brackets ? *after : latest, instant));
  }
  const auto& old_enough = references.old_enough;
  if (!old_enough || old_enough->timestamp > reference_not_after(latest.timestamp, window) ||
      !reference_is_recent(old_enough->timestamp, latest.timestamp, window)) {
    return {};
  }
  return growth_from(
      {static_cast<double>(old_enough->video_count), static_cast<double>(old_enough->view_count)});
}

}  // namespace hashtag_exporter
