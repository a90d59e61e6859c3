#include "hashtag_text.hpp"

#include "metric_families.hpp"

#include <algorithm>
#include <array>
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
    const auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 16);
    out.append(buffer, result.ptr);
  }
}

std::string_view type_name(MetricType type) {
  return type == MetricType::counter ? "counter" : "gauge";
}

bool needs_escaping(char c) { return c == '\n' || c == '\\' || c == '"'; }

void append_label_value(std::string& out, std::string_view value) {
  // One pass over a short value: find_first_of calls memchr on its set for every character.
  if (std::none_of(value.begin(), value.end(), needs_escaping)) {
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

// The text around the label values of a family's series: `name{first="`, `",second="`, ...,
// `"} ` (or `name ` without labels), built once per family rather than once per series.
template <std::size_t N>
std::array<std::string, N + 1> series_fragments(std::string_view name,
                                                const std::array<std::string_view, N>& labels) {
  std::array<std::string, N + 1> fragments;
  for (std::size_t i = 0; i < N; ++i) {
    fragments[i].append(i == 0 ? name : "\"").append(i == 0 ? "{" : ",");
    fragments[i].append(labels[i]).append("=\"");
  }
  fragments[N] = N == 0 ? std::string(name) + " " : "\"} ";
  return fragments;
}

// One family: its HELP and TYPE lines, then every sample `family.read` gives; nothing when there
// is none.
template <class Family>
void append_family(std::string& out, const Family& family,
                   const std::vector<HashtagState>& hashtags) {
  constexpr auto kLabels = Family::kLabels;
  const auto header_at = out.size();
  out.append("# HELP ").append(family.name).append(" ").append(family.help).append("\n");
  out.append("# TYPE ").append(family.name).append(" ").append(type_name(family.type)).append("\n");
  const auto samples_at = out.size();
  const auto fragments = series_fragments(family.name, family.labels);
  const auto sample = [&](const LabelValues<kLabels>& values, double value) {
    for (std::size_t i = 0; i < kLabels; ++i) {
      out += fragments[i];
      append_label_value(out, values[i]);
    }
    out += fragments[kLabels];
    append_value(out, value);
    out += '\n';
  };
  for (const auto& hashtag : hashtags) family.read(hashtag, sample);
  if (out.size() == samples_at) out.resize(header_at);
}

}  // namespace

void append_hashtag_families(const std::vector<HashtagState>& hashtags, std::string& out) {
  for_each_family(kHashtagFamilies,
                  [&](const auto& family) { append_family(out, family, hashtags); });
}

}  // namespace hashtag_exporter::prometheus_exporter
