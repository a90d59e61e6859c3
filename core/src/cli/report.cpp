#include <hashtag_exporter/import.hpp>
#include <hashtag_exporter/report.hpp>
#include <hashtag_exporter/time_format.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace hashtag_exporter {
namespace {

// What every format shows of one hashtag.
struct ReportEntry {
  const HashtagState* hashtag = nullptr;
  std::optional<double> videos_growth;
  std::optional<double> views_growth;
  double threshold = 0;
  bool trending = false;
};

std::optional<double> growth_over(const std::map<std::string, double>& growth,
                                  const std::string& window) {
  const auto found = growth.find(window);
  return found == growth.end() ? std::nullopt : std::optional(found->second);
}

// The tracked hashtags, source by source in the state's order.
std::vector<ReportEntry> report_entries(const ExporterState& state, const ReportOptions& options) {
  std::vector<ReportEntry> entries;
  for (const auto& source : state.sources) {
    for (const auto& hashtag : state.hashtags) {
      if (hashtag.source != source.name()) continue;
      ReportEntry entry{&hashtag, growth_over(hashtag.videos_growth_percent, options.window),
                        growth_over(hashtag.views_growth_percent, options.window),
                        options.threshold_percent.value_or(hashtag.alert_threshold_percent)};
      entry.trending = hashtag.last_error.empty() && hashtag.latest && entry.videos_growth &&
                       *entry.videos_growth > entry.threshold;
      entries.push_back(entry);
    }
  }
  return entries;
}

// Two decimals, as the tutorial's growth_pct: more is noise of the floating-point division.
double rounded_percent(double value) { return std::round(value * 100) / 100; }

std::string with_thousands(std::int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string signed_percent(double value) {
  return fmt::format("{}{:.1f}%", value > 0 ? "+" : "", value);
}

std::string growth_text(const std::optional<double>& growth) {
  return growth ? signed_percent(*growth) : "no prior data";
}

std::string format_table(const ExporterState& state, const ReportOptions& options) {
  const auto entries = report_entries(state, options);
  std::string out;
  for (const auto& source : state.sources) {
    out += fmt::format("{} Hashtag Report — {}\n", source.name(), format_date(options.date));
    out += std::string(50, '-') + "\n";
    for (const auto& entry : entries) {
      const auto& hashtag = *entry.hashtag;
      if (hashtag.source != source.name()) continue;
      if (!hashtag.last_error.empty()) {
        out += fmt::format("#{}: error - {}\n", hashtag.hashtag, hashtag.last_error);
      } else if (!hashtag.latest) {
        out += fmt::format("#{}: no data\n", hashtag.hashtag);
      } else {
        out += fmt::format(
            "#{:<20} {:>12} videos | growth: {} | {} views | growth: {}\n", hashtag.hashtag,
            with_thousands(hashtag.latest->video_count), growth_text(entry.videos_growth),
            with_thousands(hashtag.latest->view_count), growth_text(entry.views_growth));
      }
    }
    out += "\n";
  }
  std::vector<ReportEntry> trending;
  std::copy_if(entries.begin(), entries.end(), std::back_inserter(trending),
               [](const auto& entry) { return entry.trending; });
  std::stable_sort(trending.begin(), trending.end(), [](const auto& a, const auto& b) {
    return *a.videos_growth > *b.videos_growth;
  });
  out += options.threshold_percent
             ? fmt::format("Trending hashtags (video growth over {} above {}%):\n", options.window,
                           *options.threshold_percent)
             : fmt::format(
                   "Trending hashtags (video growth over {} above their alert "
                   "threshold):\n",
                   options.window);
  if (trending.empty()) out += "  none\n";
  for (const auto& entry : trending) {
    out += fmt::format("  #{} ({}): {} new videos\n", entry.hashtag->hashtag, entry.hashtag->source,
                       signed_percent(*entry.videos_growth));
  }
  return out;
}

constexpr std::string_view kReportCsvHeader =
    "source,hashtag,timestamp,video_count,view_count,videos_growth_percent,"
    "views_growth_percent,threshold_percent,trending,error";

std::string format_csv(const ExporterState& state, const ReportOptions& options) {
  std::string out(kReportCsvHeader);
  out += "\n";
  const auto number = [](const std::optional<double>& value) {
    return value ? fmt::format("{}", rounded_percent(*value)) : std::string();
  };
  for (const auto& entry : report_entries(state, options)) {
    const auto& hashtag = *entry.hashtag;
    append_csv_field(out, hashtag.source);
    out += ",";
    append_csv_field(out, hashtag.hashtag);
    if (hashtag.latest) {
      out += fmt::format(",{},{},{}", format_rfc3339(hashtag.latest->timestamp),
                         hashtag.latest->video_count, hashtag.latest->view_count);
    } else {
      out += ",,,";
    }
    out += fmt::format(",{},{},{},{},", number(entry.videos_growth), number(entry.views_growth),
                       entry.threshold, entry.trending);
    append_csv_field(out, hashtag.last_error);
    out += "\n";
  }
  return out;
}

std::string format_json(const ExporterState& state, const ReportOptions& options) {
  const auto number = [](const std::optional<double>& value) {
    return value ? nlohmann::ordered_json(rounded_percent(*value)) : nlohmann::ordered_json();
  };
  auto hashtags = nlohmann::ordered_json::array();
  for (const auto& entry : report_entries(state, options)) {
    const auto& hashtag = *entry.hashtag;
    const auto& latest = hashtag.latest;
    hashtags.push_back(
        {{"source", hashtag.source},
         {"hashtag", hashtag.hashtag},
         {"timestamp",
          latest ? nlohmann::ordered_json(format_rfc3339(latest->timestamp)) : nullptr},
         {"video_count", latest ? nlohmann::ordered_json(latest->video_count) : nullptr},
         {"view_count", latest ? nlohmann::ordered_json(latest->view_count) : nullptr},
         {"videos_growth_percent", number(entry.videos_growth)},
         {"views_growth_percent", number(entry.views_growth)},
         {"threshold_percent", entry.threshold},
         {"trending", entry.trending},
         {"error", hashtag.last_error.empty() ? nlohmann::ordered_json()
                                              : nlohmann::ordered_json(hashtag.last_error)}});
  }
  const nlohmann::ordered_json report{
      {"date", format_date(options.date)},
      {"window", options.window},
      {"threshold_percent",
       options.threshold_percent ? nlohmann::ordered_json(*options.threshold_percent) : nullptr},
      {"hashtags", std::move(hashtags)}};
  // A source or hashtag stored before imports were validated may not be UTF-8; it is shown
  // with U+FFFD rather than failing the whole report (as `history --format json`).
  return report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

std::optional<ReportFormat> parse_report_format(std::string_view name) {
  if (name == "table") return ReportFormat::table;
  if (name == "csv") return ReportFormat::csv;
  if (name == "json") return ReportFormat::json;
  return std::nullopt;
}

std::string format_report(const ExporterState& state, const ReportOptions& options) {
  switch (options.format) {
    case ReportFormat::csv: return format_csv(state, options);
    case ReportFormat::json: return format_json(state, options);
    case ReportFormat::table: break;
  }
  return format_table(state, options);
}

}  // namespace hashtag_exporter
