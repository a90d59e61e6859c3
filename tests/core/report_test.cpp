// The report in its three formats (core/src/cli/report.cpp).
#include <hashtag_exporter/report.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace hashtag_exporter {
namespace {

constexpr std::int64_t kDay = 1779408000;  // 2026-05-22T00:00:00Z

HashtagState hashtag(const std::string& name, std::optional<Snapshot> latest = std::nullopt,
                     std::map<std::string, double> videos_growth = {},
                     std::map<std::string, double> views_growth = {}) {
  HashtagState state;
  state.source = "tiktok";
  state.hashtag = name;
  state.latest = std::move(latest);
  state.videos_growth_percent = std::move(videos_growth);
  state.views_growth_percent = std::move(views_growth);
  return state;
}

Snapshot counts(const std::string& name, std::int64_t videos, std::int64_t views) {
  return {kDay, "tiktok", name, videos, views};
}

// aitools and cursor grew past the default 5 % threshold (cursor fastest), llm has no reference
// yet, claude's last fetch failed and openai was never fetched.
ExporterState tutorial_state() {
  auto source = std::make_shared<SourceConfig>();
  source->name = "tiktok";
  ExporterState state;
  state.sources.emplace_back(source);
  state.hashtags.push_back(hashtag("aitools", counts("aitools", 1247832, 98765432),
                                   {{"1d", 3.2}, {"7d", 20}}, {{"1d", 1.0 / 3}}));
  auto claude = hashtag("claude", counts("claude", 341209, 1000), {{"1d", 12.4}});
  claude.last_error = "http_5xx: HTTP 503, \"busy\"";
  state.hashtags.push_back(claude);
  state.hashtags.push_back(
      hashtag("cursor", counts("cursor", 198441, 7000000), {{"1d", 15.2}}, {{"1d", -2.5}}));
  state.hashtags.push_back(hashtag("llm", counts("llm", 892441, 5000000)));
  state.hashtags.push_back(hashtag("openai"));
  return state;
}

TEST(Report, TheTableKeepsTheTutorialsLinesAndAddsTheViews) {
  EXPECT_EQ(format_report(tutorial_state(), {"1d", 3.0, kDay}),
            "tiktok Hashtag Report — 2026-05-22\n"
            "--------------------------------------------------\n"
            "#aitools                 1,247,832 videos | growth: +3.2% | 98,765,432 views | "
            "growth: +0.3%\n"
            "#claude: error - http_5xx: HTTP 503, \"busy\"\n"
            "#cursor                    198,441 videos | growth: +15.2% | 7,000,000 views | "
            "growth: -2.5%\n"
            "#llm                       892,441 videos | growth: no prior data | 5,000,000 views | "
            "growth: no prior data\n"
            "#openai: no data\n"
            "\n"
            "Trending hashtags (video growth over 1d above 3%):\n"
            "  #cursor (tiktok): +15.2% new videos\n"
            "  #aitools (tiktok): +3.2% new videos\n");
}

TEST(Report, CsvHasAHeaderAndOneRecordPerHashtagWithEmptyFieldsForWhatIsAbsent) {
  ReportOptions options{"1d", std::nullopt, kDay, ReportFormat::csv};
  EXPECT_EQ(format_report(tutorial_state(), options),
            "source,hashtag,timestamp,video_count,view_count,videos_growth_percent,"
            "views_growth_percent,threshold_percent,trending,error\n"
            "tiktok,aitools,2026-05-22T00:00:00Z,1247832,98765432,3.2,0.33,5,false,\n"
            "tiktok,claude,2026-05-22T00:00:00Z,341209,1000,12.4,,5,false,"
            "\"http_5xx: HTTP 503, \"\"busy\"\"\"\n"
            "tiktok,cursor,2026-05-22T00:00:00Z,198441,7000000,15.2,-2.5,5,true,\n"
            "tiktok,llm,2026-05-22T00:00:00Z,892441,5000000,,,5,false,\n"
            "tiktok,openai,,,,,,5,false,\n");
}

TEST(Report, JsonIsOneObjectWithNumbersAsNumbersAndAbsentValuesAsNull) {
  ReportOptions options{"7d", 10.0, kDay, ReportFormat::json};
  const auto text = format_report(tutorial_state(), options);
  ASSERT_EQ(text.back(), '\n');
  const auto report = nlohmann::json::parse(text);
  EXPECT_EQ(report["date"], "2026-05-22");
  EXPECT_EQ(report["window"], "7d");
  EXPECT_EQ(report["threshold_percent"], 10.0);
  ASSERT_EQ(report["hashtags"].size(), 5u);
  const auto& aitools = report["hashtags"][0];
  EXPECT_EQ(aitools["source"], "tiktok");
  EXPECT_EQ(aitools["hashtag"], "aitools");
  EXPECT_EQ(aitools["timestamp"], "2026-05-22T00:00:00Z");
  EXPECT_TRUE(aitools["video_count"].is_number_integer());
  EXPECT_EQ(aitools["video_count"], 1247832);
  EXPECT_EQ(aitools["view_count"], 98765432);
  EXPECT_EQ(aitools["videos_growth_percent"], 20.0);
  EXPECT_TRUE(aitools["views_growth_percent"].is_null());  // no 7d reference for views
  EXPECT_EQ(aitools["threshold_percent"], 10.0);
  EXPECT_EQ(aitools["trending"], true);
  EXPECT_TRUE(aitools["error"].is_null());
  const auto& claude = report["hashtags"][1];
  EXPECT_EQ(claude["error"], "http_5xx: HTTP 503, \"busy\"");
  EXPECT_EQ(claude["trending"], false);
  const auto& openai = report["hashtags"][4];
  for (const auto* absent : {"timestamp", "video_count", "view_count", "videos_growth_percent"}) {
    EXPECT_TRUE(openai[absent].is_null()) << absent;
  }
}

TEST(Report, MachineFormatsRoundGrowthToHundredths) {
  auto state = tutorial_state();
  state.hashtags[0].videos_growth_percent["1d"] = (1120.0 - 1000.0) / 1000.0 * 100;
  const auto report =
      nlohmann::json::parse(format_report(state, {"1d", std::nullopt, kDay, ReportFormat::json}));
  EXPECT_EQ(report["hashtags"][0]["videos_growth_percent"].dump(), "12.0");
  EXPECT_EQ(report["hashtags"][0]["views_growth_percent"].dump(), "0.33");
}

TEST(Report, FormatsAreNamedAsTheCommandLineNamesThem) {
  EXPECT_EQ(parse_report_format("table"), ReportFormat::table);
  EXPECT_EQ(parse_report_format("csv"), ReportFormat::csv);
  EXPECT_EQ(parse_report_format("json"), ReportFormat::json);
  EXPECT_EQ(parse_report_format("yaml"), std::nullopt);
  EXPECT_EQ(parse_report_format("CSV"), std::nullopt);
}

}  // namespace
}  // namespace hashtag_exporter
