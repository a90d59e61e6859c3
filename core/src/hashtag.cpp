#include <hashtag_exporter/config.hpp>

#include <string>
#include <string_view>

namespace hashtag_exporter {
namespace {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. Label values
// of the exposition format must be UTF-8, so one stray byte would break every scrape.
bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;  // the allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < low || second > high) return false;
    for (std::size_t k = 2; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if (next < 0x80 || next > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

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
