#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/plugin/sdk.hpp>
#include <hashtag_exporter/yaml_reader.hpp>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <map>
#include <optional>
#include <regex>
#include <string_view>
#include <utility>

namespace hashtag_exporter {
namespace {

using std::chrono::seconds;

std::string format_error(const ConfigLocation& where, const std::string& key,
                         const std::string& message) {
  std::string text = where.file.string();
  if (where.line > 0) text.append(":").append(std::to_string(where.line));
  text.append(": ");
  if (!key.empty()) text.append(key).append(": ");
  return text.append(message);
}

using yaml::Fields;
using yaml::find;
using yaml::json_quoted;
using yaml::Reader;
using yaml::Value;

// YAML 1.2 core schema floats, without .inf and .nan, which JSON cannot hold.
bool looks_like_float(const std::string& text) {
  static const std::regex pattern(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  return std::regex_match(text, pattern);
}

// Resolves an unquoted scalar the way YAML's core schema does: `5` is a number and `true` a
// boolean, while `"5"` stays a string. Numbers outside the range of a double stay strings.
nlohmann::json plain_scalar(const std::string& text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  const std::string_view digits =
      text.starts_with('+') ? std::string_view(text).substr(1) : std::string_view(text);
  const auto* const end = digits.data() + digits.size();
  std::int64_t integer = 0;
  if (const auto result = std::from_chars(digits.data(), end, integer);
      result.ec == std::errc() && result.ptr == end) {
    return integer;
  }
  if (looks_like_float(text)) {
    double number = 0;
    if (const auto result = std::from_chars(digits.data(), end, number);
        result.ec == std::errc() && result.ptr == end) {
      return number;
    }
  }
  return text;
}

// A Prometheus duration in whole seconds, at least `minimum`.
seconds duration(const Reader& reader, const Value& value, const std::string& what,
                 seconds minimum) {
  const auto parsed =
      value.node.IsScalar() ? sdk::parse_duration(value.node.Scalar()) : std::nullopt;
  if (!parsed || *parsed < minimum || parsed->count() % 1000 != 0) {
    throw reader.expected(value, what);
  }
  return std::chrono::duration_cast<seconds>(*parsed);
}

// The same, and at most `maximum`.
seconds bounded_duration(const Reader& reader, const Value& value, const std::string& what,
                         seconds minimum, seconds maximum) {
  const auto parsed = duration(reader, value, what, minimum);
  if (parsed > maximum) {
    const auto days = std::chrono::duration_cast<std::chrono::days>(maximum);
    const auto written = days == maximum ? std::to_string(days.count()) + "d"
                                         : std::to_string(maximum.count()) + "s";
    throw reader.expected(value, "at most " + written);
  }
  return parsed;
}

// "... the same as KEY (line N)": where the first of two clashing entries is.
std::string first_at(const std::string& key, int line) {
  return key + " (line " + std::to_string(line) + ")";
}

double number(const Reader& reader, const Value& value, const std::string& what) {
  const auto parsed = value.node.IsScalar() && value.node.Tag() == "?"
                          ? plain_scalar(value.node.Scalar())
                          : nlohmann::json();
  if (!parsed.is_number()) throw reader.expected(value, what);
  return parsed.get<double>();
}

nlohmann::json to_json(const Reader& reader, const Value& value) {
  switch (value.node.Type()) {
    case YAML::NodeType::Map: {
      auto object = nlohmann::json::object();
      for (const auto& [name, entry] : reader.entries(value, "a mapping")) {
        object[name] = to_json(reader, entry);
      }
      return object;
    }
    case YAML::NodeType::Sequence: {
      auto array = nlohmann::json::array();
      for (const auto& item : reader.list(value, "a list")) array.push_back(to_json(reader, item));
      return array;
    }
    case YAML::NodeType::Scalar:
      // yaml-cpp tags an unquoted scalar "?"; quoted, block and `!!str` scalars are strings.
      if (value.node.Tag() == "?") return plain_scalar(value.node.Scalar());
      return value.node.Scalar();
    default: return nullptr;
  }
}

void read_storage(const Reader& reader, const Value& value, Config& config) {
  const auto fields = reader.mapping(value, {"path", "retention"});
  if (const auto* path = find(fields, "path")) {
    config.storage_path = reader.path(*path, "a file path such as hashtag_history.db");
  }
  if (const auto* retention = find(fields, "retention")) {
    // A bare 0 is not a Prometheus duration, but it is the natural way to write "forever".
    const bool forever = retention->node.IsScalar() && retention->node.Scalar() == "0";
    config.retention =
        forever ? seconds{0}
                : duration(reader, *retention, "a duration such as 400d, or 0 to keep everything",
                           seconds{0});
  }
}

void read_growth(const Reader& reader, const Value& value, Config& config) {
  const auto fields = reader.mapping(value, {"windows", "alert_threshold_percent"});
  if (const auto* threshold = find(fields, "alert_threshold_percent")) {
    config.alert_threshold_percent = number(reader, *threshold, "a number of percent such as 5");
  }
  const auto* windows = find(fields, "windows");
  if (windows == nullptr || !windows->present()) return;
  config.growth_windows.clear();
  std::map<seconds, const Value*> first_of_length;
  for (const auto& item : reader.list(*windows, "a list of durations such as [1d, 7d]")) {
    const auto length = duration(reader, item, "a positive duration such as 1d", seconds{1});
    const auto [first, added] = first_of_length.emplace(length, &item);
    if (!added) {
      throw reader.error(
          item.line, item.key,
          "duplicate window, the same as " + first_at(first->second->key, first->second->line));
    }
    config.growth_windows.push_back({item.node.Scalar(), length});
  }
}

// What the sources read so far hold that the next one must not repeat or add up past.
struct EarlierSources {
  std::map<std::string, std::string> first_of_name;  // name -> "sources[0] (line 2)"
  std::size_t hashtags = 0;
};

void read_hashtags(const Reader& reader, const Value& value, EarlierSources& earlier_sources,
                   SourceConfig& source) {
  const auto items = reader.list(value, "a list of hashtags such as [aitools, llm]");
  if (items.empty()) throw reader.expected(value, "a non-empty list of hashtags such as [aitools]");
  std::map<std::string, const Value*> first_of_tag;
  for (const auto& item : items) {
    if (++earlier_sources.hashtags > kMaxHashtags) {
      throw reader.error(item.line, item.key,
                         "more than " + std::to_string(kMaxHashtags) + " hashtags in the config");
    }
    if (!item.node.IsScalar()) throw reader.expected(item, "a hashtag such as aitools");
    const auto& raw = item.node.Scalar();
    auto tag = normalise_hashtag(raw);
    if (tag.empty()) {
      throw reader.error(item.line, item.key, hashtag_problem(raw) + ", got " + json_quoted(raw));
    }
    const auto [first, added] = first_of_tag.emplace(tag, &item);
    if (!added) {
      const auto& earlier = *first->second;
      throw reader.error(item.line, item.key,
                         json_quoted(raw) + " is the same hashtag as " +
                             json_quoted(earlier.node.Scalar()) + " (" + earlier.key + ", line " +
                             std::to_string(earlier.line) + ")");
    }
    source.hashtags.push_back(std::move(tag));
  }
}

// Every hashtag's alert threshold: the source's default, then the per-hashtag overrides, which
// must name hashtags of the source.
void read_alert_thresholds(const Reader& reader, const Value* source_default,
                           const Value* per_hashtag, double config_default, SourceConfig& source) {
  const double fallback = source_default
                              ? number(reader, *source_default, "a number of percent such as 5")
                              : config_default;
  for (const auto& hashtag : source.hashtags) source.alert_threshold_percent[hashtag] = fallback;
  if (per_hashtag == nullptr) return;
  const auto entries =
      reader.entries(*per_hashtag, "a mapping of hashtags to percents such as {aitools: 10}");
  std::map<std::string, std::size_t> first_of_tag;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& [raw, entry] = entries[i];
    const auto tag = normalise_hashtag(raw);
    const auto threshold = source.alert_threshold_percent.find(tag);
    if (threshold == source.alert_threshold_percent.end()) {
      throw reader.error(entry.line, entry.key,
                         json_quoted(raw) + " is not one of the source's hashtags");
    }
    if (const auto [first, added] = first_of_tag.emplace(tag, i); !added) {
      const auto& [first_raw, first_entry] = entries[first->second];
      throw reader.error(entry.line, entry.key,
                         json_quoted(raw) + " is the same hashtag as " + json_quoted(first_raw) +
                             " (line " + std::to_string(first_entry.line) + ")");
    }
    threshold->second = number(reader, entry, "a number of percent such as 5");
  }
}

// `schedule` and the intervals that go with it; an interval of the other kind is an error
// rather than silently unused.
void read_schedule(const Reader& reader, const Fields& fields, SourceConfig& source) {
  if (const auto* schedule = find(fields, "schedule")) {
    const auto kind = reader.string(*schedule, "fixed or adaptive");
    if (kind == "adaptive") {
      source.schedule = ScheduleKind::adaptive;
    } else if (kind != "fixed") {
      throw reader.expected(*schedule, "fixed or adaptive");
    }
  }
  const bool adaptive = source.schedule == ScheduleKind::adaptive;
  const auto interval = [&](std::string_view name, const char* example) -> std::optional<seconds> {
    const auto* field = find(fields, name);
    if (field == nullptr) return std::nullopt;
    if (adaptive != (name != "interval")) {
      throw reader.error(field->line, field->key,
                         adaptive ? "not used with schedule: adaptive, which polls each hashtag "
                                    "between min_interval and max_interval"
                                  : "only used with schedule: adaptive");
    }
    return bounded_duration(reader, *field, example, seconds{1}, kMaxInterval);
  };
  if (const auto fixed = interval("interval", "a duration of at least 1s such as 6h")) {
    source.interval = *fixed;
  }
  if (const auto least = interval("min_interval", "a duration of at least 1s such as 15m")) {
    source.poll_bounds.min_interval = *least;
  }
  if (const auto most = interval("max_interval", "a duration of at least 1s such as 12h")) {
    source.poll_bounds.max_interval = *most;
  }
  if (source.poll_bounds.min_interval > source.poll_bounds.max_interval) {
    const auto* field = find(fields, "max_interval");
    if (field == nullptr) field = find(fields, "min_interval");
    throw reader.error(field->line, field->key,
                       "max_interval must be at least min_interval (" +
                           std::to_string(source.poll_bounds.min_interval.count()) + "s)");
  }
}

SourceConfig read_source(const Reader& reader, const Value& value, EarlierSources& earlier_sources,
                         double default_alert_threshold) {
  if (!value.present()) throw reader.expected(value, "a mapping with a source name and plugin");
  SourceConfig source;
  source.key = value.key;
  source.location = {reader.file(), value.line};
  const auto fields =
      reader.mapping(value, {"name", "plugin", "schedule", "interval", "min_interval",
                             "max_interval", "hashtags", "max_credits_per_day",
                             "alert_threshold_percent", "hashtag_alert_thresholds", "settings"});
  const auto required = [&](std::string_view name, const std::string& what) -> const Value& {
    const auto* field = find(fields, name);
    if (field == nullptr) {
      throw reader.error(value.line, value.key + "." + std::string(name),
                         "missing, expected " + what);
    }
    return *field;
  };

  const auto& name = required("name", "a source name such as tiktok");
  source.name = reader.string(name, "a source name such as tiktok");
  if (!is_source_name(source.name)) {
    throw reader.expected(name, "a name of letters, digits, '_' and '-' such as tiktok");
  }
  const auto [first, added] =
      earlier_sources.first_of_name.emplace(source.name, first_at(source.key, value.line));
  if (!added) {
    throw reader.error(
        name.line, name.key,
        "duplicate source name " + json_quoted(source.name) + ", the same as " + first->second);
  }
  source.plugin = reader.string(required("plugin", "a plugin name such as tiktok"),
                                "a plugin name such as tiktok");
  read_schedule(reader, fields, source);
  read_hashtags(reader, required("hashtags", "a list of hashtags such as [aitools, llm]"),
                earlier_sources, source);
  if (const auto* budget = find(fields, "max_credits_per_day")) {
    const auto credits = number(reader, *budget, "a whole number of credits such as 200, or 0");
    if (credits < 0 || credits != static_cast<double>(static_cast<std::uint64_t>(credits))) {
      throw reader.expected(*budget, "a whole number of credits such as 200, or 0");
    }
    source.max_credits_per_day = static_cast<std::uint64_t>(credits);
  }
  read_alert_thresholds(reader, find(fields, "alert_threshold_percent"),
                        find(fields, "hashtag_alert_thresholds"), default_alert_threshold, source);
  // `settings:` with nothing under it means no settings, the same as leaving it out.
  if (const auto* settings = find(fields, "settings"); settings && settings->present()) {
    for (const auto& [setting, entry] : reader.entries(*settings, "a mapping of plugin settings")) {
      source.settings_locations[setting] = {reader.file(), entry.line};
    }
    source.settings_json =
        to_json(reader, *settings).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return source;
}

void read_sources(const Reader& reader, const Value& value, Config& config) {
  const std::string what = "a list of at least one source";
  const auto items = reader.list(value, what);
  if (items.empty()) throw reader.expected(value, what);
  EarlierSources earlier_sources;
  for (const auto& item : items) {
    config.sources.push_back(
        read_source(reader, item, earlier_sources, config.alert_threshold_percent));
  }
}

}  // namespace

ConfigError::ConfigError(const ConfigLocation& where, const std::string& key,
                         const std::string& message)
    : std::runtime_error(format_error(where, key, message)) {}

ConfigError SourceConfig::settings_error(const std::string& setting,
                                         const std::string& message) const {
  if (setting.empty()) return ConfigError(location, key + ".settings", message);
  const auto found = settings_locations.find(setting);
  return ConfigError(found == settings_locations.end() ? location : found->second,
                     key + ".settings." + setting, message);
}

Config load_config(const std::filesystem::path& file) {
  const Reader reader(file);
  const auto root = reader.load();
  Config config;
  config.file = file;
  config.storage_path = (file.parent_path() / "hashtag_history.db").lexically_normal();
  config.growth_windows = {{"1d", seconds{86400}}, {"7d", seconds{7 * 86400}}};

  const auto fields = reader.mapping(root, {"storage", "plugin_path", "growth", "sources"});
  if (const auto* storage = find(fields, "storage")) read_storage(reader, *storage, config);
  if (const auto* plugin_path = find(fields, "plugin_path")) {
    for (const auto& item : reader.list(*plugin_path, "a list of folders such as [plugins]")) {
      config.plugin_path.push_back(reader.path(item, "a folder such as plugins"));
    }
  }
  if (const auto* growth = find(fields, "growth")) read_growth(reader, *growth, config);
  const auto* sources = find(fields, "sources");
  if (sources == nullptr) {
    throw reader.error(1, "sources", "missing, expected a list of at least one source");
  }
  read_sources(reader, *sources, config);
  if (!config.growth_windows.empty()) {
    for (auto& source : config.sources) source.watched_window = config.growth_windows.front();
  }
  return config;
}

}  // namespace hashtag_exporter
