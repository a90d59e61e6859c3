#include "progress_text.hpp"

#include <fmt/format.h>

#include <cstring>

namespace hashtag_exporter::app {

std::string progress_text(const CollectTally& tally, std::chrono::duration<double> elapsed) {
  return fmt::format("collecting: {}/{} hashtags done, {} failed, {:.1f}s",
                     tally.fetched + tally.failed, tally.total, tally.failed, elapsed.count());
}

std::string summary_text(const CollectTally& tally, std::chrono::duration<double> elapsed,
                         std::optional<int> signal) {
  const auto counts = fmt::format("collected {}/{} hashtags, {} failed, in {:.1f}s", tally.fetched,
                                  tally.total, tally.failed, elapsed.count());
  if (!signal) return counts;
  const char* abbreviation = sigabbrev_np(*signal);
  return fmt::format("interrupted by SIG{}: {}", abbreviation ? abbreviation : "?", counts);
}

}  // namespace hashtag_exporter::app
