#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/yaml_reader.hpp>

#include "fifo.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace hashtag_exporter {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using namespace std::string_literals;
using testing::TempDir;
using testing::write_file;

constexpr seconds kDay{86400};

// A config with the keys of the README's "Configuration" example, comments dropped, so that the
// tests can name its lines.
constexpr const char* kSpecExample = R"(storage:
  path: hashtag_history.db
  retention: 400d
plugin_path: [plugins]
growth:
  windows: [1d, 7d]
sources:
  - name: tiktok
    plugin: tiktok
    interval: 6h
    hashtags: [aitools, llm, chatgpt, claude, openai, cursor]
    settings:
      api_url: https://api.scavio.dev
      api_key_env: SCAVIO_API_KEY
      timeout: 15s
      max_in_flight: 1
      requests_per_minute: 5
)";

class ConfigTest : public ::testing::Test {
 protected:
  Config load(const std::string& yaml) {
    write_file(file_, yaml);
    return load_config(file_);
  }

  // The message of the ConfigError that loading `yaml` throws.
  std::string error_of(const std::string& yaml) {
    write_file(file_, yaml);
    try {
      load_config(file_);
    } catch (const ConfigError& e) {
      return e.what();
    }
    ADD_FAILURE() << "the config loaded without an error:\n" << yaml;
    return "";
  }

  // "FILE:LINE: " as every error of the file starts.
  std::string at(int line) const { return file_.string() + ":" + std::to_string(line) + ": "; }

  // A config with one source whose entry starts on line 2, so that the source's keys are on
  // lines 2, 3, ... in the order written.
  std::string one_source(const std::string& source_keys) { return "sources:\n  - " + source_keys; }

  TempDir dir_;
  std::filesystem::path file_ = dir_ / "hashtag_exporter.yml";
};

TEST_F(ConfigTest, LoadsTheSpecExampleWithEveryField) {
  const auto config = load(kSpecExample);

  EXPECT_EQ(config.file, file_);
  EXPECT_EQ(config.storage_path, dir_ / "hashtag_history.db");
  EXPECT_EQ(config.retention, 400 * kDay);
  EXPECT_EQ(config.plugin_path, std::vector<std::filesystem::path>{dir_ / "plugins"});
  ASSERT_EQ(config.growth_windows.size(), 2u);
  EXPECT_EQ(config.growth_windows[0].label, "1d");
  EXPECT_EQ(config.growth_windows[0].length, kDay);
  EXPECT_EQ(config.growth_windows[1].label, "7d");
  EXPECT_EQ(config.growth_windows[1].length, 7 * kDay);

  ASSERT_EQ(config.sources.size(), 1u);
  const auto& source = config.sources[0];
  EXPECT_EQ(source.name, "tiktok");
  EXPECT_EQ(source.plugin, "tiktok");
  EXPECT_EQ(source.interval, hours{6});
  EXPECT_EQ(source.hashtags,
            (std::vector<std::string>{"aitools", "llm", "chatgpt", "claude", "openai", "cursor"}));
  EXPECT_EQ(source.key, "sources[0]");
  EXPECT_EQ(source.location.file, file_);
  EXPECT_EQ(source.location.line, 8);
  EXPECT_EQ(nlohmann::json::parse(source.settings_json), nlohmann::json::parse(R"({
    "api_url": "https://api.scavio.dev",
    "api_key_env": "SCAVIO_API_KEY",
    "timeout": "15s",
    "max_in_flight": 1,
    "requests_per_minute": 5
  })"));
  std::map<std::string, int> setting_lines;
  for (const auto& [setting, location] : source.settings_locations) {
    EXPECT_EQ(location.file, file_);
    setting_lines[setting] = location.line;
  }
  EXPECT_EQ(setting_lines, (std::map<std::string, int>{{"api_url", 13},
                                                       {"api_key_env", 14},
                                                       {"timeout", 15},
                                                       {"max_in_flight", 16},
                                                       {"requests_per_minute", 17}}));
}

TEST_F(ConfigTest, AppliesDefaultsForEverythingButTheSources) {
  const auto config = load("sources:\n  - {name: demo, plugin: demo, hashtags: [ai]}\n");

  EXPECT_EQ(config.storage_path, dir_ / "hashtag_history.db");
  EXPECT_EQ(config.retention, 400 * kDay);
  EXPECT_TRUE(config.plugin_path.empty());
  ASSERT_EQ(config.growth_windows.size(), 2u);
  EXPECT_EQ(config.growth_windows[0].label, "1d");
  EXPECT_EQ(config.growth_windows[1].label, "7d");
  ASSERT_EQ(config.sources.size(), 1u);
  EXPECT_EQ(config.sources[0].interval, hours{6});
  EXPECT_EQ(config.sources[0].settings_json, "{}");
  EXPECT_TRUE(config.sources[0].settings_locations.empty());
}

TEST_F(ConfigTest, EmptyBlocksMeanTheDefaults) {
  const auto config = load(
      "storage:\nplugin_path:\ngrowth:\nsources:\n"
      "  - {name: demo, plugin: demo, hashtags: [ai], settings: }\n");

  EXPECT_EQ(config.storage_path, dir_ / "hashtag_history.db");
  EXPECT_TRUE(config.plugin_path.empty());
  EXPECT_EQ(config.growth_windows.size(), 2u);
  EXPECT_EQ(config.sources[0].settings_json, "{}");
}

TEST_F(ConfigTest, ResolvesRelativePathsAgainstTheConfigFolder) {
  file_ = dir_ / "etc" / "exporter" / "config.yml";
  const auto config = load(
      "storage: {path: ../data/history.db}\n"
      "plugin_path: [plugins, /opt/hashtag_exporter/plugins]\n"
      "sources: [{name: demo, plugin: demo, hashtags: [ai]}]\n");

  EXPECT_EQ(config.storage_path, dir_ / "etc" / "data" / "history.db");
  EXPECT_EQ(config.plugin_path,
            (std::vector<std::filesystem::path>{dir_ / "etc" / "exporter" / "plugins",
                                                "/opt/hashtag_exporter/plugins"}));
}

TEST_F(ConfigTest, KeepsAnAbsoluteStoragePath) {
  const auto config = load(
      "storage: {path: /var/lib/hashtag_exporter/history.db}\n"
      "sources: [{name: demo, plugin: demo, hashtags: [ai]}]\n");

  EXPECT_EQ(config.storage_path, "/var/lib/hashtag_exporter/history.db");
}

TEST_F(ConfigTest, RetentionZeroKeepsEverything) {
  const std::string sources = "sources: [{name: demo, plugin: demo, hashtags: [ai]}]\n";
  EXPECT_EQ(load("storage: {retention: 0}\n" + sources).retention, seconds{0});
  EXPECT_EQ(load("storage: {retention: 0s}\n" + sources).retention, seconds{0});
  EXPECT_EQ(load("storage: {retention: 1w12h}\n" + sources).retention, 7 * kDay + hours{12});
}

TEST_F(ConfigTest, KeepsGrowthWindowLabelsAsWritten) {
  const auto config = load(
      "growth: {windows: [12h, 1w, 90m]}\n"
      "sources: [{name: demo, plugin: demo, hashtags: [ai]}]\n");

  ASSERT_EQ(config.growth_windows.size(), 3u);
  EXPECT_EQ(config.growth_windows[0].label, "12h");
  EXPECT_EQ(config.growth_windows[0].length, hours{12});
  EXPECT_EQ(config.growth_windows[1].label, "1w");
  EXPECT_EQ(config.growth_windows[1].length, 7 * kDay);
  EXPECT_EQ(config.growth_windows[2].label, "90m");
  EXPECT_EQ(config.growth_windows[2].length, seconds{90 * 60});
}

TEST_F(ConfigTest, NormalisesHashtagsInConfigOrder) {
  const auto config =
      load(one_source("name: demo\n    plugin: demo\n    interval: 1m30s\n"
                      "    hashtags: ['#AITools', LLM, '#日本', ' #Claude ']\n"));

  EXPECT_EQ(config.sources[0].hashtags,
            (std::vector<std::string>{"aitools", "llm", "日本", "claude"}));
  EXPECT_EQ(config.sources[0].interval, seconds{90});
}

TEST_F(ConfigTest, SettingsBecomeJsonWithYamlScalarTypes) {
  const auto config = load(one_source(R"(name: demo
    plugin: demo
    hashtags: [ai]
    settings:
      integer: 42
      negative: -7
      plus: +3
      float: 1.5
      exponent: 2e3
      yes: true
      no: False
      nothing: null
      tilde: ~
      empty:
      quoted_number: "42"
      quoted_bool: 'true'
      quoted_null: "null"
      tagged: !!str 7
      duration: 15s
      url: https://example.com:8443/x
      huge: 123456789012345678901234567890
      block: |
        two
        lines
      list: [1, two, 3.0, false]
      nested: {a: {b: [x]}}
)"));

  EXPECT_EQ(nlohmann::json::parse(config.sources[0].settings_json), nlohmann::json::parse(R"({
    "integer": 42, "negative": -7, "plus": 3, "float": 1.5, "exponent": 2000.0,
    "yes": true, "no": false, "nothing": null, "tilde": null, "empty": null,
    "quoted_number": "42", "quoted_bool": "true", "quoted_null": "null", "tagged": "7",
    "duration": "15s", "url": "https://example.com:8443/x", "huge": 1.2345678901234568e29,
    "block": "two\nlines\n", "list": [1, "two", 3.0, false], "nested": {"a": {"b": ["x"]}}
  })"));
  EXPECT_TRUE(
      nlohmann::json::parse(config.sources[0].settings_json)["integer"].is_number_integer());
  EXPECT_EQ(config.sources[0].settings_locations.at("integer").line, 6);
  EXPECT_EQ(config.sources[0].settings_locations.at("nested").line, 27);
}

TEST_F(ConfigTest, RejectsUnknownTopLevelKeys) {
  EXPECT_EQ(error_of("storage: {}\nsource:\n  - name: demo\n"),
            at(2) + "source: unknown key, expected one of storage, plugin_path, growth, sources");
}

TEST_F(ConfigTest, RejectsUnknownKeysInsideBlocks) {
  EXPECT_EQ(error_of("storage:\n  retention: 1d\n  pth: x.db\n"),
            at(3) + "storage.pth: unknown key, expected one of path, retention");
  EXPECT_EQ(error_of("growth: {window: [1d]}\n"),
            at(1) + "growth.window: unknown key, expected one of windows, alert_threshold_percent");
}

TEST_F(ConfigTest, RejectsUnknownSourceKeys) {
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n"
                                "    setings: {}\n")),
            at(5) +
                "sources[0].setings: unknown key, expected one of name, plugin, schedule, "
                "interval, min_interval, max_interval, hashtags, max_credits_per_day, "
                "alert_threshold_percent, hashtag_alert_thresholds, "
                "settings");
}

TEST_F(ConfigTest, RejectsKeysWrittenTwice) {
  EXPECT_EQ(error_of("storage: {path: a.db}\nstorage: {path: b.db}\n"),
            at(2) + "storage: duplicate key, first at line 1");
}

TEST_F(ConfigTest, RejectsWrongTypes) {
  EXPECT_EQ(
      error_of("- sources\n"),
      at(1) + "expected a mapping with keys storage, plugin_path, growth, sources, got a list");
  EXPECT_EQ(
      error_of("# hashtag_exporter\n\n- sources\n"),
      at(3) + "expected a mapping with keys storage, plugin_path, growth, sources, got a list");
  EXPECT_EQ(error_of("storage: [x.db]\n"),
            at(1) + "storage: expected a mapping with keys path, retention, got a list");
  EXPECT_EQ(error_of("storage: {path: {file: x.db}}\n"),
            at(1) + "storage.path: expected a file path such as hashtag_history.db, got a mapping");
  EXPECT_EQ(error_of("plugin_path: plugins\n"),
            at(1) + "plugin_path: expected a list of folders such as [plugins], got \"plugins\"");
  EXPECT_EQ(error_of("sources:\n  - demo\n"),
            at(2) +
                "sources[0]: expected a mapping with keys name, plugin, schedule, interval, "
                "min_interval, max_interval, hashtags, "
                "max_credits_per_day, alert_threshold_percent, hashtag_alert_thresholds, settings, "
                "got \"demo\"");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: [demo]\n")),
            at(3) + "sources[0].plugin: expected a plugin name such as tiktok, got a list");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: aitools\n")),
            at(4) +
                "sources[0].hashtags: expected a list of hashtags such as [aitools, llm], got "
                "\"aitools\"");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [[ai]]\n")),
            at(4) + "sources[0].hashtags[0]: expected a hashtag such as aitools, got a list");
}

TEST_F(ConfigTest, RejectsBadDurations) {
  EXPECT_EQ(
      error_of(one_source("name: demo\n    plugin: demo\n    interval: 6x\n")),
      at(4) + "sources[0].interval: expected a duration of at least 1s such as 6h, got \"6x\"");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    interval: 500ms\n")),
            at(4) +
                "sources[0].interval: expected a duration of at least 1s such as 6h, got "
                "\"500ms\"");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    interval: 3600\n")),
            at(4) +
                "sources[0].interval: expected a duration of at least 1s such as 6h, got "
                "\"3600\"");
  EXPECT_EQ(error_of("growth:\n  windows:\n    - 1d\n    - 0\n"),
            at(4) + "growth.windows[1]: expected a positive duration such as 1d, got \"0\"");
  EXPECT_EQ(error_of("growth:\n  windows: [1d, 24h]\n"),
            at(2) + "growth.windows[1]: duplicate window, the same as growth.windows[0] (line 2)");
}

TEST_F(ConfigTest, RejectsBadRetention) {
  EXPECT_EQ(error_of("storage:\n  retention: forever\n"),
            at(2) +
                "storage.retention: expected a duration such as 400d, or 0 to keep "
                "everything, got \"forever\"");
  EXPECT_EQ(error_of("storage:\n  retention: -1d\n"),
            at(2) +
                "storage.retention: expected a duration such as 400d, or 0 to keep "
                "everything, got \"-1d\"");
}

TEST_F(ConfigTest, RejectsDuplicateSourceNames) {
  EXPECT_EQ(error_of("sources:\n"
                     "  - {name: tiktok, plugin: tiktok, hashtags: [ai]}\n"
                     "  - name: tiktok\n"
                     "    plugin: demo\n"),
            at(3) +
                "sources[1].name: duplicate source name \"tiktok\", the same as sources[0] "
                "(line 2)");
}

TEST_F(ConfigTest, RejectsSourceNamesThatAreNotLabelFriendly) {
  EXPECT_EQ(error_of(one_source("name: tik tok\n")),
            at(2) +
                "sources[0].name: expected a name of letters, digits, '_' and '-' such as "
                "tiktok, got \"tik tok\"");
}

TEST_F(ConfigTest, RejectsMissingSourceKeys) {
  EXPECT_EQ(error_of(one_source("name: demo\n    hashtags: [ai]\n")),
            at(2) + "sources[0].plugin: missing, expected a plugin name such as tiktok");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n")),
            at(2) +
                "sources[0].hashtags: missing, expected a list of hashtags such as "
                "[aitools, llm]");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: []\n")),
            at(4) +
                "sources[0].hashtags: expected a non-empty list of hashtags such as "
                "[aitools], got an empty list");
}

TEST_F(ConfigTest, RejectsAHashtagThatIsEmptyWithoutItsHash) {
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n"
                                "    hashtags:\n      - ai\n      - '#'\n")),
            at(6) + "sources[0].hashtags[1]: hashtag is empty without its '#', got \"#\"");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: ['']\n")),
            at(4) + "sources[0].hashtags[0]: hashtag is empty without its '#', got \"\"");
}

TEST_F(ConfigTest, RejectsAHashtagWithWhitespace) {
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n"
                                "    hashtags:\n      - ai\n      - ai tools\n")),
            at(6) + "sources[0].hashtags[1]: hashtag contains whitespace, got \"ai tools\"");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [\"ai\\ttools\"]\n")),
            at(4) + "sources[0].hashtags[0]: hashtag contains whitespace, got \"ai\\ttools\"");
}

TEST_F(ConfigTest, RejectsHashtagsThatNormaliseToTheSameTag) {
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags:\n"
                                "      - '#AITools'\n      - llm\n      - aitools\n")),
            at(7) +
                "sources[0].hashtags[2]: \"aitools\" is the same hashtag as \"#AITools\" "
                "(sources[0].hashtags[0], line 5)");
}

TEST_F(ConfigTest, RequiresAtLeastOneSource) {
  EXPECT_EQ(error_of("storage:\n  path: x.db\n"),
            at(1) + "sources: missing, expected a list of at least one source");
  EXPECT_EQ(error_of(""), at(1) + "sources: missing, expected a list of at least one source");
  EXPECT_EQ(error_of("storage:\n  path: x.db\nsources: []\n"),
            at(3) + "sources: expected a list of at least one source, got an empty list");
  EXPECT_EQ(error_of("sources:\n"),
            at(1) + "sources: expected a list of at least one source, got nothing");
}

TEST_F(ConfigTest, RejectsSettingsThatAreNotAMapping) {
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n"
                                "    settings: [api_url]\n")),
            at(5) + "sources[0].settings: expected a mapping of plugin settings, got a list");
}

TEST_F(ConfigTest, RejectsSettingsWrittenTwice) {
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n"
                                "    settings:\n      timeout: 1s\n      timeout: 2s\n")),
            at(7) + "sources[0].settings.timeout: duplicate key, first at line 6");
}

TEST_F(ConfigTest, SettingsErrorsPointAtTheLineOfTheSetting) {
  const auto config = load(kSpecExample);
  const auto& source = config.sources[0];

  EXPECT_EQ(std::string(source.settings_error("timeout", "expected a duration").what()),
            at(15) + "sources[0].settings.timeout: expected a duration");
  // A setting that was not written (a required one) is reported at the source.
  EXPECT_EQ(std::string(source.settings_error("api_key", "missing").what()),
            at(8) + "sources[0].settings.api_key: missing");
  EXPECT_EQ(std::string(source.settings_error("", "settings must be a mapping").what()),
            at(8) + "sources[0].settings: settings must be a mapping");
}

TEST_F(ConfigTest, RejectsMoreThanOneDocument) {
  EXPECT_EQ(error_of("sources: []\n---\nsources: []\n"),
            at(2) + "expected one YAML document, found a second one here");
}

// yaml-cpp's own LoadAll never returns on these: its parser keeps starting documents in place.
TEST_F(ConfigTest, ReportsInputThatYamlCppCannotGetPast) {
  EXPECT_EQ(error_of(","), at(1) + "cannot parse YAML at \",\"");
  EXPECT_EQ(error_of("sources: []\n---\n,\n"),
            at(2) + "expected one YAML document, found a second one here");
}

TEST_F(ConfigTest, RejectsAHashtagThatIsNotUtf8) {
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [ai\xff]\n")),
            at(4) + "sources[0].hashtags[0]: hashtag is not valid UTF-8, got \"ai\xEF\xBF\xBD\"");
}

TEST_F(ConfigTest, ReportsAMissingFile) {
  file_ = dir_ / "missing.yml";
  try {
    load_config(file_);
    FAIL() << "loaded a missing file";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), file_.string() + ": cannot read: No such file or directory");
  }
}

TEST_F(ConfigTest, ReportsAFolderThatCannotBeRead) {
  try {
    load_config(dir_.path());
    FAIL() << "loaded a folder";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), dir_.path().string() + ": cannot read: is a directory");
  }
}

// The message loading `file` fails with.
std::string load_error(const std::filesystem::path& file) {
  try {
    load_config(file);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "loaded";
}

TEST_F(ConfigTest, RefusesADeviceRatherThanReadingItForever) {
  EXPECT_EQ(load_error("/dev/zero"),
            "/dev/zero: cannot read: is a character device, not a regular file");
}

TEST_F(ConfigTest, RefusesAFifoRatherThanWaitingForAWriter) {
  const testing::Fifo fifo(dir_ / "config.yml");
  std::string error;
  EXPECT_TRUE(fifo.returns_in_time([&] { error = load_error(fifo.path()); }));
  EXPECT_EQ(error, fifo.path().string() + ": cannot read: is a FIFO, not a regular file");
}

TEST_F(ConfigTest, RefusesAFileLargerThanTheBound) {
  // A valid config padded with a comment to one byte past the bound.
  auto yaml = one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n") + "# ";
  yaml.resize(yaml::kMaxFileBytes, 'x');
  yaml += '\n';
  EXPECT_EQ(error_of(yaml), file_.string() + ": cannot read: is larger than " +
                                std::to_string(yaml::kMaxFileBytes) + " bytes");
  yaml.pop_back();
  yaml.back() = '\n';
  EXPECT_NO_THROW(load(yaml));
}

TEST(ConfigErrorTest, FormatsFileLineKeyAndMessage) {
  EXPECT_STREQ(ConfigError({"a.yml", 3}, "sources[0].name", "expected a name").what(),
               "a.yml:3: sources[0].name: expected a name");
  EXPECT_STREQ(ConfigError({"a.yml", 3}, "", "bad indentation").what(), "a.yml:3: bad indentation");
  EXPECT_STREQ(ConfigError({"a.yml", 0}, "", "cannot read: Permission denied").what(),
               "a.yml: cannot read: Permission denied");
}

std::string threshold_config(const std::string& growth, const std::string& source_extra) {
  return "growth:\n" + growth +
         "sources:\n"
         "  - name: tiktok\n"
         "    plugin: tiktok\n"
         "    hashtags: [aitools, '#LLM', claude]\n" +
         source_extra;
}

TEST_F(ConfigTest, AlertThresholdDefaultsToFivePercent) {
  const auto config = load(threshold_config("  windows: [1d]\n", ""));
  EXPECT_EQ(config.alert_threshold_percent, 5);
  EXPECT_EQ(config.sources[0].alert_threshold_percent,
            (std::map<std::string, double>{{"aitools", 5}, {"claude", 5}, {"llm", 5}}));
}

TEST_F(ConfigTest, AlertThresholdOverridesApplySourceThenHashtag) {
  const auto config =
      load(threshold_config("  alert_threshold_percent: 4\n",
                            "    alert_threshold_percent: 7.5\n"
                            "    hashtag_alert_thresholds: {'#LLM': 20, claude: 2}\n"));
  EXPECT_EQ(config.alert_threshold_percent, 4);
  EXPECT_EQ(config.sources[0].alert_threshold_percent,
            (std::map<std::string, double>{{"aitools", 7.5}, {"claude", 2}, {"llm", 20}}));
}

TEST_F(ConfigTest, AlertThresholdForAnUnknownHashtagIsAnError) {
  EXPECT_EQ(error_of(threshold_config("  windows: [1d]\n",
                                      "    hashtag_alert_thresholds:\n      cursor: 9\n")),
            file_.string() +
                ":8: sources[0].hashtag_alert_thresholds.cursor: \"cursor\" is not one of the "
                "source's hashtags");
}

TEST_F(ConfigTest, AlertThresholdMustBeANumber) {
  EXPECT_EQ(error_of(threshold_config("  alert_threshold_percent: high\n", "")),
            file_.string() +
                ":2: growth.alert_threshold_percent: expected a number of percent such as 5, got "
                "\"high\"");
}

// --- input bounds (README, "Input bounds") ---

TEST_F(ConfigTest, IntervalIsAtMostSevenDays) {
  EXPECT_EQ(load(one_source("name: demo\n    plugin: demo\n    interval: 7d\n"
                            "    hashtags: [ai]\n"))
                .sources[0]
                .interval,
            kMaxInterval);
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    interval: 7d1s\n")),
            at(4) + "sources[0].interval: expected at most 7d, got \"7d1s\"");
  // Centuries used to pass and then overflow the scheduler's time arithmetic.
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    interval: 500y\n")),
            at(4) + "sources[0].interval: expected at most 7d, got \"500y\"");
}

TEST_F(ConfigTest, DurationsTooLargeToCountAreErrors) {
  EXPECT_EQ(error_of("storage:\n  retention: 999999999999y\n"),
            at(2) +
                "storage.retention: expected a duration such as 400d, or 0 to keep "
                "everything, got \"999999999999y\"");
  EXPECT_EQ(error_of("growth:\n  windows: [999999999999w999999999999w999999999999w]\n"),
            at(2) +
                "growth.windows[0]: expected a positive duration such as 1d, got "
                "\"999999999999w999999999999w999999999999w\"");
}

// Thirty levels of anchors, each a list of two aliases of the one before: 2^30 leaves once
// written out, from a file of under a kilobyte.
std::string alias_bomb(const std::string& indent) {
  std::string text = indent + "l0: &l0 [lol, lol]\n";
  for (int level = 1; level < 30; ++level) {
    const auto previous = "*l" + std::to_string(level - 1);
    text += indent + "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [" +
            previous + ", " + previous + "]\n";
  }
  return text;
}

TEST_F(ConfigTest, RejectsAliasesThatExpandWithoutLimitInSettings) {
  const auto yaml =
      one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n    settings:\n") +
      alias_bomb("      ");
  ASSERT_LT(yaml.size(), 1024u);
  // l0 is on line 6; the second alias of l17 takes the aliases past one million nodes.
  EXPECT_EQ(error_of(yaml), at(23) +
                                "sources[0].settings.l17[1]: YAML aliases expand the file past "
                                "1000000 nodes; write the values out or share fewer of them");
}

// The check is on the whole file before any key is read, so no reader expands aliases anywhere.
TEST_F(ConfigTest, RejectsAliasesThatExpandWithoutLimitAnywhere) {
  const auto yaml = "unknown:\n" + alias_bomb("  ");
  EXPECT_EQ(error_of(yaml), at(19) +
                                "unknown.l17[1]: YAML aliases expand the file past 1000000 "
                                "nodes; write the values out or share fewer of them");
}

TEST_F(ConfigTest, RejectsAliasesThatRepeatLongTextWithoutLimit) {
  std::string yaml = "unknown:\n  text: &t " + std::string(1000, 'x') + "\n  l0: &l0 [*t, *t]\n";
  for (int level = 1; level < 20; ++level) {
    const auto previous = "*l" + std::to_string(level - 1);
    yaml += "  l" + std::to_string(level) + ": &l" + std::to_string(level) + " [" + previous +
            ", " + previous + "]\n";
  }
  EXPECT_EQ(error_of(yaml), at(16) +
                                "unknown.l13[0]: YAML aliases expand the file past 16777216 "
                                "bytes of text; write the values out or share fewer of them");
}

TEST_F(ConfigTest, KeepsAliasesWithinTheBound) {
  const auto config = load(
      "sources:\n"
      "  - {name: a, plugin: demo, hashtags: &tags [ai, llm], settings: &s {x: [1, 2]}}\n"
      "  - {name: b, plugin: demo, hashtags: *tags, settings: *s}\n");
  EXPECT_EQ(config.sources[1].hashtags, (std::vector<std::string>{"ai", "llm"}));
  EXPECT_EQ(config.sources[1].settings_json, R"({"x":[1,2]})");
}

TEST_F(ConfigTest, RejectsAnAliasInsideItsOwnAnchor) {
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n"
                                "    settings: &s\n      again: *s\n")),
            at(6) +
                "sources[0].settings.again: an alias inside the value of its own anchor "
                "would repeat it endlessly");
}

TEST_F(ConfigTest, RejectsDeepNestingWithTheKey) {
  // yaml-cpp alone says "bad file" at a depth of 500.
  EXPECT_EQ(
      error_of("sources: " + std::string(1000, '[') + std::string(1000, ']') + "\n"),
      at(1) + "sources" +
          [] {
            std::string key;
            for (int level = 1; level < yaml::kMaxDepth; ++level) key += "[0]";
            return key;
          }() +
          ": nested more than 64 levels deep");
  std::string deep = "sources:\n";
  for (int level = 0; level < 100; ++level) {
    deep += std::string(2 * level + 2, ' ') + "k" + std::to_string(level) + ":\n";
  }
  const auto error = error_of(deep);
  EXPECT_TRUE(error.starts_with(at(65) + "sources.k0.k1.k2.")) << error;
  EXPECT_TRUE(error.ends_with(".k62: nested more than 64 levels deep")) << error;
}

TEST_F(ConfigTest, RejectsANulByteWithTheKey) {
  EXPECT_EQ(error_of("sources:\n  - name: demo\n    plugin: de\0mo\n"s),
            at(3) + "sources[0].plugin: contains a NUL byte; a config file is text");
  EXPECT_EQ(error_of("sources:\n  - name: demo\n\0   plugin: demo\n"s),
            at(3) + "sources[0]: contains a NUL byte; a config file is text");
}

TEST_F(ConfigTest, NamesTheKeyOfATabInIndentation) {
  EXPECT_EQ(error_of("sources:\n  - name: demo\n\tplugin: demo\n"),
            at(3) + "sources[0]: illegal tab when looking for indentation");
}

TEST_F(ConfigTest, ReportsYamlSyntaxErrorsWithTheirKey) {
  EXPECT_EQ(error_of("storage:\n  path: x.db\nsources: [{name: demo\n"),
            at(4) + "sources[0]: end of map flow not found");
}

TEST_F(ConfigTest, RejectsAlertThresholdsThatNormaliseToTheSameHashtag) {
  EXPECT_EQ(error_of(threshold_config("  windows: [1d]\n",
                                      "    hashtag_alert_thresholds:\n"
                                      "      '#LLM': 20\n"
                                      "      llm: 2\n")),
            at(9) +
                "sources[0].hashtag_alert_thresholds.llm: \"llm\" is the same hashtag as "
                "\"#LLM\" (line 8)");
}

TEST_F(ConfigTest, RejectsHashtagsThatDifferOnlyInUnicodeCase) {
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [ÉTÉ, été]\n")),
            at(4) +
                "sources[0].hashtags[1]: \"été\" is the same hashtag as \"ÉTÉ\" "
                "(sources[0].hashtags[0], line 4)");
}

TEST_F(ConfigTest, BoundsTheLengthOfAHashtag) {
  const std::string longest(kMaxHashtagCharacters, 'a');
  EXPECT_EQ(load(one_source("name: demo\n    plugin: demo\n    hashtags: [" + longest + "]\n"))
                .sources[0]
                .hashtags[0],
            longest);
  EXPECT_EQ(
      error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [" + longest + "b]\n")),
      at(4) + "sources[0].hashtags[0]: hashtag is longer than 100 characters, got \"" + longest +
          "b\"");
}

// "t0, t1, ..." for hashtags first..last-1.
std::string numbered_hashtags(std::size_t first, std::size_t last) {
  std::string list;
  for (auto i = first; i < last; ++i) list += (i > first ? ", t" : "t") + std::to_string(i);
  return list;
}

TEST_F(ConfigTest, BoundsTheNumberOfHashtagsInTheConfig) {
  const auto half = kMaxHashtags / 2;
  const std::string yaml = "sources:\n  - {name: a, plugin: demo, hashtags: [" +
                           numbered_hashtags(0, half) +
                           "]}\n  - {name: b, plugin: demo, hashtags: [" +
                           numbered_hashtags(half, kMaxHashtags + 1) + "]}\n";
  EXPECT_EQ(error_of(yaml), at(3) + "sources[1].hashtags[" + std::to_string(kMaxHashtags - half) +
                                "]: more than 100000 hashtags in the config");
}

// Duplicates used to be found by comparing every pair: hours for a config of this size.
TEST_F(ConfigTest, ChecksTheLargestConfigWithoutComparingEveryPair) {
  std::string thresholds;
  for (std::size_t i = 0; i < kMaxHashtags; ++i) {
    thresholds += (i > 0 ? ", t" : "t") + std::to_string(i) + ": 3";
  }
  const auto config = load("sources:\n  - {name: a, plugin: demo, hashtags: [" +
                           numbered_hashtags(0, kMaxHashtags) + "], hashtag_alert_thresholds: {" +
                           thresholds + "}}\n");
  EXPECT_EQ(config.sources[0].hashtags.size(), kMaxHashtags);
  EXPECT_EQ(config.sources[0].alert_threshold_percent.at("t99999"), 3);
  EXPECT_EQ(error_of("sources:\n  - {name: a, plugin: demo, hashtags: [" +
                     numbered_hashtags(0, kMaxHashtags - 1) + ", T0]}\n"),
            at(2) +
                "sources[0].hashtags[99999]: \"T0\" is the same hashtag as \"t0\" "
                "(sources[0].hashtags[0], line 2)");
}

}  // namespace
}  // namespace hashtag_exporter

namespace hashtag_exporter {
namespace {

class AdaptiveScheduleConfigTest : public ConfigTest {};

TEST_F(AdaptiveScheduleConfigTest, FixedIsTheDefault) {
  const auto config = load(one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n"));
  EXPECT_EQ(config.sources[0].schedule, ScheduleKind::fixed);
  EXPECT_EQ(config.sources[0].watched_window.label, "1d");
}

TEST_F(AdaptiveScheduleConfigTest, ReadsTheBoundsAndTheBudget) {
  const auto config = load(
      "growth: {windows: [12h, 7d]}\n" +
      one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n    schedule: adaptive\n"
                 "    min_interval: 10m\n    max_interval: 6h\n    max_credits_per_day: 2000\n"));
  const auto& source = config.sources[0];
  EXPECT_EQ(source.schedule, ScheduleKind::adaptive);
  EXPECT_EQ(source.poll_bounds.min_interval, std::chrono::minutes(10));
  EXPECT_EQ(source.poll_bounds.max_interval, std::chrono::hours(6));
  EXPECT_EQ(source.max_credits_per_day, 2000u);
  EXPECT_EQ(source.watched_window.label, "12h");  // the first growth window
}

TEST_F(AdaptiveScheduleConfigTest, DefaultBoundsAreFifteenMinutesAndTwelveHours) {
  const auto config = load(
      one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n    schedule: adaptive\n"));
  EXPECT_EQ(config.sources[0].poll_bounds.min_interval, std::chrono::minutes(15));
  EXPECT_EQ(config.sources[0].poll_bounds.max_interval, std::chrono::hours(12));
}

TEST_F(AdaptiveScheduleConfigTest, ErrorsNameTheKey) {
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n"
                                "    schedule: sometimes\n")),
            at(5) + "sources[0].schedule: expected fixed or adaptive, got \"sometimes\"");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n"
                                "    min_interval: 1m\n")),
            at(5) + "sources[0].min_interval: only used with schedule: adaptive");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n"
                                "    schedule: adaptive\n    interval: 1h\n")),
            at(6) +
                "sources[0].interval: not used with schedule: adaptive, which polls each hashtag "
                "between min_interval and max_interval");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n"
                                "    schedule: adaptive\n    min_interval: 2h\n"
                                "    max_interval: 1h\n")),
            at(7) + "sources[0].max_interval: max_interval must be at least min_interval (7200s)");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n"
                                "    schedule: adaptive\n    min_interval: 13h\n")),
            at(6) + "sources[0].min_interval: max_interval must be at least min_interval (46800s)");
  EXPECT_EQ(error_of(one_source("name: demo\n    plugin: demo\n    hashtags: [ai]\n"
                                "    schedule: adaptive\n    max_interval: 8d\n")),
            at(6) + "sources[0].max_interval: expected at most 7d, got \"8d\"");
}

}  // namespace
}  // namespace hashtag_exporter
