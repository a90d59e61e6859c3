#include <hashtag_exporter/setup.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kPlugins = HX_TEST_PLUGIN_DIR;
const std::filesystem::path kBrokenPlugins = HX_TEST_TEST_PLUGIN_DIR;

std::string demo_config(const std::string& settings) {
  return "storage:\n"
         "  path: history.db\n"
         "sources:\n"
         "  - name: demo\n"
         "    plugin: demo\n"
         "    interval: 1s\n"
         "    hashtags: [aitools, '#LLM']\n"
         "    settings:\n" +
         settings;
}

std::string prepare_error(const std::filesystem::path& file,
                          const std::vector<std::filesystem::path>& plugin_path = {kPlugins}) {
  try {
    prepare(file, plugin_path);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "prepared";
}

TEST(Setup, CreatesEverySourceWithItsPlugin) {
  testing::TempDir dir;
  testing::write_file(dir / "demo.yml", demo_config("      seed: 7\n"));
  const auto setup = prepare(dir / "demo.yml", {kPlugins});
  ASSERT_EQ(setup.sources.size(), 1u);
  EXPECT_EQ(setup.sources[0]->plugin().name, "demo");
  EXPECT_EQ(setup.config.storage_path, dir / "history.db");
  const auto tracked = setup.tracked();
  EXPECT_EQ(tracked[0].config->hashtags, (std::vector<std::string>{"aitools", "llm"}));
  EXPECT_EQ(tracked[0].plugin.name, "demo");
}

TEST(Setup, DemoSourceReportsEveryHashtagDeterministicallyForASeed) {
  testing::TempDir dir;
  testing::write_file(dir / "demo.yml", demo_config("      seed: 7\n"));
  const auto setup = prepare(dir / "demo.yml", {kPlugins});
  const auto round = setup.sources[0]->collect();
  EXPECT_TRUE(round.failures.empty());
  ASSERT_EQ(round.snapshots.size(), 2u);
  EXPECT_EQ(round.snapshots[1].hashtag, "llm");
  EXPECT_EQ(round.snapshots[1].source, "demo");
  EXPECT_GT(round.snapshots[0].video_count, 0);
  EXPECT_GT(round.snapshots[0].view_count, round.snapshots[0].video_count);
  EXPECT_NE(round.snapshots[0].video_count, round.snapshots[1].video_count);
}

TEST(Setup, RejectedSettingIsReportedAtItsLine) {
  testing::TempDir dir;
  testing::write_file(dir / "demo.yml", demo_config("      seed: 7\n      sped: 3\n"));
  EXPECT_EQ(prepare_error(dir / "demo.yml"),
            (dir / "demo.yml").string() + ":10: sources[0].settings.sped: unknown setting");
}

TEST(Setup, WrongSettingTypeIsReportedAtItsLine) {
  testing::TempDir dir;
  testing::write_file(dir / "demo.yml", demo_config("      seed: lots\n"));
  EXPECT_EQ(prepare_error(dir / "demo.yml"),
            (dir / "demo.yml").string() + ":9: sources[0].settings.seed: expected an integer");
}

TEST(Setup, UnreadableSecretFileIsReportedAtItsSetting) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir / "secrets");
  testing::write_file(dir / "tiktok.yml",
                      "sources:\n"
                      "  - name: tiktok\n"
                      "    plugin: tiktok\n"
                      "    hashtags: [aitools]\n"
                      "    settings:\n"
                      "      api_url: http://127.0.0.1:9\n"
                      "      api_key_file: " +
                          (dir / "secrets").string() + "\n");
  EXPECT_EQ(prepare_error(dir / "tiktok.yml"),
            (dir / "tiktok.yml").string() +
                ":7: sources[0].settings.api_key_file: cannot read the API key file " +
                (dir / "secrets").string() + ": is a directory");
}

TEST(Setup, MissingPluginIsReportedAtTheSource) {
  testing::TempDir dir;
  auto config = demo_config("      seed: 7\n");
  config.replace(config.find("plugin: demo"), 12, "plugin: instagram");
  testing::write_file(dir / "demo.yml", config);
  const auto error = prepare_error(dir / "demo.yml");
  EXPECT_THAT(error, HasSubstr((dir / "demo.yml").string() + ":4: sources[0].plugin: no plugin "
                                                             "named \"instagram\""));
}

// A library whose loading kills the process, in a plugin folder: only a death test's child may
// meet it (in the "threadsafe" style, which re-runs the test binary: other tests start threads).
void copy_aborting_library(const std::filesystem::path& to) {
  std::filesystem::create_directories(to.parent_path());
  std::filesystem::copy_file(kBrokenPlugins / "aborts_when_loaded.so", to);
}

TEST(Setup, LoadsOnlyThePluginFilesTheSourcesName) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  testing::TempDir dir;
  testing::write_file(dir / "demo.yml", demo_config("      seed: 7\n"));
  std::filesystem::create_directories(dir / "first");
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "first" / "demo.so");
  copy_aborting_library(dir / "first" / "aborts_when_loaded.so");
  // A second demo.so later on the path is shadowed by the first, as on a shell's PATH.
  copy_aborting_library(dir / "second" / "demo.so");
  EXPECT_EXIT(
      {
        const auto setup = prepare(dir / "demo.yml", {dir / "first", dir / "second"});
        std::exit(setup.sources.size() == 1 ? 0 : 2);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(Setup, MissingPluginListsThePluginFilesWithoutLoadingThem) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  testing::TempDir dir;
  auto config = demo_config("      seed: 7\n");
  config.replace(config.find("plugin: demo"), 12, "plugin: instagram");
  testing::write_file(dir / "demo.yml", config);
  std::filesystem::create_directories(dir / "plugins");
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "plugins" / "demo.so");
  copy_aborting_library(dir / "plugins" / "aborts_when_loaded.so");
  EXPECT_EXIT(
      {
        std::cerr << prepare_error(dir / "demo.yml", {dir / "plugins"});
        std::exit(0);
      },
      // A POSIX regular expression: dots stand for the brackets and quotes.
      ::testing::ExitedWithCode(0),
      ":4: sources.0..plugin: no plugin named .instagram. .*found: aborts_when_loaded, demo");
}

TEST(Setup, FirstPluginFileOfTheNameIsUsedAndItsRejectionNamed) {
  testing::TempDir dir;
  testing::write_file(dir / "demo.yml", demo_config("      seed: 7\n"));
  std::filesystem::create_directories(dir / "first");
  std::filesystem::create_directories(dir / "second");
  std::filesystem::copy_file(kBrokenPlugins / "newer_abi.so", dir / "first" / "demo.so");
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "second" / "demo.so");
  EXPECT_EQ(prepare_error(dir / "demo.yml", {dir / "first", dir / "second"}),
            (dir / "demo.yml").string() +
                ":4: sources[0].plugin: " + (dir / "first" / "demo.so").string() +
                ": plugin ABI version " + std::to_string(HX_PLUGIN_ABI_VERSION + 1) +
                " is not supported by this host, which supports ABI version " +
                std::to_string(HX_PLUGIN_ABI_VERSION) +
                "; rebuild the plugin against this host's SDK or upgrade the host");
}

TEST(Setup, PluginFileDeclaringAnotherNameIsRejectedNamingFileAndBothNames) {
  testing::TempDir dir;
  auto config = demo_config("      seed: 7\n");
  config.replace(config.find("plugin: demo"), 12, "plugin: tiktok");
  testing::write_file(dir / "demo.yml", config);
  std::filesystem::create_directories(dir / "plugins");
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "plugins" / "tiktok.so");
  EXPECT_EQ(prepare_error(dir / "demo.yml", {dir / "plugins"}),
            (dir / "demo.yml").string() +
                ":4: sources[0].plugin: " + (dir / "plugins" / "tiktok.so").string() +
                ": the plugin in this file is named \"demo\", not \"tiktok\" (a plugin is "
                "found by its file name, <name>.so)");
}

}  // namespace
}  // namespace hashtag_exporter
