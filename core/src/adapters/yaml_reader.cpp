#include <hashtag_exporter/plugin/regular_file.hpp>
#include <hashtag_exporter/yaml_reader.hpp>

#include <yaml-cpp/eventhandler.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>

namespace hashtag_exporter::yaml {
namespace {

int line_of(const YAML::Mark& mark) { return mark.is_null() ? 0 : mark.line + 1; }

std::string item_key(const std::string& list_key, std::size_t index) {
  return list_key + "[" + std::to_string(index) + "]";
}

// One pass over the parser's events before the document is loaded: it finds where documents
// start, bounds nesting and what aliases expand to (kMaxDepth, kMaxAliasNodes, kMaxAliasBytes),
// and follows the key being read, so that an error in the middle of parsing can name it.
class DocumentCheck : public YAML::EventHandler {
 public:
  explicit DocumentCheck(const Reader& reader) : reader_(reader) {}

  const std::vector<YAML::Mark>& starts() const { return starts_; }

  // The key of what is wrong at `line`: the value that started last if it started on that line,
  // else the collection holding it.
  const std::string& key_at(int line) const {
    return last_line_ == line ? last_key_ : last_parent_key_;
  }

  void OnDocumentStart(const YAML::Mark& mark) override {
    starts_.push_back(mark);
    levels_.clear();
    anchored_.clear();
    aliased_ = {};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    leaf(mark, anchor, {1, 0}, "");
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    leaf(mark, anchor, {1, value.size()}, value);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto& key = start(mark);
    const auto found = anchored_.find(anchor);
    // yaml-cpp refuses undefined anchors, so one without a size is still open: a value that
    // holds itself, which yaml-cpp loads as a cycle and a reader would walk forever.
    if (found == anchored_.end()) {
      throw reader_.error(line_of(mark), key,
                          "an alias inside the value of its own anchor would repeat it endlessly");
    }
    aliased_ += found->second;
    const auto past = [&](std::uint64_t limit, const std::string& what) {
      return reader_.error(line_of(mark), key,
                           "YAML aliases expand the file past " + std::to_string(limit) + " " +
                               what + "; write the values out or share fewer of them");
    };
    if (aliased_.nodes > kMaxAliasNodes) throw past(kMaxAliasNodes, "nodes");
    if (aliased_.bytes > kMaxAliasBytes) throw past(kMaxAliasBytes, "bytes of text");
    finish(found->second, "");
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, true);
  }
  void OnMapEnd() override { close(); }

 private:
  // Of a value written out with its aliases expanded.
  struct Size {
    std::uint64_t nodes = 0;
    std::uint64_t bytes = 0;  // of scalars

    Size& operator+=(const Size& other) {
      nodes += other.nodes;
      bytes += other.bytes;
      return *this;
    }
  };

  // An open mapping or list.
  struct Level {
    bool mapping = false;
    std::string key;
    YAML::anchor_t anchor = YAML::NullAnchor;
    Size size{1, 0};
    std::size_t nodes_read = 0;  // a mapping's keys and values alternate
    std::string entry;           // the key of a mapping's value being read
  };

  // Keys as Reader names them: sources[0].settings.api_url.
  std::string child_key() const {
    if (levels_.empty()) return "";
    const auto& level = levels_.back();
    if (!level.mapping) return item_key(level.key, level.nodes_read);
    // An error in a mapping's key is the mapping's.
    if (level.nodes_read % 2 == 0) return level.key;
    return level.key.empty() ? level.entry : level.key + "." + level.entry;
  }

  const std::string& start(const YAML::Mark& mark) {
    last_line_ = line_of(mark);
    last_parent_key_ = levels_.empty() ? "" : levels_.back().key;
    last_key_ = child_key();
    return last_key_;
  }

  // `scalar` is the text of a scalar, which names the value after it when it is a key.
  void finish(const Size& size, const std::string& scalar) {
    if (levels_.empty()) return;
    auto& level = levels_.back();
    level.size += size;
    if (level.mapping && level.nodes_read % 2 == 0) level.entry = scalar;
    ++level.nodes_read;
  }

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, Size size, const std::string& scalar) {
    start(mark);
    if (anchor != YAML::NullAnchor) anchored_[anchor] = size;
    finish(size, scalar);
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool mapping) {
    const auto& key = start(mark);
    if (levels_.size() == static_cast<std::size_t>(kMaxDepth)) {
      throw reader_.error(line_of(mark), key,
                          "nested more than " + std::to_string(kMaxDepth) + " levels deep");
    }
    Level level;
    level.mapping = mapping;
    level.key = key;
    level.anchor = anchor;
    levels_.push_back(std::move(level));
  }

  void close() {
    const auto level = std::move(levels_.back());
    levels_.pop_back();
    if (level.anchor != YAML::NullAnchor) anchored_[level.anchor] = level.size;
    finish(level.size, "");
  }

  const Reader& reader_;
  std::vector<YAML::Mark> starts_;
  std::vector<Level> levels_;
  std::map<YAML::anchor_t, Size> anchored_;  // of every anchored value read to its end
  Size aliased_;                             // what the aliases so far expand to
  int last_line_ = 0;
  std::string last_key_;
  std::string last_parent_key_;
};

// Runs the check on `text` until it ends or fails, for what it finds before the failure.
void check_until_failure(std::string_view text, DocumentCheck& check) {
  try {
    std::istringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    while (check.starts().size() < 2 && parser.HandleNextDocument(check)) {
    }
  } catch (const YAML::Exception&) {
  } catch (const ConfigError&) {
  }
}

}  // namespace

const Value* find(const Fields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

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

std::string join(std::span<const std::string_view> words) {
  std::string text;
  for (const auto word : words) {
    if (!text.empty()) text += ", ";
    text += word;
  }
  return text;
}

Value Reader::load() const {
  std::string text;
  try {
    text = sdk::read_regular_file(file_, kMaxFileBytes);
  } catch (const sdk::FileError& e) {
    throw error(0, "", std::string("cannot read: ") + e.what());
  }
  // yaml-cpp misreads a NUL byte and reports something unrelated ("unknown escape character").
  if (const auto nul = text.find('\0'); nul != std::string::npos) {
    const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + nul, '\n'));
    DocumentCheck before(*this);
    check_until_failure(std::string_view(text).substr(0, nul), before);
    throw error(line, before.key_at(line), "contains a NUL byte; a config file is text");
  }
  // yaml-cpp's LoadAll never ends on some invalid input (a file that is just ","): its parser
  // reports a new document at the same place forever. Counting starts, and stopping at a
  // document that does not move, ends on every input.
  DocumentCheck check(*this);
  YAML::Node document;
  try {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    while (check.starts().size() < 2 && parser.HandleNextDocument(check)) {
    }
    const auto& starts = check.starts();
    if (starts.size() == 2) {
      const auto& second = starts[1];
      if (second.pos == starts[0].pos) {
        const auto at = static_cast<std::size_t>(second.pos);
        const auto character = at < text.size() ? text.substr(at, 1) : std::string();
        throw error(line_of(second), "", "cannot parse YAML at " + json_quoted(character));
      }
      throw error(line_of(second), "", "expected one YAML document, found a second one here");
    }
    document = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    const int line = line_of(e.mark);
    throw error(line, check.key_at(line), e.msg);
  }
  return {document, "", std::max(1, line_of(document.Mark()))};
}

ConfigError Reader::error(int line, const std::string& key, const std::string& message) const {
  return ConfigError({file_, line}, key, message);
}

ConfigError Reader::expected(const Value& value, const std::string& what) const {
  return error(value.line, value.key, "expected " + what + ", got " + describe(value.node));
}

Fields Reader::mapping(const Value& value, std::initializer_list<std::string_view> allowed) const {
  const std::span<const std::string_view> names(allowed.begin(), allowed.end());
  Fields fields = entries(value, "a mapping with keys " + join(names));
  for (const auto& [name, entry] : fields) {
    bool known = false;
    for (const auto candidate : allowed) known = known || candidate == name;
    if (!known) throw error(entry.line, entry.key, "unknown key, expected one of " + join(names));
  }
  return fields;
}

Fields Reader::entries(const Value& value, const std::string& what) const {
  Fields fields;
  if (!value.present()) return fields;
  if (!value.node.IsMap()) throw expected(value, what);
  std::map<std::string_view, int> first_line;
  for (const auto& entry : value.node) {
    const int line = line_of(entry.first.Mark());
    if (!entry.first.IsScalar()) {
      throw error(line, value.key, "expected a string key, got " + describe(entry.first));
    }
    // The document owns the key's text, so views of it outlive this loop's entries.
    const std::string& name = entry.first.Scalar();
    const auto key = value.key.empty() ? name : value.key + "." + name;
    if (const auto [first, added] = first_line.emplace(name, line); !added) {
      throw error(line, key, "duplicate key, first at line " + std::to_string(first->second));
    }
    fields.emplace_back(name, Value{entry.second, key, line});
  }
  return fields;
}

std::vector<Value> Reader::list(const Value& value, const std::string& what) const {
  std::vector<Value> items;
  if (!value.present()) return items;
  if (!value.node.IsSequence()) throw expected(value, what);
  for (const auto& item : value.node) {
    items.push_back({item, item_key(value.key, items.size()), line_of(item.Mark())});
  }
  return items;
}

std::vector<std::string> Reader::strings(const Value& value, const std::string& what) const {
  std::vector<std::string> texts;
  for (const auto& item : list(value, what)) texts.push_back(string(item, "a string"));
  return texts;
}

std::string Reader::string(const Value& value, const std::string& what) const {
  if (!value.node.IsScalar() || value.node.Scalar().empty()) throw expected(value, what);
  return value.node.Scalar();
}

bool Reader::boolean(const Value& value) const {
  const auto text = value.node.IsScalar() ? value.node.Scalar() : "";
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  throw expected(value, "true or false");
}

int Reader::integer(const Value& value, const std::string& what, int minimum) const {
  const auto text = value.node.IsScalar() ? value.node.Scalar() : "";
  int number = 0;
  const auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || failure != std::errc() || end != text.data() + text.size() ||
      number < minimum) {
    throw expected(value, what);
  }
  return number;
}

std::filesystem::path Reader::path(const Value& value, const std::string& what) const {
  const std::filesystem::path written = string(value, what);
  if (written.is_absolute()) return written;
  return (file_.parent_path() / written).lexically_normal();
}

}  // namespace hashtag_exporter::yaml
