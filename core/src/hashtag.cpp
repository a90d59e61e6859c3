#include <hashtag_exporter/config.hpp>

#include <nlohmann/json.hpp>

#include <regex>
#include <string>
#include <string_view>

namespace hashtag_exporter {

bool is_utf8(std::string_view text) {
  // nlohmann's serializer validates strictly (RFC 3629) and refuses what is not UTF-8.
  try {
    static_cast<void>(nlohmann::json(text).dump());
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

bool is_source_name(const std::string& name) {
  static const std::regex pattern("[a-zA-Z_][a-zA-Z0-9_-]*");
  return std::regex_match(name, pattern);
}

std::string normalise_hashtag(std::string_view raw) {
  const auto first = raw.find_first_not_of(' ');
  if (first == std::string_view::npos) return "";
  raw = raw.substr(first, raw.find_last_not_of(' ') - first + 1);
  if (raw.front() == '#') raw.remove_prefix(1);
  if (!is_utf8(raw)) return "";

  std::string tag;
  tag.reserve(raw.size());
  for (const char c : raw) {
    const auto byte = static_cast<unsigned char>(c);
    // Bytes of multi-byte UTF-8 characters are >= 0x80 and pass through untouched.
    if (byte <= 0x20 || byte == 0x7f) return "";
    tag.push_back(byte >= 'A' && byte <= 'Z' ? static_cast<char>(byte - 'A' + 'a') : c);
  }
  return tag;
}

}  // namespace hashtag_exporter
