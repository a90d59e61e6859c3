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
inline hx_reason reason_for_status(long status) {
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

// The failure of a response that carries no HTTP status (timeout, refused connection, body over
// max_response_bytes); nothing when the transport worked and `status` is meaningful.
inline std::optional<Failure> transport_failure(const HttpResponse& response) {
  const std::string after =
      response.attempts > 1 ? " (after " + std::to_string(response.attempts) + " attempts)" : "";
  switch (response.transport) {
    case HX_TRANSPORT_OK: return std::nullopt;
    case HX_TRANSPORT_TIMEOUT:
      return Failure{HX_REASON_TIMEOUT, "no answer from the API in time" + after};
    case HX_TRANSPORT_BODY_TOO_LARGE:
      return Failure{HX_REASON_BAD_RESPONSE,
                     "response too large (max_response_bytes): " + quote_text(response.error)};
    case HX_TRANSPORT_CONNECT_FAILED:
    case HX_TRANSPORT_OTHER: break;
  }
  return Failure{HX_REASON_TIMEOUT, "no answer from the API: " + quote_text(response.error) + after};
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
      if (env == nullptr)
        throw SettingsError(key, "environment variable " + name + " is not set");
      value = env;
    } else if (ref.starts_with("file:")) {
      const std::string path(ref.substr(5));
      value = read_secret_file(path, key, "the secret file " + path);
    } else {
      throw SettingsError(key, "expected ${env:NAME} or ${file:/path}, got ${" +
                                   quote_text(ref, 40) + "}");
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
