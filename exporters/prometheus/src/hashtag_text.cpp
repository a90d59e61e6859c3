#include "hashtag_text.hpp"

#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

namespace hashtag_exporter::prometheus_exporter {
namespace {

// What TextSerializer writes for a double: its stream uses the classic locale and a precision
// of max_digits10 - 1 (17 - 1) in the default float format, which is printf's %.16g.
void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "Nan";
  } else if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
  } else {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value,
                                      std::chars_format::general, 16);
    out.append(buffer, result.ptr);
  }
}

void append_label_value(std::string& out, std::string_view value) {
  if (value.find_first_of("\n\\\"") == std::string_view::npos) {
    out += value;  // the common case: nothing to escape
    return;
  }
  for (const char c : value) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default: out += c;
    }
  }
}

// One series: name{source="…",hashtag="…"[,window="…"]} value
void append_sample(std::string& out, std::string_view name, const HashtagState& hashtag,
                   const std::string* window, double value) {
  out += name;
  out += "{source=\"";
  append_label_value(out, hashtag.source);
  out += "\",hashtag=\"";
  append_label_value(out, hashtag.hashtag);
  if (window != nullptr) {
    out += "\",window=\"";
    append_label_value(out, *window);
  }
  out += "\"} ";
  append_value(out, value);
  out += '\n';
}

// One family: its HELP and TYPE lines, then every sample `series(hashtag, sample)` passes to
// `sample(window, value)` (window null for series without one); nothing when there is none.
template <class Series>
void append_family(std::string& out, std::string_view name, std::string_view help,
                   const std::vector<HashtagState>& hashtags, const Series& series) {
  const auto header_at = out.size();
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" gauge\n");
  const auto samples_at = out.size();
  for (const auto& hashtag : hashtags) {
    series(hashtag, [&](const std::string* window, double value) {
      append_sample(out, name, hashtag, window, value);
    });
  }
  if (out.size() == samples_at) out.resize(header_at);
}

}  // namespace

void append_hashtag_families(const std::vector<HashtagState>& hashtags, std::string& out) {
  append_family(out, "hashtag_videos",
                "Video count of the hashtag at the last successful collection.", hashtags,
                [](const HashtagState& h, const auto& sample) {
                  if (h.latest) sample(nullptr, static_cast<double>(h.latest->video_count));
                });
  append_family(out, "hashtag_views",
                "View count of the hashtag at the last successful collection.", hashtags,
                [](const HashtagState& h, const auto& sample) {
                  if (h.latest) sample(nullptr, static_cast<double>(h.latest->view_count));
                });
  append_family(out, "hashtag_videos_growth_percent",
                "Growth of the video count over the window in percent (5 means +5 %), as of "
                "the last collection.",
                hashtags, [](const HashtagState& h, const auto& sample) {
                  for (const auto& [window, percent] : h.videos_growth_percent) {
                    sample(&window, percent);
                  }
                });
  append_family(out, "hashtag_views_growth_percent",
                "Growth of the view count over the window in percent (5 means +5 %), as of the "
                "last collection.",
                hashtags, [](const HashtagState& h, const auto& sample) {
                  for (const auto& [window, percent] : h.views_growth_percent) {
                    sample(&window, percent);
                  }
                });
  append_family(out, "hashtag_up",
                "1 if the last fetch of the hashtag succeeded, else 0, as of the last collection.",
                hashtags,
                [](const HashtagState& h, const auto& sample) { sample(nullptr, h.up ? 1 : 0); });
  append_family(out, "hashtag_last_success_timestamp_seconds",
                "Unix time of the last successful fetch of the hashtag, as of the last "
                "collection.",
                hashtags, [](const HashtagState& h, const auto& sample) {
                  if (const auto timestamp = h.last_success_timestamp()) {
                    sample(nullptr, static_cast<double>(*timestamp));
                  }
                });
  append_family(out, "hashtag_growth_alert_threshold_percent",
                "Growth in percent (of videos or views) above which the hashtag's growth alerts "
                "fire, from the configuration.",
                hashtags, [](const HashtagState& h, const auto& sample) {
                  sample(nullptr, h.alert_threshold_percent);
                });
}

}  // namespace hashtag_exporter::prometheus_exporter
