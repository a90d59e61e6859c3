#pragma once

#include <string>
#include <string_view>

namespace hashtag_exporter {

// A logfmt value in double quotes, with quotes, backslashes and line breaks escaped, so that an
// error text from a plugin or a library cannot break the log line's key=value structure.
inline std::string logfmt_quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace hashtag_exporter
