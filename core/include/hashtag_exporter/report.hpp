#pragma once

#include <hashtag_exporter/state.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hashtag_exporter {

// How `report` (and `collect --once`) print: the tutorial's text, or one of two machine formats.
enum class ReportFormat { table, csv, json };

// The format a --format value names; nothing for any other value.
std::optional<ReportFormat> parse_report_format(std::string_view name);

struct ReportOptions {
  std::string window = "1d";  // which growth window the report shows
  // Trending above this; without it, above each hashtag's configured alert threshold.
  std::optional<double> threshold_percent;
  std::int64_t date = 0;  // Unix seconds; the day printed in the title
  ReportFormat format = ReportFormat::table;
};

// One entry per tracked hashtag, by source: its latest videos and views with their growth over
// the window, and whether its video growth is above the threshold (trending); a hashtag whose
// last fetch failed shows the error and is never trending.
// - table: the daily report users of the tutorial know, its lines unchanged up to the video
//   growth and views with their growth after them ("no prior data" without a reference), then
//   the Trending list, fastest first.
// - csv: RFC 4180 with a header row, a record per hashtag; an absent value is an empty field.
// - json: one object {"date", "window", "threshold_percent", "hashtags": [...]}, numbers as
//   numbers, an absent value (growth without a reference, no data yet, no error) as null.
// Growth is in percent; the machine formats round it to 0.01, as the tutorial's growth_pct.
std::string format_report(const ExporterState& state, const ReportOptions& options);

}  // namespace hashtag_exporter
