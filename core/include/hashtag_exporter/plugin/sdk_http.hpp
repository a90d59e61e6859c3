// Helpers for plugins that read counts from HTTP APIs: the host HTTP client's limits as settings,
// HTTP statuses and transport errors as `reason` labels, counts that may come as strings, and
// secrets referenced from settings. Header-only, compiled into the plugin like sdk.hpp.
#pragma once

#include <hashtag_exporter/plugin/abi.h>
#include <hashtag_exporter/plugin/sdk.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace hashtag_exporter::sdk {

// Text from a remote party (API bodies, program output) goes into log lines and failure
// messages: one line, control characters blanked, at most `max_chars` characters.
inline std::string quote_text(std::string_view text, std::size_t max_chars = 200) {
  std::string out;
  for (const char c : text.substr(0, max_chars)) {
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  }
  if (text.size() > max_chars) out += "...";
  return out;
}

// A count as APIs send it: a non-negative integer, an integral float, or a string of digits
// ("1234"). Anything else (negative, fractional, "lots", null, too large) is nothing.
inline std::optional<std::int64_t> parse_count(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const auto n = value.get<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::nullopt;
    return static_cast<std::int64_t>(n);
  }
  if (value.is_number_integer()) {
    const auto n = value.get<std::int64_t>();
    return n >= 0 ? std::optional(n) : std::nullopt;
  }
  if (value.is_number_float()) {
    const double n = value.get<double>();
    // 2^63 is the first double that no longer fits in int64.
    if (!(n >= 0 && n < 9223372036854775808.0) || std::floor(n) != n) return std::nullopt;
    return static_cast<std::int64_t>(n);
  }
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    const bool digits_only = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    std::int64_t n = 0;
    if (!digits_only ||
        std::from_chars(text.data(), text.data() + text.size(), n).ec != std::errc()) {
      return std::nullopt;
    }
    return n;
  }
  return std::nullopt;
}

// The `reason` of a non-2xx HTTP status: 401/403 auth, 402 credits, 404 not_found,
// 429 rate_limited, other 4xx http_4xx, 5xx http_5xx, anything else bad_response.
inline hx_reason reason_for_status(std::int32_t status) {
  if (status == 401 || status == 403) return HX_REASON_AUTH;
  if (status == 402) return HX_REASON_CREDITS;
  if (status == 404) return HX_REASON_NOT_FOUND;
  if (status == 429) return HX_REASON_RATE_LIMITED;
  if (status >= 400 && status <= 499) return HX_REASON_HTTP_4XX;
  if (status >= 500 && status <= 599) return HX_REASON_HTTP_5XX;
  return HX_REASON_BAD_RESPONSE;
}

struct Failure {
  hx_reason reason = HX_REASON_BAD_RESPONSE;
  std::string message;
};

// The failure of a response that carries no HTTP status; nothing when the transport worked and
// `status` is meaningful. No answer in time is `timeout`; a server that cannot be reached (DNS
// failure, connection refused or reset, TLS handshake failed) is `unreachable`; a body over
// max_response_bytes or any other failed exchange is `bad_response`. A request the host gave up
// on (shutdown, reload) is a `timeout`: the exporter stopped waiting for the answer.
inline std::optional<Failure> transport_failure(const HttpResponse& response) {
  const std::string after =
      response.attempts > 1 ? " (after " + std::to_string(response.attempts) + " attempts)" : "";
  switch (response.transport) {
    case HX_TRANSPORT_OK: return std::nullopt;
    case HX_TRANSPORT_TIMEOUT:
      return Failure{HX_REASON_TIMEOUT, "no answer from the API in time" + after};
    case HX_TRANSPORT_UNREACHABLE:
      return Failure{HX_REASON_UNREACHABLE,
                     "cannot reach the API: " + quote_text(response.error) + after};
    case HX_TRANSPORT_CANCELLED:
      return Failure{HX_REASON_TIMEOUT,
                     "gave up waiting for the API: " + quote_text(response.error)};
    case HX_TRANSPORT_BODY_TOO_LARGE:
      return Failure{HX_REASON_BAD_RESPONSE,
                     "response too large (max_response_bytes): " + quote_text(response.error)};
    case HX_TRANSPORT_OTHER: break;
  }
  return Failure{HX_REASON_BAD_RESPONSE,
                 "the exchange with the API failed: " + quote_text(response.error) + after};
}

// Reads the limits of the host's HTTP client from the usual settings and applies them:
//   timeout (15s, at most 1h), max_in_flight (1..64, default 1), requests_per_minute (0 = no
//   limit), max_attempts (1..10, default 3), max_response_bytes (1 KiB..1 GiB, default 1 MiB).
// Call it from the plugin's constructor.
inline void configure_http_from_settings(const Host& host, Settings& settings) {
  using namespace std::chrono_literals;
  const auto timeout = settings.duration("timeout", 15s);
  if (timeout > 1h) throw SettingsError("timeout", "expected at most 1h");
  hx_http_options limits{};
  limits.timeout_ms = static_cast<std::uint32_t>(timeout.count());
  limits.max_in_flight = static_cast<std::uint32_t>(settings.integer("max_in_flight", 1, 1, 64));
  limits.requests_per_minute =
      static_cast<std::uint32_t>(settings.integer("requests_per_minute", 0, 0, 60'000));
  limits.max_attempts = static_cast<std::uint32_t>(settings.integer("max_attempts", 3, 1, 10));
  limits.max_body_bytes =
      static_cast<std::uint64_t>(settings.integer("max_response_bytes", 1 << 20, 1024, 1 << 30));
  if (!host.configure_http(limits)) {
    throw std::runtime_error("the host refused the HTTP limits of this source");
  }
}

// Expands secret references in a setting's value: `${env:NAME}` is the environment variable
// NAME, `${file:/path}` the content of the file (surrounding white space trimmed). `$$` is a
// literal `$`. Errors name the variable or the file, never the value. The result must not hold
// control characters (it usually goes into an HTTP header).
inline std::string expand_secrets(std::string_view text, const std::string& key) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$') {
      out += text[i++];
      continue;
    }
    if (text.substr(i, 2) == "$$") {
      out += '$';
      i += 2;
      continue;
    }
    if (text.substr(i, 2) != "${") {
      out += text[i++];
      continue;
    }
    const auto end = text.find('}', i);
    if (end == std::string_view::npos) throw SettingsError(key, "unterminated ${...} reference");
    const std::string_view ref = text.substr(i + 2, end - i - 2);
    std::string value;
    if (ref.starts_with("env:")) {
      const std::string name(ref.substr(4));
      const char* env = name.empty() ? nullptr : std::getenv(name.c_str());
      if (env == nullptr) throw SettingsError(key, "environment variable " + name + " is not set");
      value = env;
    } else if (ref.starts_with("file:")) {
      const std::string path(ref.substr(5));
      value = read_secret_file(path, key, "the secret file " + path);
    } else {
      throw SettingsError(
          key, "expected ${env:NAME} or ${file:/path}, got ${" + quote_text(ref, 40) + "}");
    }
    out += value;
    i = end + 1;
  }
  const bool printable = std::all_of(out.begin(), out.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
  });
  if (!printable) throw SettingsError(key, "the value holds control characters");
  return out;
}

// Percent-encodes everything but RFC 3986's unreserved characters, for a URL's path or query.
inline std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '.' || u == '_' || u == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

namespace detail {

inline bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
inline bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The character at `at` (all of its UTF-8 bytes), JSON-quoted for a message.
inline std::string quoted_character_at(std::string_view text, std::size_t at) {
  std::size_t end = at + 1;
  while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) ++end;
  return nlohmann::json(std::string(text.substr(at, end - at)))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline std::optional<std::string> host_problem(std::string_view host) {
  if (host.starts_with('[')) {
    if (host.size() < 3) return "expected a host name after //";
    for (std::size_t i = 1; i + 1 < host.size(); ++i) {
      if (!is_hex(host[i]) && host[i] != ':' && host[i] != '.') {
        return "the IPv6 address holds " + quoted_character_at(host, i);
      }
    }
    return std::nullopt;
  }
  if (host.empty()) return "expected a host name after //";
  for (std::size_t i = 0; i < host.size(); ++i) {
    const char c = host[i];
    if (is_alnum(c) || c == '-' || c == '_' || c == '.') continue;
    const auto problem = "the host name holds " + quoted_character_at(host, i);
    return static_cast<unsigned char>(c) >= 0x80 ? problem + "; write it as xn--" : problem;
  }
  // One trailing dot is a fully qualified name; any other empty label is a typo.
  const auto name = host.ends_with('.') ? host.substr(0, host.size() - 1) : host;
  if (name.empty() || name.starts_with('.') || name.find("..") != std::string_view::npos) {
    return "the host name has an empty label";
  }
  return std::nullopt;
}

inline bool is_port(std::string_view text) {
  unsigned port = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return !text.empty() && error == std::errc() && end == text.data() + text.size() &&
         text.front() != '+' && port >= 1 && port <= 65535;
}

}  // namespace detail

// Why `url` is not an absolute http:// or https:// URL that a request can be sent to, or nothing
// when it is one: a host name (or [IPv6] address), an optional port of 1 to 65535, then a path
// and query of RFC 3986 characters (others percent-encoded), without a user name or fragment.
// A URL that fails this would fail every request, which used to be reported only as timeouts.
inline std::optional<std::string> http_url_problem(std::string_view url) {
  const auto scheme_end = url.find("://");
  const auto scheme = url.substr(0, scheme_end);
  if (scheme_end == std::string_view::npos || (scheme != "http" && scheme != "https")) {
    return "expected an http:// or https:// URL";
  }
  const auto rest = url.substr(scheme_end + 3);

  const auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return "expected no user name or password in the URL";
  }
  // An IPv6 address holds colons; the port is after its closing bracket.
  const auto bracket = authority.starts_with('[') ? authority.find(']') : 0;
  if (bracket == std::string_view::npos) return "expected ']' after an IPv6 address";
  const auto colon = authority.find(':', bracket);
  if (const auto problem = detail::host_problem(authority.substr(0, colon))) return problem;
  if (colon != std::string_view::npos && !detail::is_port(authority.substr(colon + 1))) {
    return "expected a port of 1 to 65535 after ':'";
  }
  if (bracket != 0 && colon == std::string_view::npos && bracket + 1 != authority.size()) {
    return "expected a port of 1 to 65535 after ':'";
  }

  const auto path = rest.substr(authority.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (detail::is_alnum(c) ||
        std::string_view("-._~!$&'()*+,;=:@/?").find(c) != std::string_view::npos) {
      continue;
    }
    if (c == '#') return "the URL has a fragment (#...), which is never sent to the server";
    if (c == '%' && i + 2 < path.size() && detail::is_hex(path[i + 1]) &&
        detail::is_hex(path[i + 2])) {
      i += 2;
      continue;
    }
    if (c == '%') return "the URL holds '%' without two hex digits after it";
    return "the URL holds " + detail::quoted_character_at(path, i) +
           ", which must be percent-encoded";
  }
  return std::nullopt;
}

// Throws SettingsError for setting `key` when `url` is not a URL a request can go to.
inline void check_http_url(const std::string& key, std::string_view url) {
  if (const auto problem = http_url_problem(url)) {
    throw SettingsError(key,
                        *problem + ", got " +
                            nlohmann::json(std::string(url))
                                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

// The text as the inside of a JSON string (quotes, backslashes and control characters escaped).
inline std::string json_escape(std::string_view text) {
  const auto quoted = nlohmann::json(std::string(text))
                          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

// Replaces every `{hashtag}` in `pattern` with `escape(hashtag)`.
template <class Escape>
std::string substitute_hashtag(std::string_view pattern, std::string_view hashtag, Escape escape) {
  constexpr std::string_view kPlaceholder = "{hashtag}";
  std::string out;
  std::size_t from = 0;
  for (auto at = pattern.find(kPlaceholder); at != std::string_view::npos;
       at = pattern.find(kPlaceholder, from)) {
    out += pattern.substr(from, at - from);
    out += escape(hashtag);
    from = at + kPlaceholder.size();
  }
  out += pattern.substr(from);
  return out;
}

}  // namespace hashtag_exporter::sdk
