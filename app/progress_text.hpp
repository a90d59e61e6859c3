#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace hashtag_exporter::app {

// What collect --once has done so far, over every source.
struct CollectTally {
  std::size_t total = 0;    // hashtags to fetch
  std::size_t fetched = 0;  // with a value
  std::size_t failed = 0;
};

// The line redrawn on a terminal while the collection runs:
// "collecting: 12/100 hashtags done, 1 failed, 3.2s".
std::string progress_text(const CollectTally& tally, std::chrono::duration<double> elapsed);

// The one line at the end: "collected 98/100 hashtags, 2 failed, in 12.3s", begun with
// "interrupted by SIGINT: " when a signal stopped the collection.
std::string summary_text(const CollectTally& tally, std::chrono::duration<double> elapsed,
                         std::optional<int> signal);

}  // namespace hashtag_exporter::app
