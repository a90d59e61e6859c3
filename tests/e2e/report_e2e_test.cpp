// `report --format table|csv|json` of the real binary over an imported history.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <ctime>

#include <hashtag_exporter/time_format.hpp>

#include "exporter_process.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

using ::testing::HasSubstr;

const std::string kBinary = HX_TEST_EXPORTER_BINARY;

class ReportE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(config(),
               "storage:\n  path: history.db\nsources:\n  - name: demo\n    plugin: demo\n"
               "    hashtags: [aitools, llm]\n");
    const auto now = std::time(nullptr);
    yesterday = format_rfc3339(now - 86400 - 60);
    today = format_rfc3339(now - 60);
    write_file(dir / "history.csv", "timestamp,source,hashtag,video_count,view_count\n" +
                                        yesterday + ",demo,aitools,1000,500000\n" + today +
                                        ",demo,aitools,1120,550000\n" + today +
                                        ",demo,llm,2060,900000\n");
    const auto import = cli({"import", (dir / "history.csv").string()});
    ASSERT_EQ(import.exit_code, 0) << import.errors;
  }

  std::filesystem::path config() const { return dir / "hashtag_exporter.yml"; }

  CommandResult cli(std::vector<std::string> args) const {
    args.insert(args.begin(), kBinary);
    args.push_back("--config.file=" + config().string());
    return run_command(args);
  }

  TempDir dir;
  std::string yesterday;
  std::string today;
};

TEST_F(ReportE2E, TableIsTheDefaultWithViewsAfterTheTutorialsColumns) {
  const auto table = cli({"report"});
  EXPECT_EQ(table.exit_code, 0) << table.errors;
  EXPECT_EQ(cli({"report", "--format", "table"}).output, table.output);
  EXPECT_THAT(table.output, HasSubstr("demo Hashtag Report — "));
  EXPECT_THAT(table.output, HasSubstr("#aitools                     1,120 videos | growth: +12.0% "
                                      "| 550,000 views | growth: +10.0%\n"));
  EXPECT_THAT(table.output, HasSubstr("#llm                         2,060 videos | growth: no "
                                      "prior data | 900,000 views | growth: no prior data\n"));
  EXPECT_THAT(table.output, HasSubstr("  #aitools (demo): +12.0% new videos\n"));
}

TEST_F(ReportE2E, CsvHasAHeaderAndARecordPerHashtag) {
  const auto csv = cli({"report", "--format", "csv"});
  EXPECT_EQ(csv.exit_code, 0) << csv.errors;
  EXPECT_EQ(csv.output,
            "source,hashtag,timestamp,video_count,view_count,videos_growth_percent,"
            "views_growth_percent,threshold_percent,trending,error\n"
            "demo,aitools," +
                today +
                ",1120,550000,12,10,5,true,\n"
                "demo,llm," +
                today + ",2060,900000,,,5,false,\n");
}

TEST_F(ReportE2E, JsonIsOneObjectWithTheHashtags) {
  const auto json = cli({"report", "--format", "json", "--threshold", "20"});
  EXPECT_EQ(json.exit_code, 0) << json.errors;
  const auto report = nlohmann::json::parse(json.output);
  EXPECT_EQ(report["window"], "1d");
  EXPECT_EQ(report["threshold_percent"], 20.0);
  ASSERT_EQ(report["hashtags"].size(), 2u);
  const auto& aitools = report["hashtags"][0];
  EXPECT_EQ(aitools["hashtag"], "aitools");
  EXPECT_EQ(aitools["timestamp"], today);
  EXPECT_EQ(aitools["video_count"], 1120);
  EXPECT_EQ(aitools["view_count"], 550000);
  EXPECT_EQ(aitools["videos_growth_percent"], 12.0);
  EXPECT_EQ(aitools["views_growth_percent"], 10.0);
  EXPECT_EQ(aitools["trending"], false);
  EXPECT_TRUE(report["hashtags"][1]["videos_growth_percent"].is_null());
}

TEST_F(ReportE2E, AnUnknownFormatIsAUsageError) {
  const auto bad = cli({"report", "--format", "yaml"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.output, "");
  EXPECT_EQ(bad.errors, "hashtag_exporter: --format: yaml not in {table,csv,json} (see --help)\n");
}

}  // namespace
}  // namespace hashtag_exporter::testing
