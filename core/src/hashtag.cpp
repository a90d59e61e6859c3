#include <hashtag_exporter/config.hpp>

#include <string>
#include <string_view>

namespace hashtag_exporter {

std::string normalise_hashtag(std::string_view raw) {
  const auto first = raw.find_first_not_of(' ');
  if (first == std::string_view::npos) return "";
  raw = raw.substr(first, raw.find_last_not_of(' ') - first + 1);
  if (raw.front() == '#') raw.remove_prefix(1);

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
