// Header-only and part of the SDK, so that plugins (built against the SDK alone), the core and
// the exporters trim text the same way.
#pragma once

#include <string_view>

namespace hashtag_exporter::sdk {

// `text` without the spaces, tabs and line breaks around it: a setting, a header value, a CSV
// field or the content of a secret file.
constexpr std::string_view trim(std::string_view text) {
  constexpr std::string_view kWhiteSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kWhiteSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kWhiteSpace) - first + 1);
}

}  // namespace hashtag_exporter::sdk
