#pragma once

#include <hashtag_exporter/growth.hpp>
#include <hashtag_exporter/poll_plan.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hashtag_exporter {

// Where a value was written, for error messages.
struct ConfigLocation {
  std::filesystem::path file;
  int line = 0;  // 1-based
};

// A configuration error. what() reads "FILE:LINE: KEY: what was expected", e.g.
// "examples/demo.yml:12: sources[0].interval: expected a positive duration such as 6h, got \"6x\"".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const ConfigLocation& where, const std::string& key, const std::string& message);
};

// Input bounds (README, "Input bounds"). Each is checked where the config is read, and an error
// past it names the file, the line and the key.

// The longest interval between two collections of a source (README, "Input bounds"): a week. A
// source polled less often is not being tracked, and an interval of centuries used to pass and then
// overflow the scheduler's time arithmetic, which ran rounds back to back.
inline constexpr std::chrono::seconds kMaxInterval{7 * 86400};

// Hashtags in one config, all sources together (every shard of a sharded deployment reads the
// whole file). Each is a request per interval and a dozen series on /metrics, so a config past
// this is a mistake; the bound also keeps a --config.check of the largest config to seconds.
inline constexpr std::size_t kMaxHashtags = 100'000;

// The longest hashtag, in Unicode code points once normalised. Real hashtags are a few words;
// the bound keeps label values, history keys and request bodies small.
inline constexpr std::size_t kMaxHashtagCharacters = 100;

// `schedule:` of a source: every hashtag each `interval`, or each its own interval between
// `min_interval` and `max_interval` (PollPlan).
enum class ScheduleKind { fixed, adaptive };

struct SourceConfig {
  std::string name;
  std::string plugin;
  ScheduleKind schedule = ScheduleKind::fixed;
  std::chrono::seconds interval{6 * 3600};  // fixed
  PollBounds poll_bounds;                   // adaptive
  // The growth window adaptive polling watches: the config's first.
  GrowthWindow watched_window{"1d", std::chrono::seconds{86400}};
  // API requests (retries included) allowed per UTC day; 0: no budget.
  std::uint64_t max_credits_per_day = 0;
  std::vector<std::string> hashtags;  // normalised, in config order
  // The growth above which alerts fire, per hashtag (growth.alert_threshold_percent unless the
  // source's alert_threshold_percent or hashtag_alert_thresholds say otherwise).
  std::map<std::string, double> alert_threshold_percent;
  std::string settings_json = "{}";  // the `settings` mapping as a JSON object
  ConfigLocation location;           // of the source entry
  std::string key;                   // "sources[0]"
  std::map<std::string, ConfigLocation> settings_locations;  // settings key -> where it is

  // The error for a setting a plugin rejected, at the line of that setting when it exists.
  ConfigError settings_error(const std::string& setting, const std::string& message) const;
};

struct Config {
  std::filesystem::path file;
  std::filesystem::path storage_path;              // resolved against the config file's folder
  std::chrono::seconds retention{400 * 86400};     // 0: keep everything
  std::vector<std::filesystem::path> plugin_path;  // resolved; empty when not configured
  std::vector<GrowthWindow> growth_windows;        // default [1d, 7d]
  double alert_threshold_percent = 5;              // growth.alert_threshold_percent
  std::vector<SourceConfig> sources;
};

// Loads and validates a config file. Unknown keys, wrong types, bad durations, duplicate source
// names and hashtags that normalise to nothing or to the same tag are errors (ConfigError).
Config load_config(const std::filesystem::path& file);

// Trims spaces, drops one leading '#', folds case and composes accents: the Unicode full case
// folding of the decomposed text, recomposed (NFC), so "ÉTÉ", "été" and "e\u0301te\u0301" are
// one hashtag and "Straße" is "strasse". ASCII only loses its capitals. Returns an empty string
// for an invalid hashtag: empty, holding whitespace or control characters, not valid UTF-8, or
// longer than kMaxHashtagCharacters once folded.
std::string normalise_hashtag(std::string_view raw);

// Whether `name` may name a source (the `source` label): letters, digits, '_' and '-', not
// starting with a digit or '-'. Config and import check names with it.
bool is_source_name(const std::string& name);
// Why normalise_hashtag rejects `raw`, e.g. "hashtag contains whitespace"; empty when it does not.
std::string hashtag_problem(std::string_view raw);

// Whether `text` is valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF),
// as label values of the exposition format must be.
bool is_utf8(std::string_view text);

}  // namespace hashtag_exporter
