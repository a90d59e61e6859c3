// Turns Scavio's answers to POST /api/v1/tiktok/hashtag into counts or a failure reason. Pure
// functions, header-only so that the tests compile the same code as the plugin.
#pragma once

#include <hashtag_exporter/plugin/abi.h>
#include <hashtag_exporter/plugin/sdk.hpp>
#include <hashtag_exporter/plugin/sdk_http.hpp>

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

using sdk::Failure;

struct ParsedResponse {
  std::variant<Counts, Failure> result;
  std::optional<double> credits_remaining;
};

namespace detail {

inline bool has_both(const nlohmann::json& object, const char* videos, const char* views) {
  return object.is_object() && object.contains(videos) && object.contains(views);
}

inline std::variant<Counts, Failure> read_counts(const nlohmann::json& object, const char* videos,
                                                 const char* views, std::string_view where) {
  const auto video_count = sdk::parse_count(object.at(videos));
  const auto view_count = sdk::parse_count(object.at(views));
  if (!video_count || !view_count) {
    const char* bad = video_count ? views : videos;
    return Failure{HX_REASON_BAD_RESPONSE,
                   std::string(where) + "." + bad +
                       " is not a non-negative integer: " + sdk::quote_text(object.at(bad).dump())};
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
  if (error.is_string()) return sdk::quote_text(error.get<std::string>());
  if (!error.is_object()) return {};
  std::string text;
  for (const char* key : {"code", "message"}) {
    const auto it = error.find(key);
    if (it == error.end() || it->is_null()) continue;
    if (!text.empty()) text += ": ";
    text += it->is_string() ? it->get<std::string>() : it->dump();
  }
  return sdk::quote_text(text);
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
  if (auto failure = sdk::transport_failure(response)) return {std::move(*failure), {}};
  if (response.status >= 200 && response.status <= 299) return parse_success_body(response.body);

  const auto json = nlohmann::json::parse(response.body, nullptr, false);
  const auto error = detail::describe_error(json);
  std::string message = "HTTP " + std::to_string(response.status);
  if (!error.empty()) message += ": " + error;
  if (response.attempts > 1)
    message += " (after " + std::to_string(response.attempts) + " attempts)";
  return {Failure{sdk::reason_for_status(response.status), message},
          json.is_object() ? detail::find_credits(json) : std::nullopt};
}

}  // namespace hashtag_exporter::tiktok
