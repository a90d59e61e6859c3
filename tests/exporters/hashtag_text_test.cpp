#include "../../exporters/prometheus/src/hashtag_text.hpp"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace hashtag_exporter::prometheus_exporter {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

HashtagState hashtag(std::string source, std::string tag) {
  HashtagState state;
  state.source = std::move(source);
  state.hashtag = std::move(tag);
  return state;
}

// Hashtags whose labels need escaping and whose values test every way of writing a double.
std::vector<HashtagState> tricky_hashtags() {
  std::vector<HashtagState> hashtags;
  auto plain = hashtag("tiktok", "aitools");
  plain.latest = Snapshot{1'795'000'000, "tiktok", "aitools", 4'835'424, 9'007'199'254'740'993};
  plain.last_success_timestamp = 1'795'000'000;
  plain.up = true;
  plain.videos_growth_percent = {{"1d", 6.0}, {"7d", 0.1 + 0.2}};
  plain.views_growth_percent = {{"1d", -1.0 / 3}, {"7d", 1e21}};
  plain.alert_threshold_percent = 5;
  hashtags.push_back(plain);

  auto odd = hashtag("a\"b\\c", "line\nbreak\xC3\xA9");
  odd.videos_growth_percent = {{"1d", std::numeric_limits<double>::quiet_NaN()},
                               {"30d", std::numeric_limits<double>::infinity()}};
  odd.views_growth_percent = {{"1d", -std::numeric_limits<double>::infinity()},
                              {"30d", 1e-7}};
  odd.alert_threshold_percent = 12.5;
  hashtags.push_back(odd);

  hashtags.push_back(hashtag("demo", "never_collected"));
  return hashtags;
}

// What prometheus-cpp's TextSerializer writes for the same families, built the way a
// prometheus-cpp Collectable would: the reference for the bytes of the direct writer.
std::string serialized_by_prometheus_cpp(const std::vector<HashtagState>& hashtags,
                                         const std::map<std::string, std::string>& help) {
  using Sample = std::function<void(const HashtagState&, prometheus::MetricFamily&)>;
  const auto add = [](prometheus::MetricFamily& family, const HashtagState& h,
                      const std::string* window, double value) {
    prometheus::ClientMetric metric;
    metric.label = {{"source", h.source}, {"hashtag", h.hashtag}};
    if (window != nullptr) metric.label.push_back({"window", *window});
    metric.gauge.value = value;
    family.metric.push_back(metric);
  };
  const std::vector<std::pair<std::string, Sample>> families = {
      {"hashtag_videos",
       [&](const HashtagState& h, auto& f) {
         if (h.latest) add(f, h, nullptr, static_cast<double>(h.latest->video_count));
       }},
      {"hashtag_views",
       [&](const HashtagState& h, auto& f) {
         if (h.latest) add(f, h, nullptr, static_cast<double>(h.latest->view_count));
       }},
      {"hashtag_videos_growth_percent",
       [&](const HashtagState& h, auto& f) {
         for (const auto& [window, percent] : h.videos_growth_percent) add(f, h, &window, percent);
       }},
      {"hashtag_views_growth_percent",
       [&](const HashtagState& h, auto& f) {
         for (const auto& [window, percent] : h.views_growth_percent) add(f, h, &window, percent);
       }},
      {"hashtag_up", [&](const HashtagState& h, auto& f) { add(f, h, nullptr, h.up ? 1 : 0); }},
      {"hashtag_last_success_timestamp_seconds",
       [&](const HashtagState& h, auto& f) {
         if (h.last_success_timestamp) {
           add(f, h, nullptr, static_cast<double>(*h.last_success_timestamp));
         }
       }},
      {"hashtag_growth_alert_threshold_percent",
       [&](const HashtagState& h, auto& f) { add(f, h, nullptr, h.alert_threshold_percent); }},
  };
  std::vector<prometheus::MetricFamily> built;
  for (const auto& [name, sample] : families) {
    prometheus::MetricFamily family{name, help.at(name), prometheus::MetricType::Gauge, {}};
    for (const auto& h : hashtags) sample(h, family);
    if (!family.metric.empty()) built.push_back(family);
  }
  return prometheus::TextSerializer().Serialize(built);
}

std::map<std::string, std::string> help_lines(const std::string& text) {
  std::map<std::string, std::string> help;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("# HELP ")) continue;
    const auto name_end = line.find(' ', 7);
    help[line.substr(7, name_end - 7)] = line.substr(name_end + 1);
  }
  return help;
}

TEST(HashtagTextTest, WritesTheBytesPrometheusCppWouldWrite) {
  const auto hashtags = tricky_hashtags();
  std::string text;
  append_hashtag_families(hashtags, text);
  ASSERT_EQ(help_lines(text).size(), 7u) << text;
  EXPECT_EQ(text, serialized_by_prometheus_cpp(hashtags, help_lines(text)));
}

TEST(HashtagTextTest, EscapesLabelValuesAndWritesSpecialValues) {
  std::string text;
  append_hashtag_families(tricky_hashtags(), text);
  EXPECT_THAT(text, HasSubstr("hashtag_up{source=\"a\\\"b\\\\c\",hashtag=\"line\\nbreak\xC3\xA9\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("window=\"1d\"} Nan\n"));
  EXPECT_THAT(text, HasSubstr("window=\"30d\"} +Inf\n"));
  EXPECT_THAT(text, HasSubstr("window=\"1d\"} -Inf\n"));
  EXPECT_THAT(text, HasSubstr("hashtag_views{source=\"tiktok\",hashtag=\"aitools\"} 9007199254740992\n"));
}

TEST(HashtagTextTest, LeavesOutFamiliesWithoutASample) {
  std::string text;
  append_hashtag_families({hashtag("demo", "never_collected")}, text);
  EXPECT_THAT(text, Not(HasSubstr("hashtag_videos")));
  EXPECT_THAT(text, Not(HasSubstr("hashtag_last_success_timestamp_seconds")));
  EXPECT_THAT(text, HasSubstr("hashtag_up{source=\"demo\",hashtag=\"never_collected\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE hashtag_growth_alert_threshold_percent gauge\n"));
}

TEST(HashtagTextTest, AppendsToWhatIsThere) {
  std::string text = "before\n";
  append_hashtag_families({}, text);
  EXPECT_EQ(text, "before\n");
}

}  // namespace
}  // namespace hashtag_exporter::prometheus_exporter
