#include <hashtag_exporter/growth.hpp>

namespace hashtag_exporter {

std::optional<double> growth_percent(std::int64_t reference, std::int64_t latest) {
  if (reference == 0) return std::nullopt;
  return static_cast<double>(latest - reference) / static_cast<double>(reference) * 100.0;
}

std::int64_t reference_not_after(std::int64_t latest, const GrowthWindow& window) {
  // 95 % of the window, rounded up so that the slack never exceeds 5 %.
  const std::int64_t minimum_age = (window.length.count() * 95 + 99) / 100;
  return latest - minimum_age;
}

bool reference_is_recent(std::int64_t reference, std::int64_t latest, const GrowthWindow& window) {
  return latest - reference <= 2 * window.length.count();
}

Growth compute_growth(const Snapshot& latest, const std::optional<Snapshot>& reference,
                      const GrowthWindow& window) {
  // The store is asked for a candidate no later than reference_not_after(), but a caller may
  // pass any snapshot, so both ends of the rule are checked here.
  if (!reference || reference->timestamp > reference_not_after(latest.timestamp, window) ||
      !reference_is_recent(reference->timestamp, latest.timestamp, window)) {
    return {};
  }
  return {.videos = growth_percent(reference->video_count, latest.video_count),
          .views = growth_percent(reference->view_count, latest.view_count)};
}

}  // namespace hashtag_exporter
