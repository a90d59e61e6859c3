#pragma once

// Reading YAML configuration files so that every error names the file, the line and the key:
// the exporter's config file and the web config file share it.

#include <hashtag_exporter/config.hpp>

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hashtag_exporter::yaml {

// Bounds of what a YAML file may hold (README, "Input bounds"), checked on the parser's events
// before any value is read, so that every reader of the document walks a bounded tree.

// Nesting of mappings and lists. Configs nest a handful of levels (settings a few more); past
// this yaml-cpp would only say "bad file" (at 500), and a recursive reader would near the stack.
inline constexpr int kMaxDepth = 64;

// Nodes and bytes of scalar text that aliases add when the document is written out. yaml-cpp
// shares an anchored value, but readers that walk the document (the settings' conversion to
// JSON) expand every alias: thirty nested anchors of two aliases each make a billion nodes from
// a file of under a kilobyte. Sharing a whole hashtag list between sources stays well inside.
inline constexpr std::uint64_t kMaxAliasNodes = 1'000'000;
inline constexpr std::uint64_t kMaxAliasBytes = 16 << 20;

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

const Value* find(const Fields& fields, std::string_view name);

// JSON quoting shows control characters and stray bytes of a value instead of printing them raw.
std::string json_quoted(std::string_view text);

// "a mapping", "an empty list", a quoted scalar or "nothing".
std::string describe(const YAML::Node& node);

// "a, b, c".
std::string join(std::span<const std::string_view> words);

class Reader {
 public:
  explicit Reader(std::filesystem::path file) : file_(std::move(file)) {}

  const std::filesystem::path& file() const { return file_; }

  // The root of the file's only document; a file with two documents or with bad YAML is an
  // error. Throws ConfigError, also when the file cannot be read or is not a regular file of at
  // most kMaxFileBytes.
  Value load() const;

  ConfigError error(int line, const std::string& key, const std::string& message) const;
  ConfigError expected(const Value& value, const std::string& what) const;

  // Rejects keys not in `allowed` and keys written twice (yaml-cpp keeps both silently). A null
  // value is an empty mapping, so that `storage:` with nothing under it means the defaults.
  Fields mapping(const Value& value, std::initializer_list<std::string_view> allowed) const;
  // Every entry of a mapping whose keys are free-form.
  Fields entries(const Value& value, const std::string& what) const;
  // A null value is an empty list, like an empty mapping.
  std::vector<Value> list(const Value& value, const std::string& what) const;
  std::vector<std::string> strings(const Value& value, const std::string& what) const;

  // Any non-empty scalar reads as a string (`plugin: 2` is the plugin "2"); only mappings,
  // lists and nothing at all are wrong.
  std::string string(const Value& value, const std::string& what) const;
  bool boolean(const Value& value) const;
  int integer(const Value& value, const std::string& what, int minimum) const;
  // A path relative to the file's folder, or an absolute one.
  std::filesystem::path path(const Value& value, const std::string& what) const;

 private:
  std::filesystem::path file_;
};

// The largest config or web config file read. The largest config allowed (kMaxHashtags
// hashtags, each with an alert threshold) is about 5 MB; a bigger file is not a config.
constexpr std::size_t kMaxFileBytes = std::size_t{8} << 20;

}  // namespace hashtag_exporter::yaml
