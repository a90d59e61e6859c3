#include <hashtag_exporter/reload_rules.hpp>

#include <algorithm>

namespace hashtag_exporter {

std::optional<std::string> reload_refusal(const Config& running, const Config& next) {
  if (next.storage_path != running.storage_path) {
    return "storage.path cannot change on reload (restart to move the history)";
  }
  if (next.retention != running.retention) {
    return "storage.retention cannot change on reload (restart to apply it)";
  }
  const bool same_windows = std::ranges::equal(
      next.growth_windows, running.growth_windows,
      [](const GrowthWindow& a, const GrowthWindow& b) { return a.label == b.label; });
  if (!same_windows) return "growth.windows cannot change on reload (restart to apply them)";
  return std::nullopt;
}

}  // namespace hashtag_exporter
