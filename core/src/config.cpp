#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/plugin/sdk.hpp>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>
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

// JSON quoting shows control characters and stray bytes of a value instead of printing them raw.
std::string json_quoted(std::string_view text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return node.size() == 0 ? "an empty mapping" : "a mapping";
    case YAML::NodeType::Sequence: return node.size() == 0 ? "an empty list" : "a list";
    case YAML::NodeType::Scalar: return json_quoted(node.Scalar());
    default: return "nothing";
  }
}

std::string join(std::initializer_list<std::string_view> words) {
  std::string text;
  for (const auto word : words) {
    if (!text.empty()) text += ", ";
    text += word;
  }
  return text;
}

int line_of(const YAML::Mark& mark) { return mark.is_null() ? 0 : mark.line + 1; }

struct CloseFile {
  void operator()(std::FILE* stream) const { std::fclose(stream); }
};

std::string read_file(const std::filesystem::path& file) {
  const auto cannot_read = [&file](int error) {
    return ConfigError({file, 0}, "", std::string("cannot read: ") + std::strerror(error));
  };
  const std::unique_ptr<std::FILE, CloseFile> stream(std::fopen(file.c_str(), "rb"));
  if (!stream) throw cannot_read(errno);
  std::string text;
  char buffer[8192];
  std::size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, stream.get())) > 0) {
    text.append(buffer, count);
  }
  // A folder opens fine and only fails to read.
  if (std::ferror(stream.get())) throw cannot_read(errno);
  return text;
}

// A YAML value with what error messages say about it: its key path and the line of its key (a
// null value has no line of its own, and a block under a key starts on the line after it).
struct Value {
  YAML::Node node;
  std::string key;
  int line = 0;

  bool present() const { return node.IsDefined() && !node.IsNull(); }
};

// The entries of a mapping by key, in file order.
using Fields = std::vector<std::pair<std::string, Value>>;

const Value* find(const Fields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string item_key(const std::string& list_key, std::size_t index) {
  return list_key + "[" + std::to_string(index) + "]";
}

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

class Reader {
 public:
  explicit Reader(std::filesystem::path file) : file_(std::move(file)) {}

  const std::filesystem::path& file() const { return file_; }

  ConfigError error(int line, const std::string& key, const std::string& message) const {
    return ConfigError({file_, line}, key, message);
  }
  ConfigError expected(const Value& value, const std::string& what) const {
    return error(value.line, value.key, "expected " + what + ", got " + describe(value.node));
  }

  // Rejects keys not in `allowed` and keys written twice (yaml-cpp keeps both silently). A null
  // value is an empty mapping, so that `storage:` with nothing under it means the defaults.
  Fields mapping(const Value& value, std::initializer_list<std::string_view> allowed) const {
    Fields fields = entries(value, "a mapping with keys " + join(allowed));
    for (const auto& [name, entry] : fields) {
      bool known = false;
      for (const auto candidate : allowed) known = known || candidate == name;
      if (!known) {
        throw error(entry.line, entry.key, "unknown key, expected one of " + join(allowed));
      }
    }
    return fields;
  }

  // Every entry of a mapping whose keys are free-form (plugin settings).
  Fields entries(const Value& value, const std::string& what) const {
    Fields fields;
    if (!value.present()) return fields;
    if (!value.node.IsMap()) throw expected(value, what);
    for (const auto& entry : value.node) {
      const int line = line_of(entry.first.Mark());
      if (!entry.first.IsScalar()) {
        throw error(line, value.key, "expected a string key, got " + describe(entry.first));
      }
      const auto& name = entry.first.Scalar();
      const auto key = value.key.empty() ? name : value.key + "." + name;
      if (const auto* first = find(fields, name)) {
        throw error(line, key, "duplicate key, first at line " + std::to_string(first->line));
      }
      fields.emplace_back(name, Value{entry.second, key, line});
    }
    return fields;
  }

  // A null value is an empty list, like an empty mapping.
  std::vector<Value> list(const Value& value, const std::string& what) const {
    std::vector<Value> items;
    if (!value.present()) return items;
    if (!value.node.IsSequence()) throw expected(value, what);
    for (const auto& item : value.node) {
      items.push_back({item, item_key(value.key, items.size()), line_of(item.Mark())});
    }
    return items;
  }

  // Any scalar reads as a string (`plugin: 2` is the plugin "2"); only mappings, lists and
  // nothing at all are wrong.
  std::string string(const Value& value, const std::string& what) const {
    if (!value.node.IsScalar() || value.node.Scalar().empty()) throw expected(value, what);
    return value.node.Scalar();
  }

  // A Prometheus duration in whole seconds, at least `minimum`.
  seconds duration(const Value& value, const std::string& what, seconds minimum) const {
    const auto parsed =
        value.node.IsScalar() ? sdk::parse_duration(value.node.Scalar()) : std::nullopt;
    if (!parsed || *parsed < minimum || parsed->count() % 1000 != 0) throw expected(value, what);
    return std::chrono::duration_cast<seconds>(*parsed);
  }

  double number(const Value& value, const std::string& what) const {
    const auto parsed = value.node.IsScalar() && value.node.Tag() == "?"
                            ? plain_scalar(value.node.Scalar())
                            : nlohmann::json();
    if (!parsed.is_number()) throw expected(value, what);
    return parsed.get<double>();
  }

  std::filesystem::path path(const Value& value, const std::string& what) const {
    const std::filesystem::path written = string(value, what);
    if (written.is_absolute()) return written;
    return (file_.parent_path() / written).lexically_normal();
  }

 private:
  std::filesystem::path file_;
};

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
                : reader.duration(*retention, "a duration such as 400d, or 0 to keep everything",
                                  seconds{0});
  }
}

void read_growth(const Reader& reader, const Value& value, Config& config) {
  const auto fields = reader.mapping(value, {"windows", "alert_threshold_percent"});
  if (const auto* threshold = find(fields, "alert_threshold_percent")) {
    config.alert_threshold_percent = reader.number(*threshold, "a number of percent such as 5");
  }
  const auto* windows = find(fields, "windows");
  if (windows == nullptr || !windows->present()) return;
  config.growth_windows.clear();
  const auto items = reader.list(*windows, "a list of durations such as [1d, 7d]");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto length = reader.duration(items[i], "a positive duration such as 1d", seconds{1});
    for (std::size_t earlier = 0; earlier < i; ++earlier) {
      if (config.growth_windows[earlier].length == length) {
        throw reader.error(items[i].line, items[i].key,
                           "duplicate window, the same as " + items[earlier].key + " (line " +
                               std::to_string(items[earlier].line) + ")");
      }
    }
    config.growth_windows.push_back({items[i].node.Scalar(), length});
  }
}

bool is_source_name(const std::string& name) {
  static const std::regex pattern("[a-zA-Z_][a-zA-Z0-9_-]*");
  return std::regex_match(name, pattern);
}

// Whether a hashtag normalises to nothing because it holds only spaces and at most one '#'.
bool is_empty_hashtag(std::string_view raw) {
  return raw.find_first_not_of(" #") == std::string_view::npos &&
         std::count(raw.begin(), raw.end(), '#') <= 1;
}

void read_hashtags(const Reader& reader, const Value& value, SourceConfig& source) {
  const auto items = reader.list(value, "a list of hashtags such as [aitools, llm]");
  if (items.empty()) throw reader.expected(value, "a non-empty list of hashtags such as [aitools]");
  for (const auto& item : items) {
    if (!item.node.IsScalar()) throw reader.expected(item, "a hashtag such as aitools");
    const auto& raw = item.node.Scalar();
    auto tag = normalise_hashtag(raw);
    if (tag.empty()) {
      throw reader.error(item.line, item.key,
                         (is_empty_hashtag(raw) ? "hashtag is empty without its '#', got "
                                                : "hashtag contains whitespace, got ") +
                             json_quoted(raw));
    }
    // Every earlier item was accepted, so hashtags[i] came from items[i].
    for (std::size_t earlier = 0; earlier < source.hashtags.size(); ++earlier) {
      if (source.hashtags[earlier] == tag) {
        throw reader.error(item.line, item.key,
                           json_quoted(raw) + " is the same hashtag as " +
                               json_quoted(items[earlier].node.Scalar()) + " (" +
                               items[earlier].key + ", line " +
                               std::to_string(items[earlier].line) + ")");
      }
    }
    source.hashtags.push_back(std::move(tag));
  }
}

// Every hashtag's alert threshold: the source's default, then the per-hashtag overrides, which
// must name hashtags of the source.
void read_alert_thresholds(const Reader& reader, const Value* source_default,
                           const Value* per_hashtag, double config_default, SourceConfig& source) {
  const double fallback =
      source_default ? reader.number(*source_default, "a number of percent such as 5")
                     : config_default;
  for (const auto& hashtag : source.hashtags) source.alert_threshold_percent[hashtag] = fallback;
  if (per_hashtag == nullptr) return;
  for (const auto& [raw, entry] :
       reader.entries(*per_hashtag, "a mapping of hashtags to percents such as {aitools: 10}")) {
    const auto tag = normalise_hashtag(raw);
    if (!source.alert_threshold_percent.contains(tag)) {
      throw reader.error(entry.line, entry.key,
                         json_quoted(raw) + " is not one of the source's hashtags");
    }
    source.alert_threshold_percent[tag] = reader.number(entry, "a number of percent such as 5");
  }
}

SourceConfig read_source(const Reader& reader, const Value& value,
                         const std::vector<SourceConfig>& earlier_sources,
                         double default_alert_threshold) {
  if (!value.present()) throw reader.expected(value, "a mapping with a source name and plugin");
  SourceConfig source;
  source.key = value.key;
  source.location = {reader.file(), value.line};
  const auto fields =
      reader.mapping(value, {"name", "plugin", "interval", "hashtags", "max_credits_per_day",
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
  for (const auto& earlier : earlier_sources) {
    if (earlier.name == source.name) {
      throw reader.error(name.line, name.key,
                         "duplicate source name " + json_quoted(source.name) + ", the same as " +
                             earlier.key + " (line " + std::to_string(earlier.location.line) + ")");
    }
  }
  source.plugin = reader.string(required("plugin", "a plugin name such as tiktok"),
                                "a plugin name such as tiktok");
  if (const auto* interval = find(fields, "interval")) {
    source.interval =
        reader.duration(*interval, "a duration of at least 1s such as 6h", seconds{1});
  }
  read_hashtags(reader, required("hashtags", "a list of hashtags such as [aitools, llm]"), source);
  if (const auto* budget = find(fields, "max_credits_per_day")) {
    const auto credits = reader.number(*budget, "a whole number of credits such as 200, or 0");
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
  for (const auto& item : items) {
    config.sources.push_back(
        read_source(reader, item, config.sources, config.alert_threshold_percent));
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
  const auto text = read_file(file);
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError({file, line_of(e.mark)}, "", e.msg);
  }
  const Reader reader(file);
  if (documents.size() > 1) {
    throw reader.error(line_of(documents[1].Mark()), "",
                       "expected one YAML document, found " + std::to_string(documents.size()));
  }

  Config config;
  config.file = file;
  config.storage_path = (file.parent_path() / "hashtag_history.db").lexically_normal();
  config.growth_windows = {{"1d", seconds{86400}}, {"7d", seconds{7 * 86400}}};

  const auto document = documents.empty() ? YAML::Node() : documents[0];
  const Value root{document, "", std::max(1, line_of(document.Mark()))};
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
  return config;
}

}  // namespace hashtag_exporter
