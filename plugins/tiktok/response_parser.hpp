// Turns Scavio's answers to POST /api/v1/tiktok/hashtag into counts or a failure reason. Pure
// functions, header-only so that the tests compile the same code as the plugin.
#pragma once

#include <hashtag_exporter/plugin/abi.h>
#include <hashtag_exporter/plugin/sdk.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace hashtag_exporter::tiktok {

struct Counts {
  std::int64_t videos = 0;
  std::int64_t views = 0;
};

struct Failure {
  hx_reason reason = HX_REASON_BAD_RESPONSE;
  std::string message;
};

struct ParsedResponse {
  std::variant<Counts, Failure> result;
  std::optional<double> credits_remaining;
};

namespace detail {

constexpr std::size_t kMaxQuotedChars = 200;

// Text from the API goes into log lines and the failure message: one line, bounded.
inline std::string quote_api_text(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, kMaxQuotedChars)) {
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  }
  if (text.size() > kMaxQuotedChars) out += "...";
  return out;
}

// Counts arrive as JSON numbers or, in statsV2, as strings of digits. Anything else (negative,
// fractional, "lots", null) means the API changed under us.
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

inline bool has_both(const nlohmann::json& object, const char* videos, const char* views) {
  return object.is_object() && object.contains(videos) && object.contains(views);
}

inline std::variant<Counts, Failure> read_counts(const nlohmann::json& object, const char* videos,
                                                 const char* views, std::string_view where) {
  const auto video_count = parse_count(object.at(videos));
  const auto view_count = parse_count(object.at(views));
  if (!video_count || !view_count) {
    const char* bad = video_count ? views : videos;
    return Failure{HX_REASON_BAD_RESPONSE,
                   std::string(where) + "." + bad +
                       " is not a non-negative integer: " + quote_api_text(object.at(bad).dump())};
  }
  return Counts{*video_count, *view_count};
}

inline std::optional<double> find_credits(const nlohmann::json& body) {
  for (const auto* holder : {&body, body.contains("data") ? &body.at("data") : nullptr}) {
    if (holder == nullptr || !holder->is_object()) continue;
    const auto it = holder->find("credits_remaining");
    if (it != holder->end() && it->is_number()) return it->get<double>();
  }
  return std::nullopt;
}

// The error object of a failed call, {"error": {"code": .., "message": ..}}, as "code: message".
inline std::string describe_error(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("error")) return {};
  const auto& error = json.at("error");
  if (error.is_string()) return quote_api_text(error.get<std::string>());
  if (!error.is_object()) return {};
  std::string text;
  for (const char* key : {"code", "message"}) {
    const auto it = error.find(key);
    if (it == error.end() || it->is_null()) continue;
    if (!text.empty()) text += ": ";
    text += it->is_string() ? it->get<std::string>() : it->dump();
  }
  return quote_api_text(text);
}

inline hx_reason reason_for_status(long status) {
  if (status == 401 || status == 403) return HX_REASON_AUTH;
  if (status == 402) return HX_REASON_CREDITS;
  if (status == 404) return HX_REASON_NOT_FOUND;
  if (status == 429) return HX_REASON_RATE_LIMITED;
  if (status >= 400 && status <= 499) return HX_REASON_HTTP_4XX;
  if (status >= 500 && status <= 599) return HX_REASON_HTTP_5XX;
  return HX_REASON_BAD_RESPONSE;  // 1xx and 3xx: nothing this API should answer
}

}  // namespace detail

// Reads the counts of a 2xx answer from data.challengeInfo.statsV2, else data.challengeInfo.stats,
// else the top-level video_count/view_count of the tutorial's shape.
inline ParsedResponse parse_success_body(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded())
    return {Failure{HX_REASON_BAD_RESPONSE, "response is not valid JSON"}, {}};
  if (!json.is_object())
    return {Failure{HX_REASON_BAD_RESPONSE, "response is not a JSON object"}, {}};

  ParsedResponse parsed{Counts{}, detail::find_credits(json)};
  const auto data = json.find("data");
  const nlohmann::json* info = nullptr;
  if (data != json.end() && data->is_object()) {
    const auto it = data->find("challengeInfo");
    if (it != data->end() && !it->is_null()) info = &*it;
  }
  if (info != nullptr) {
    if (!info->is_object()) {
      parsed.result = Failure{HX_REASON_BAD_RESPONSE, "data.challengeInfo is not an object"};
    } else if (detail::has_both(info->value("statsV2", nlohmann::json()), "videoCount",
                                "viewCount")) {
      parsed.result = detail::read_counts(info->at("statsV2"), "videoCount", "viewCount",
                                          "data.challengeInfo.statsV2");
    } else if (detail::has_both(info->value("stats", nlohmann::json()), "videoCount",
                                "viewCount")) {
      parsed.result = detail::read_counts(info->at("stats"), "videoCount", "viewCount",
                                          "data.challengeInfo.stats");
    } else {
      parsed.result =
          Failure{HX_REASON_BAD_RESPONSE,
                  "data.challengeInfo has no statsV2 or stats with videoCount and viewCount"};
    }
  } else if (json.contains("video_count") || json.contains("view_count")) {
    parsed.result = detail::has_both(json, "video_count", "view_count")
                        ? detail::read_counts(json, "video_count", "view_count", "response")
                        : Failure{HX_REASON_BAD_RESPONSE,
                                  "response has only one of video_count and view_count"};
  } else if (data != json.end()) {
    parsed.result =
        Failure{HX_REASON_NOT_FOUND, "no data.challengeInfo: TikTok knows no such hashtag"};
  } else {
    const auto error = detail::describe_error(json);
    parsed.result =
        Failure{HX_REASON_BAD_RESPONSE,
                error.empty() ? "response has neither data.challengeInfo nor video_count"
                              : "response has no counts but an error: " + error};
  }
  return parsed;
}

// The outcome of one call, whatever happened to it on the way.
inline ParsedResponse interpret_response(const sdk::HttpResponse& response) {
  const std::string after =
      response.attempts > 1 ? " (after " + std::to_string(response.attempts) + " attempts)" : "";
  switch (response.transport) {
    case HX_TRANSPORT_OK: break;
    case HX_TRANSPORT_TIMEOUT:
      return {Failure{HX_REASON_TIMEOUT, "no answer from the API in time" + after}, {}};
    case HX_TRANSPORT_BODY_TOO_LARGE:
      return {Failure{HX_REASON_BAD_RESPONSE, "response too large (max_response_bytes): " +
                                                  detail::quote_api_text(response.error)},
              {}};
    case HX_TRANSPORT_CONNECT_FAILED:
    case HX_TRANSPORT_OTHER:
      return {Failure{HX_REASON_TIMEOUT,
                      "no answer from the API: " + detail::quote_api_text(response.error) + after},
              {}};
  }
  if (response.status >= 200 && response.status <= 299) return parse_success_body(response.body);

  const auto json = nlohmann::json::parse(response.body, nullptr, false);
  const auto error = detail::describe_error(json);
  std::string message = "HTTP " + std::to_string(response.status);
  if (!error.empty()) message += ": " + error;
  return {Failure{detail::reason_for_status(response.status), message + after},
          json.is_object() ? detail::find_credits(json) : std::nullopt};
}

}  // namespace hashtag_exporter::tiktok
