#include <hashtag_exporter/prometheus/web_server.hpp>

#include <algorithm>
#include <cctype>
#include <string>

namespace hashtag_exporter::prometheus_exporter {
namespace {

// What the shortest request for a path holds besides the path: "GET ", " HTTP/1.0\r\n" and the
// blank line that ends the head.
constexpr std::size_t kShortestRequestWithoutPath = 17;

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Why the character at `i` keeps a request for `path` as written from reaching it.
std::optional<std::string> character_problem(std::string_view path, std::size_t i) {
  const auto c = static_cast<unsigned char>(path[i]);
  if (c == '?') {
    return "'?' starts the query string, which is not part of the path requests are routed by";
  }
  if (c == '#') return "'#' starts the fragment, which clients do not send";
  if (c == '\\') return "civetweb turns '\\' into '/' in request paths";
  if (c <= ' ' || c == 0x7f) {
    return "it holds a space or a control character, which a request line cannot carry";
  }
  if (c == '%' && i + 2 < path.size() && is_hex(path[i + 1]) && is_hex(path[i + 2])) {
    return std::string("\"")
        .append(path.substr(i, 3))
        .append(
            "\" is a percent escape, and requests are routed by their decoded path: write "
            "the character itself");
  }
  return std::nullopt;
}

// Why no request path keeps `segment` (what lies between two slashes) as it is. Only the last
// may be empty: a trailing slash stays.
std::optional<std::string> segment_problem(std::string_view segment, bool last) {
  if (segment.empty() && !last) {
    return "it has an empty segment (\"//\"), which civetweb removes from request paths";
  }
  if (!segment.empty() && segment.back() == '.') {
    return "segment \"" + std::string(segment) +
           "\" ends in '.': civetweb removes '.' and '..' segments and the dots that end a "
           "segment from request paths";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> telemetry_path_problem(std::string_view path) {
  if (path.empty() || path.front() != '/') return "it must start with /";
  if (path.size() + kShortestRequestWithoutPath > kMaxRequestHeadBytes) {
    return "a request for it does not fit in the " + std::to_string(kMaxRequestHeadBytes) +
           " bytes a request head may have";
  }
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (auto problem = character_problem(path, i)) return problem;
  }
  for (std::size_t start = 1; start <= path.size();) {
    const auto end = std::min(path.find('/', start), path.size());
    if (auto problem = segment_problem(path.substr(start, end - start), end == path.size())) {
      return problem;
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace hashtag_exporter::prometheus_exporter
