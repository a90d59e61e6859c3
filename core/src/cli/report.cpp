#include <hashtag_exporter/report.hpp>
#include <hashtag_exporter/time_format.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace hashtag_exporter {
namespace {

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

}  // namespace

std::string format_report(const ExporterState& state, const ReportOptions& options) {
  std::string out;
  struct Trending {
    std::string source;
    std::string hashtag;
    double growth;
  };
  std::vector<Trending> trending;
  for (const auto& source : state.sources) {
    out += fmt::format("{} Hashtag Report — {}\n", source.name(), format_date(options.date));
    out += std::string(50, '-') + "\n";
    for (const auto& entry : state.hashtags) {
      if (entry.source != source.name()) continue;
      if (!entry.last_error.empty()) {
        out += fmt::format("#{}: error - {}\n", entry.hashtag, entry.last_error);
        continue;
      }
      if (!entry.latest) {
        out += fmt::format("#{}: no data\n", entry.hashtag);
        continue;
      }
      const auto growth = entry.videos_growth_percent.find(options.window);
      const std::string growth_text = growth == entry.videos_growth_percent.end()
                                          ? "no prior data"
                                          : signed_percent(growth->second);
      out += fmt::format("#{:<20} {:>12} videos | growth: {}\n", entry.hashtag,
                         with_thousands(entry.latest->video_count), growth_text);
      const double threshold = options.threshold_percent.value_or(entry.alert_threshold_percent);
      if (growth != entry.videos_growth_percent.end() && growth->second > threshold) {
        trending.push_back({entry.source, entry.hashtag, growth->second});
      }
    }
    out += "\n";
  }
  std::stable_sort(trending.begin(), trending.end(),
                   [](const auto& a, const auto& b) { return a.growth > b.growth; });
  out += options.threshold_percent
             ? fmt::format("Trending hashtags (video growth over {} above {}%):\n", options.window,
                           *options.threshold_percent)
             : fmt::format(
                   "Trending hashtags (video growth over {} above their alert "
                   "threshold):\n",
                   options.window);
  if (trending.empty()) out += "  none\n";
  for (const auto& entry : trending) {
    out += fmt::format("  #{} ({}): {} new videos\n", entry.hashtag, entry.source,
                       signed_percent(entry.growth));
  }
  return out;
}

}  // namespace hashtag_exporter
