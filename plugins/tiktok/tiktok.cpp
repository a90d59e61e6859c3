// The `tiktok` source: hashtag counts from Scavio's TikTok API. Settings are listed in README.md.
#include "response_parser.hpp"

#include <hashtag_exporter/plugin/sdk.hpp>
#include <hashtag_exporter/plugin/sdk_http.hpp>

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hashtag_exporter::tiktok {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kDefaultApiUrl = "https://api.scavio.dev";
constexpr std::string_view kDefaultKeyVariable = "SCAVIO_API_KEY";
constexpr std::string_view kEndpoint = "/api/v1/tiktok/hashtag";

// The key goes into a header line: it must not end it early. Messages name where the key came
// from, never the key.
std::string checked_key(std::string_view key, const std::string& setting,
                        const std::string& origin) {
  key = sdk::trim(key);
  if (key.empty())
    throw sdk::SettingsError(setting, origin + " is empty; it must hold the Scavio API key");
  const bool printable = std::all_of(key.begin(), key.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
  });
  if (!printable) throw sdk::SettingsError(setting, origin + " holds control characters");
  return std::string(key);
}

std::string load_api_key(const sdk::Host& host, sdk::Settings& settings) {
  const auto variable = settings.optional_string("api_key_env");
  const auto file = settings.optional_string("api_key_file");
  if (variable && file) {
    throw sdk::SettingsError("api_key_file", "set either api_key_env or api_key_file, not both");
  }
  if (file) {
    const auto origin = "the API key file " + *file;
    const auto text = sdk::read_secret_file(*file, "api_key_file", origin);
    struct stat status {};
    if (stat(file->c_str(), &status) == 0 && (status.st_mode & S_IROTH) != 0) {
      host.log(HX_LOG_WARN, origin + " is readable by every user of this machine; chmod 600 it");
    }
    return checked_key(text, "api_key_file", origin);
  }
  const std::string name = variable.value_or(std::string(kDefaultKeyVariable));
  if (name.empty())
    throw sdk::SettingsError("api_key_env", "expected an environment variable name");
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    throw sdk::SettingsError("api_key_env", "environment variable " + name +
                                                " is not set; it must hold the Scavio API key");
  }
  return checked_key(value, "api_key_env", "environment variable " + name);
}

std::string load_api_url(sdk::Settings& settings) {
  std::string url = settings.string("api_url", std::string(kDefaultApiUrl));
  sdk::check_http_url("api_url", url);
  // The endpoint's path is appended to it: a query would end up in front of it.
  if (url.find('?') != std::string::npos) {
    throw sdk::SettingsError(
        "api_url", "expected a base URL without a query (?...), got " + nlohmann::json(url).dump());
  }
  while (url.ends_with('/')) url.pop_back();
  return url;
}

class TiktokSource : public sdk::Source {
 public:
  TiktokSource(const sdk::Host& host, sdk::Settings& settings)
      : host_(host),
        endpoint_(load_api_url(settings) + std::string(kEndpoint)),
        api_key_(load_api_key(host, settings)) {
    sdk::configure_http_from_settings(host_, settings);
  }

  void collect(std::span<const std::string> hashtags, sdk::Results& results) override {
    std::optional<double> credits;
    for (const auto& hashtag : hashtags) {
      const auto done = [this, hashtag, &results, &credits](const sdk::HttpResponse& response) {
        report(hashtag, interpret_response(response), results, credits);
      };
      if (!host_.submit(request_for(hashtag), done)) {
        report(hashtag, {Failure{HX_REASON_BAD_RESPONSE, "the host refused the request"}, {}},
               results, credits);
      }
    }
    host_.wait();
    if (credits) results.credits_remaining(*credits);
  }

 private:
  sdk::HttpRequest request_for(const std::string& hashtag) const {
    const nlohmann::json body{{"hashtag_name", hashtag}};
    return sdk::HttpRequest{"POST",
                            endpoint_,
                            {{"Authorization", "Bearer " + api_key_},
                             {"Content-Type", "application/json"},
                             {"Accept", "application/json"}},
                            body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  }

  // Answers arrive in any order when requests overlap; the smallest credit balance is the latest.
  void report(const std::string& hashtag, const ParsedResponse& parsed, sdk::Results& results,
              std::optional<double>& credits) const {
    if (parsed.credits_remaining) {
      credits = credits ? std::min(*credits, *parsed.credits_remaining) : *parsed.credits_remaining;
    }
    if (const auto* counts = std::get_if<Counts>(&parsed.result)) {
      results.sample(hashtag, counts->videos, counts->views);
      return;
    }
    // The host logs every failure with its reason; logging here too would double the lines.
    const auto& failure = std::get<Failure>(parsed.result);
    results.failure(hashtag, failure.reason, failure.message);
  }

  sdk::Host host_;
  std::string endpoint_;
  std::string api_key_;
};

}  // namespace
}  // namespace hashtag_exporter::tiktok

HASHTAG_EXPORTER_PLUGIN(hashtag_exporter::tiktok::TiktokSource, "tiktok", "1.0.0")
