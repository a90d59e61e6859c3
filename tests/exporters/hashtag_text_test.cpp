#include "../../exporters/prometheus/src/hashtag_text.hpp"
#include "../../exporters/prometheus/src/metric_families.hpp"
#include "../../exporters/prometheus/src/prometheus_family.hpp"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <sstream>
#include <string>
#include <tuple>
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
  plain.up = true;
  plain.videos_growth_percent = {{"1d", 6.0}, {"7d", 0.1 + 0.2}};
  plain.views_growth_percent = {{"1d", -1.0 / 3}, {"7d", 1e21}};
  plain.alert_threshold_percent = 5;
  plain.videos_growth_baseline = {{"1d", {.median_percent = 2.5, .mad_percent = 0.1}}};
  plain.breakout_score = {{"1d", 1.0 / 7}};
  plain.poll_interval_seconds = 43'200;
  hashtags.push_back(plain);

  auto odd = hashtag("a\"b\\c", "line\nbreak\xC3\xA9");
  odd.videos_growth_percent = {{"1d", std::numeric_limits<double>::quiet_NaN()},
                               {"30d", std::numeric_limits<double>::infinity()}};
  odd.views_growth_percent = {{"1d", -std::numeric_limits<double>::infinity()}, {"30d", 1e-7}};
  odd.alert_threshold_percent = 12.5;
  odd.videos_growth_baseline = {{"30d", {.median_percent = -1e-9, .mad_percent = 0}}};
  odd.breakout_score = {{"30d", -std::numeric_limits<double>::infinity()}};
  odd.poll_interval_seconds = 1;
  hashtags.push_back(odd);

  hashtags.push_back(hashtag("demo", "never_collected"));
  return hashtags;
}

// What prometheus-cpp's TextSerializer writes for the same families of the table, each sample a
// ClientMetric as a prometheus-cpp Collectable builds it: the reference for the direct writer.
std::string serialized_by_prometheus_cpp(const std::vector<HashtagState>& hashtags) {
  std::vector<prometheus::MetricFamily> built;
  for_each_family(kHashtagFamilies, [&](const auto& family) {
    auto one = prometheus_family(family, hashtags);
    if (!one.metric.empty()) built.push_back(std::move(one));
  });
  return prometheus::TextSerializer().Serialize(built);
}

std::size_t help_lines(const std::string& text) {
  std::size_t count = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) count += line.starts_with("# HELP ") ? 1 : 0;
  return count;
}

TEST(HashtagTextTest, WritesTheBytesPrometheusCppWouldWrite) {
  const auto hashtags = tricky_hashtags();
  std::string text;
  append_hashtag_families(hashtags, text);
  ASSERT_EQ(help_lines(text), std::tuple_size_v<decltype(kHashtagFamilies)>) << text;
  EXPECT_EQ(text, serialized_by_prometheus_cpp(hashtags));
}

TEST(HashtagTextTest, EscapesLabelValuesAndWritesSpecialValues) {
  std::string text;
  append_hashtag_families(tricky_hashtags(), text);
  EXPECT_THAT(text,
              HasSubstr("hashtag_up{source=\"a\\\"b\\\\c\",hashtag=\"line\\nbreak\xC3\xA9\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("window=\"1d\"} Nan\n"));
  EXPECT_THAT(text, HasSubstr("window=\"30d\"} +Inf\n"));
  EXPECT_THAT(text, HasSubstr("window=\"1d\"} -Inf\n"));
  EXPECT_THAT(text,
              HasSubstr("hashtag_views{source=\"tiktok\",hashtag=\"aitools\"} 9007199254740992\n"));
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
