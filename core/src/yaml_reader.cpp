#include <hashtag_exporter/plugin/regular_file.hpp>
#include <hashtag_exporter/yaml_reader.hpp>

#include <yaml-cpp/eventhandler.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <sstream>

namespace hashtag_exporter::yaml {
namespace {

int line_of(const YAML::Mark& mark) { return mark.is_null() ? 0 : mark.line + 1; }

std::string item_key(const std::string& list_key, std::size_t index) {
  return list_key + "[" + std::to_string(index) + "]";
}

// Where documents start, and nothing else: enough to tell one document from several.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;

  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

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
  // yaml-cpp's LoadAll never ends on some invalid input (a file that is just ","): its parser
  // reports a new document at the same place forever. Counting starts, and stopping at a
  // document that does not move, ends on every input.
  DocumentStarts starts;
  YAML::Node document;
  try {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    while (starts.marks.size() < 2 && parser.HandleNextDocument(starts)) {
    }
    if (starts.marks.size() == 2) {
      const auto& second = starts.marks[1];
      if (second.pos == starts.marks[0].pos) {
        const auto at = static_cast<std::size_t>(second.pos);
        const auto character = at < text.size() ? text.substr(at, 1) : std::string();
        throw error(line_of(second), "", "cannot parse YAML at " + json_quoted(character));
      }
      throw error(line_of(second), "", "expected one YAML document, found a second one here");
    }
    document = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError({file_, line_of(e.mark)}, "", e.msg);
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
