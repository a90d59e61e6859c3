#include "hashtag_text.hpp"

#include <charconv>
#include <cmath>
#include <functional>
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

struct Family {
  std::string_view name;
  std::string_view help;
  // Calls `sample(value)` or `sample(window, value)` for each series of one hashtag.
  std::function<void(const HashtagState&, const std::function<void(const std::string*, double)>&)>
      series;
};

const Family kFamilies[] = {
    {"hashtag_videos", "Video count of the hashtag at the last successful collection.",
     [](const HashtagState& h, const auto& sample) {
       if (h.latest) sample(nullptr, static_cast<double>(h.latest->video_count));
     }},
    {"hashtag_views", "View count of the hashtag at the last successful collection.",
     [](const HashtagState& h, const auto& sample) {
       if (h.latest) sample(nullptr, static_cast<double>(h.latest->view_count));
     }},
    {"hashtag_videos_growth_percent",
     "Growth of the video count over the window in percent (5 means +5 %), as of the last "
     "collection.",
     [](const HashtagState& h, const auto& sample) {
       for (const auto& [window, percent] : h.videos_growth_percent) sample(&window, percent);
     }},
    {"hashtag_views_growth_percent",
     "Growth of the view count over the window in percent (5 means +5 %), as of the last "
     "collection.",
     [](const HashtagState& h, const auto& sample) {
       for (const auto& [window, percent] : h.views_growth_percent) sample(&window, percent);
     }},
    {"hashtag_up",
     "1 if the last fetch of the hashtag succeeded, else 0, as of the last collection.",
     [](const HashtagState& h, const auto& sample) { sample(nullptr, h.up ? 1 : 0); }},
    {"hashtag_last_success_timestamp_seconds",
     "Unix time of the last successful fetch of the hashtag, as of the last collection.",
     [](const HashtagState& h, const auto& sample) {
       if (h.last_success_timestamp) {
         sample(nullptr, static_cast<double>(*h.last_success_timestamp));
       }
     }},
    {"hashtag_growth_alert_threshold_percent",
     "Growth in percent (of videos or views) above which the hashtag's growth alerts fire, from "
     "the configuration.",
     [](const HashtagState& h, const auto& sample) { sample(nullptr, h.alert_threshold_percent); }},
};

}  // namespace

void append_hashtag_families(const std::vector<HashtagState>& hashtags, std::string& out) {
  // About 80 bytes a series and nine series a hashtag (two growth windows): one allocation
  // rather than a dozen copies of a growing body.
  out.reserve(out.size() + hashtags.size() * 9 * 80);
  for (const auto& family : kFamilies) {
    const auto header_at = out.size();
    out.append("# HELP ").append(family.name).append(" ").append(family.help).append("\n");
    out.append("# TYPE ").append(family.name).append(" gauge\n");
    const auto samples_at = out.size();
    for (const auto& hashtag : hashtags) {
      family.series(hashtag, [&](const std::string* window, double value) {
        append_sample(out, family.name, hashtag, window, value);
      });
    }
    if (out.size() == samples_at) out.resize(header_at);  // no sample, no family
  }
}

}  // namespace hashtag_exporter::prometheus_exporter
