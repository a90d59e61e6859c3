// The paths of the `http_json` plugin's video_count_path and view_count_path: a JSON Pointer
// (RFC 6901, starts with "/": /data/challengeInfo/stats/videoCount) or the dot syntax
// (data.challengeInfo.stats.videoCount; a segment of digits indexes an array: items.0.count).
// Header-only so that the tests compile the same code as the plugin.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hashtag_exporter::http_json {

class JsonPath {
 public:
  // Throws std::invalid_argument with what is wrong.
  explicit JsonPath(std::string text) : text_(std::move(text)) {
    if (text_.empty()) throw std::invalid_argument("expected a JSON Pointer or a dotted path");
    if (text_.front() == '/') {
      // Validates the escapes (~0, ~1) the way the library reads them.
      const nlohmann::json::json_pointer pointer(text_);
      std::size_t from = 1;
      while (from <= text_.size()) {
        auto end = text_.find('/', from);
        if (end == std::string::npos) end = text_.size();
        segments_.push_back(unescape(text_.substr(from, end - from)));
        from = end + 1;
      }
      return;
    }
    std::size_t from = 0;
    while (true) {
      const auto end = text_.find('.', from);
      const auto segment = text_.substr(from, end == std::string::npos ? end : end - from);
      if (segment.empty()) throw std::invalid_argument("empty segment in \"" + text_ + "\"");
      segments_.push_back(segment);
      if (end == std::string::npos) break;
      from = end + 1;
    }
  }

  const std::string& text() const { return text_; }

  // The value at this path, or nullptr when a segment is missing (the error says which prefix).
  const nlohmann::json* find(const nlohmann::json& root, std::string* missing = nullptr) const {
    const nlohmann::json* at = &root;
    std::string walked;
    for (const auto& segment : segments_) {
      walked += (walked.empty() ? "" : ".") + segment;
      const nlohmann::json* next = nullptr;
      if (at->is_object()) {
        const auto it = at->find(segment);
        if (it != at->end()) next = &*it;
      } else if (at->is_array() && is_index(segment)) {
        const auto index = std::stoull(segment);
        if (index < at->size()) next = &(*at)[index];
      }
      if (next == nullptr) {
        if (missing != nullptr) *missing = walked;
        return nullptr;
      }
      at = next;
    }
    return at;
  }

 private:
  static bool is_index(const std::string& s) {
    if (s.empty() || s.size() > 9) return false;
    for (const char c : s)
      if (c < '0' || c > '9') return false;
    return true;
  }
  static std::string unescape(std::string s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '~' && i + 1 < s.size()) {
        out += s[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  std::string text_;
  std::vector<std::string> segments_;
};

}  // namespace hashtag_exporter::http_json
