#include <hashtag_exporter/reload_rules.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Optional;

Config running_config() {
  Config config;
  config.storage_path = "/var/lib/hashtag_exporter/history.db";
  config.retention = 400 * 24h;
  config.growth_windows = {{"1d", 24h}, {"7d", 7 * 24h}};
  SourceConfig source;
  source.name = "tiktok";
  source.plugin = "tiktok";
  source.hashtags = {"aitools", "llm"};
  config.sources = {source};
  return config;
}

TEST(ReloadRules, TheSameConfigIsAccepted) {
  EXPECT_EQ(reload_refusal(running_config(), running_config()), std::nullopt);
}

TEST(ReloadRules, SourcesHashtagsSettingsThresholdsAndBudgetsMayChange) {
  auto next = running_config();
  next.sources[0].hashtags.push_back("claude");
  next.sources[0].interval = 1h;
  next.sources[0].max_credits_per_day = 100;
  next.sources[0].settings_json = R"({"timeout": "5s"})";
  next.sources[0].alert_threshold_percent["llm"] = 15;
  next.alert_threshold_percent = 8;
  next.plugin_path = {"/opt/plugins"};
  SourceConfig demo;
  demo.name = "demo";
  demo.plugin = "demo";
  next.sources.push_back(demo);
  EXPECT_EQ(reload_refusal(running_config(), next), std::nullopt);
  next.sources.clear();
  EXPECT_EQ(reload_refusal(running_config(), next), std::nullopt);
}

TEST(ReloadRules, TheStoragePathCannotChange) {
  auto next = running_config();
  next.storage_path = "/srv/history.db";
  EXPECT_THAT(reload_refusal(running_config(), next), Optional(HasSubstr("storage.path")));
}

TEST(ReloadRules, TheRetentionCannotChange) {
  auto next = running_config();
  next.retention = 30 * 24h;
  EXPECT_THAT(reload_refusal(running_config(), next), Optional(HasSubstr("storage.retention")));
  next.retention = 0s;  // keep everything
  EXPECT_THAT(reload_refusal(running_config(), next), Optional(HasSubstr("storage.retention")));
}

TEST(ReloadRules, TheGrowthWindowsCannotChange) {
  const auto refused = [](std::vector<GrowthWindow> windows) {
    auto next = running_config();
    next.growth_windows = std::move(windows);
    return reload_refusal(running_config(), next);
  };
  EXPECT_THAT(refused({{"1d", 24h}}), Optional(HasSubstr("growth.windows")));
  EXPECT_THAT(refused({{"1d", 24h}, {"7d", 7 * 24h}, {"30d", 30 * 24h}}),
              Optional(HasSubstr("growth.windows")));
  EXPECT_THAT(refused({{"1d", 24h}, {"14d", 14 * 24h}}), Optional(HasSubstr("growth.windows")));
  EXPECT_THAT(refused({{"7d", 7 * 24h}, {"1d", 24h}}), Optional(HasSubstr("growth.windows")));
}

}  // namespace
}  // namespace hashtag_exporter
