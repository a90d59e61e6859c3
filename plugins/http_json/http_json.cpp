// The `http_json` source: hashtag counts from any REST API that answers JSON. One request per
// hashtag built from templates; the counts are read at two JSON paths. Settings: README.md.
#include "json_path.hpp"

#include <hashtag_exporter/plugin/sdk.hpp>
#include <hashtag_exporter/plugin/sdk_http.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hashtag_exporter::http_json {
namespace {

std::string load_method(sdk::Settings& settings) {
  std::string method = settings.string("method", "GET");
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (method != "GET" && method != "POST")
    throw sdk::SettingsError("method", "expected GET or POST");
  return method;
}

std::string load_url(sdk::Settings& settings) {
  const auto url = settings.optional_string("url");
  if (!url)
    throw sdk::SettingsError(
        "url", "required: the URL template, e.g. https://api.example.com/tags/{hashtag}");
  // Checked as a request would send it, with a hashtag in place of each placeholder.
  sdk::check_http_url("url", sdk::substitute_hashtag(*url, "hashtag", sdk::url_encode));
  return *url;
}

JsonPath load_path(sdk::Settings& settings, const std::string& key) {
  const auto text = settings.optional_string(key);
  if (!text)
    throw sdk::SettingsError(
        key, "required: a JSON Pointer (/data/count) or a dotted path (data.count)");
  try {
    return JsonPath(*text);
  } catch (const std::exception& e) {
    throw sdk::SettingsError(key, e.what());
  }
}

// Header values may reference secrets; they are expanded once, here, and never logged.
std::vector<std::pair<std::string, std::string>> load_headers(sdk::Settings& settings) {
  std::vector<std::pair<std::string, std::string>> headers;
  const auto* raw = settings.raw("headers");
  if (raw == nullptr) return headers;
  if (!raw->is_object())
    throw sdk::SettingsError("headers", "expected a mapping of header names to values");
  for (const auto& [name, value] : raw->items()) {
    const bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) ||
             std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
    if (!token)
      throw sdk::SettingsError("headers",
                               "\"" + sdk::quote_text(name, 60) + "\" is not a header name");
    std::string text;
    if (value.is_string())
      text = value.get<std::string>();
    else if (value.is_number())
      text = value.dump();
    else
      throw sdk::SettingsError("headers", "the value of " + name + " must be a string");
    headers.emplace_back(name, sdk::expand_secrets(text, "headers"));
  }
  return headers;
}

std::vector<long> load_not_found(sdk::Settings& settings) {
  const auto* raw = settings.raw("not_found_statuses");
  if (raw == nullptr) return {404};
  if (!raw->is_array())
    throw sdk::SettingsError("not_found_statuses",
                             "expected a list of HTTP statuses such as [404]");
  std::vector<long> statuses;
  for (const auto& item : *raw) {
    const auto status = sdk::parse_count(item);
    if (!status || *status < 100 || *status > 599)
      throw sdk::SettingsError("not_found_statuses", "expected HTTP statuses between 100 and 599");
    statuses.push_back(static_cast<long>(*status));
  }
  return statuses;
}

class HttpJsonSource : public sdk::Source {
 public:
  HttpJsonSource(const sdk::Host& host, sdk::Settings& settings)
      : host_(host),
        method_(load_method(settings)),
        url_(load_url(settings)),
        headers_(load_headers(settings)),
        body_(settings.optional_string("body")),
        video_path_(load_path(settings, "video_count_path")),
        view_path_(load_path(settings, "view_count_path")),
        not_found_(load_not_found(settings)) {
    if (body_ && method_ == "GET") throw sdk::SettingsError("body", "a body needs method: POST");
    sdk::configure_http_from_settings(host_, settings);
  }

  void collect(std::span<const std::string> hashtags, sdk::Results& results) override {
    for (const auto& hashtag : hashtags) {
      const auto done = [this, hashtag, &results](const sdk::HttpResponse& response) {
        report(hashtag, interpret(response), results);
      };
      if (!host_.submit(request_for(hashtag), done)) {
        results.failure(hashtag, HX_REASON_BAD_RESPONSE, "the host refused the request");
      }
    }
    host_.wait();
  }

 private:
  struct Counts {
    std::int64_t videos;
    std::int64_t views;
  };

  sdk::HttpRequest request_for(const std::string& hashtag) const {
    sdk::HttpRequest request;
    request.method = method_;
    request.url = sdk::substitute_hashtag(url_, hashtag, sdk::url_encode);
    request.headers = headers_;
    if (body_) request.body = sdk::substitute_hashtag(*body_, hashtag, sdk::json_escape);
    return request;
  }

  static void report(const std::string& hashtag, const std::variant<Counts, sdk::Failure>& result,
                     sdk::Results& results) {
    if (const auto* counts = std::get_if<Counts>(&result)) {
      results.sample(hashtag, counts->videos, counts->views);
    } else {
      const auto& failure = std::get<sdk::Failure>(result);
      results.failure(hashtag, failure.reason, failure.message);
    }
  }

  std::variant<Counts, sdk::Failure> interpret(const sdk::HttpResponse& response) const {
    if (auto failure = sdk::transport_failure(response)) return *failure;
    const long status = response.status;
    if (std::find(not_found_.begin(), not_found_.end(), status) != not_found_.end()) {
      return sdk::Failure{HX_REASON_NOT_FOUND,
                          "HTTP " + std::to_string(status) + " (not_found_statuses)"};
    }
    if (status < 200 || status > 299) {
      const hx_reason reason = status == 404 ? HX_REASON_HTTP_4XX : sdk::reason_for_status(status);
      return sdk::Failure{
          reason, "HTTP " + std::to_string(status) + ": " + sdk::quote_text(response.body, 120)};
    }
    const auto json = nlohmann::json::parse(response.body, nullptr, false);
    if (json.is_discarded()) {
      return sdk::Failure{HX_REASON_BAD_RESPONSE,
                          "response is not valid JSON: " + sdk::quote_text(response.body, 80)};
    }
    std::int64_t values[2] = {0, 0};
    const JsonPath* paths[2] = {&video_path_, &view_path_};
    for (int i = 0; i < 2; ++i) {
      std::string missing;
      const auto* value = paths[i]->find(json, &missing);
      if (value == nullptr) {
        return sdk::Failure{HX_REASON_BAD_RESPONSE, "response has nothing at " + paths[i]->text() +
                                                        " (no " + missing + ")"};
      }
      const auto count = sdk::parse_count(*value);
      if (!count) {
        return sdk::Failure{HX_REASON_BAD_RESPONSE, paths[i]->text() +
                                                        " is not a non-negative integer: " +
                                                        sdk::quote_text(value->dump(), 80)};
      }
      values[i] = *count;
    }
    return Counts{values[0], values[1]};
  }

  sdk::Host host_;
  std::string method_;
  std::string url_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::optional<std::string> body_;
  JsonPath video_path_;
  JsonPath view_path_;
  std::vector<long> not_found_;
};

}  // namespace
}  // namespace hashtag_exporter::http_json

HASHTAG_EXPORTER_PLUGIN(hashtag_exporter::http_json::HttpJsonSource, "http_json", "1.0.0")
