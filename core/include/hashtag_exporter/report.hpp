#pragma once

#include <hashtag_exporter/state.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace hashtag_exporter {

struct ReportOptions {
  std::string window = "1d";  // which growth window the report shows
  // Trending above this; without it, above each hashtag's configured alert threshold.
  std::optional<double> threshold_percent;
  std::int64_t date = 0;  // Unix seconds; the day printed in the title
};

// The daily report users of the tutorial know: one line per hashtag with videos and growth
// ("no prior data" without a reference), the last fetch error of hashtags whose fetch failed,
// then the Trending list of hashtags whose video growth is above the threshold, fastest first.
std::string format_report(const ExporterState& state, const ReportOptions& options);

}  // namespace hashtag_exporter
