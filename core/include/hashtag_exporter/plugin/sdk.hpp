// C++ SDK for source plugins. Header-only and compiled into each plugin, so that the host and
// the plugin share nothing but the C table of abi.h.
//
//   class MySource : public hashtag_exporter::sdk::Source {
//    public:
//     MySource(const hashtag_exporter::sdk::Host& host, hashtag_exporter::sdk::Settings& s);
//     void collect(std::span<const std::string> hashtags, hashtag_exporter::sdk::Results& out)
//     override;
//   };
//   HASHTAG_EXPORTER_PLUGIN(MySource, "my_source", "1.0.0")
#pragma once

#include <hashtag_exporter/plugin/abi.h>
#include <hashtag_exporter/plugin/reasons.hpp>
#include <hashtag_exporter/plugin/regular_file.hpp>
#include <hashtag_exporter/plugin/trim.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hashtag_exporter::sdk {

inline hx_str to_hx(std::string_view s) { return hx_str{s.data(), s.size()}; }
inline std::string_view from_hx(hx_str s) { return {s.data, s.size}; }

// Thrown by a plugin's constructor when a setting is wrong; the host reports it against the
// line of `key` in the config file.
class SettingsError : public std::runtime_error {
 public:
  SettingsError(std::string key, const std::string& message)
      : std::runtime_error(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// The largest secret file read (an API key, a token). A key is a few hundred bytes; 64 KiB leaves
// room for a PEM key or a long JWT and refuses a log file or a device named by mistake.
constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

// A secret kept in a file (an API key, a token) for setting `key`, surrounding white space
// trimmed. `what` names the file in messages ("the API key file /run/secrets/scavio"); a file
// that is not a regular file of at most kMaxSecretFileBytes is a SettingsError. Messages never
// quote the content.
inline std::string read_secret_file(const std::string& path, const std::string& key,
                                    const std::string& what) {
  std::string text;
  try {
    text = read_regular_file(path, kMaxSecretFileBytes);
  } catch (const FileError& e) {
    throw SettingsError(key, "cannot read " + what + ": " + e.what());
  }
  return std::string(trim(text));
}

// Durations in Prometheus syntax, the same the config file uses: 500ms, 15s, 1m30s, 6h, 1d.
// Nothing when the text is not one, or when it is longer than std::chrono::milliseconds holds
// (about 292 million years), rather than a duration that wrapped around.
inline std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr auto kMaxMs = static_cast<std::uint64_t>(std::chrono::milliseconds::max().count());
  std::uint64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint64_t value = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
      ++i;
      if (++digits > 12) return std::nullopt;
    }
    if (digits == 0) return std::nullopt;
    std::size_t unit_start = i;
    while (i < text.size() && (text[i] < '0' || text[i] > '9')) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    std::uint64_t ms_per_unit = 0;
    if (unit == "ms")
      ms_per_unit = 1;
    else if (unit == "s")
      ms_per_unit = 1000;
    else if (unit == "m")
      ms_per_unit = 60'000;
    else if (unit == "h")
      ms_per_unit = 3'600'000;
    else if (unit == "d")
      ms_per_unit = 86'400'000;
    else if (unit == "w")
      ms_per_unit = 7 * 86'400'000ULL;
    else if (unit == "y")
      ms_per_unit = 365 * 86'400'000ULL;
    else
      return std::nullopt;
    // Twelve digits times a year in milliseconds can pass 2^64: compare by division first.
    if (value > (kMaxMs - total) / ms_per_unit) return std::nullopt;
    total += value * ms_per_unit;
  }
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(total));
}

// The source's `settings` block. Every getter records the key, and `finish()` rejects the keys
// nobody asked for, so a typo is an error rather than a silently ignored setting.
class Settings {
 public:
  explicit Settings(nlohmann::json object) : json_(std::move(object)) {
    if (!json_.is_object()) throw SettingsError("", "settings must be a mapping");
  }

  std::optional<std::string> optional_string(const std::string& key) {
    const auto* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) throw SettingsError(key, "expected a string");
    return value->get<std::string>();
  }
  std::string string(const std::string& key, std::string fallback) {
    return optional_string(key).value_or(std::move(fallback));
  }
  std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) {
    const auto* value = find(key);
    if (value == nullptr) return fallback;
    if (!value->is_number_integer()) throw SettingsError(key, "expected an integer");
    const auto n = value->get<std::int64_t>();
    if (n < min || n > max) {
      throw SettingsError(key, "expected an integer between " + std::to_string(min) + " and " +
                                   std::to_string(max));
    }
    return n;
  }
  std::chrono::milliseconds duration(const std::string& key, std::chrono::milliseconds fallback) {
    const auto* value = find(key);
    if (value == nullptr) return fallback;
    const auto parsed =
        value->is_string() ? parse_duration(value->get<std::string>()) : std::nullopt;
    if (!parsed || parsed->count() == 0) {
      throw SettingsError(key, "expected a positive duration such as 15s or 2m");
    }
    return *parsed;
  }
  const nlohmann::json* raw(const std::string& key) { return find(key); }

  void finish() const {
    for (const auto& [key, value] : json_.items()) {
      bool used = false;
      for (const auto& seen : seen_) used = used || seen == key;
      if (!used) throw SettingsError(key, "unknown setting");
    }
  }

 private:
  const nlohmann::json* find(const std::string& key) {
    seen_.push_back(key);
    const auto it = json_.find(key);
    return it == json_.end() || it->is_null() ? nullptr : &*it;
  }

  nlohmann::json json_;
  std::vector<std::string> seen_;
};

// An HTTP request and its outcome as C++ values. The host's HTTP client takes and returns these
// same types; the functions below are the one translation to and from abi.h's structs.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  hx_transport_result transport = HX_TRANSPORT_OK;
  std::int32_t status = 0;  // the HTTP status when transport is HX_TRANSPORT_OK
  std::string body;
  std::string error;  // transport error text; never contains request headers
  std::uint32_t attempts = 0;
};

// A copy of a request that crossed the boundary (its strings are borrowed for the call only).
inline HttpRequest copy_request(const hx_http_request& raw) {
  HttpRequest request{std::string(from_hx(raw.method)),
                      std::string(from_hx(raw.url)),
                      {},
                      std::string(from_hx(raw.body))};
  request.headers.reserve(raw.header_count);
  for (std::uint64_t i = 0; i < raw.header_count; ++i) {
    request.headers.emplace_back(from_hx(raw.headers[i].name), from_hx(raw.headers[i].value));
  }
  return request;
}

// A request as abi.h's struct, borrowing from `request`, which must outlive it.
class RawRequest {
 public:
  explicit RawRequest(const HttpRequest& request) {
    headers_.reserve(request.headers.size());
    for (const auto& [name, value] : request.headers) {
      headers_.push_back({to_hx(name), to_hx(value)});
    }
    raw_ = {to_hx(request.method), to_hx(request.url), headers_.data(), headers_.size(),
            to_hx(request.body)};
  }
  RawRequest(const RawRequest&) = delete;
  RawRequest& operator=(const RawRequest&) = delete;
  const hx_http_request* get() const { return &raw_; }

 private:
  std::vector<hx_http_header> headers_;
  hx_http_request raw_{};
};

// A response as abi.h's struct, borrowing from `response`, which must outlive it.
inline hx_http_response raw_response(const HttpResponse& response) {
  return {static_cast<std::uint32_t>(response.transport),
          response.status,
          to_hx(response.body),
          to_hx(response.error),
          response.attempts,
          0};
}

// A copy of a response that crossed the boundary.
inline HttpResponse copy_response(const hx_http_response& raw) {
  return {static_cast<hx_transport_result>(raw.transport), raw.status,
          std::string(from_hx(raw.body)), std::string(from_hx(raw.error)), raw.attempts};
}

// The host's services: logging, the clock, the shared HTTP client and cancellation. Keeps the
// host's table, which lives as long as the instance.
class Host {
 public:
  explicit Host(const hx_host* host) : host_(host) {}

  void log(hx_log_level level, std::string_view message) const {
    host_->log(host_->host_ctx, static_cast<std::uint32_t>(level), to_hx(message));
  }
  std::int64_t now_unix_seconds() const { return host_->now_unix_seconds(host_->host_ctx); }

  // Sets the limits of this instance's HTTP client (call from the constructor).
  bool configure_http(const hx_http_options& options) const {
    return host_->http_configure(host_->host_ctx, &options) == HX_OK;
  }

  // Queues a request; `done` runs inside wait(). Returns false if the host refused the request.
  bool submit(const HttpRequest& request, std::function<void(const HttpResponse&)> done) const {
    const RawRequest raw(request);
    auto owned = std::make_unique<std::function<void(const HttpResponse&)>>(std::move(done));
    const auto status = host_->http_submit(host_->host_ctx, raw.get(), &Host::on_done, owned.get());
    if (status != HX_OK) return false;
    owned.release();  // on_done takes it back
    return true;
  }
  void wait() const { host_->http_wait(host_->host_ctx); }

  // Whether the host has cancelled this instance's work (shutdown, reload): work that blocks
  // outside wait() polls this at least every 100 ms and stops when it turns true.
  bool cancelled() const { return host_->cancelled(host_->host_ctx) != 0; }

 private:
  static void on_done(void* user, const hx_http_response* raw) {
    std::unique_ptr<std::function<void(const HttpResponse&)>> done(
        static_cast<std::function<void(const HttpResponse&)>*>(user));
    try {
      (*done)(copy_response(*raw));
    } catch (...) {
      // A throwing callback must not unwind into the host; the hashtag stays unreported and
      // the host records it as a bad response.
    }
  }

  const hx_host* host_;
};

// Results of one collection, forwarded to the host as they arrive.
class Results {
 public:
  explicit Results(const hx_collect_sink* sink) : sink_(sink) {}
  void sample(std::string_view hashtag, std::int64_t video_count, std::int64_t view_count) const {
    sink_->sample(sink_->sink_ctx, to_hx(hashtag), video_count, view_count);
  }
  void failure(std::string_view hashtag, hx_reason reason, std::string_view message) const {
    sink_->failure(sink_->sink_ctx, to_hx(hashtag), static_cast<std::uint32_t>(reason),
                   to_hx(message));
  }
  void credits_remaining(double credits) const {
    sink_->credits_remaining(sink_->sink_ctx, credits);
  }

 private:
  const hx_collect_sink* sink_;
};

class Source {
 public:
  virtual ~Source() = default;
  virtual void collect(std::span<const std::string> hashtags, Results& results) = 0;
};

namespace detail {

inline void copy_into(char* buffer, std::size_t size, std::string_view text) {
  std::snprintf(buffer, size, "%.*s", static_cast<int>(text.size()), text.data());
}

template <class SourceT>
hx_status create(const hx_host* host, hx_str settings_json, void** instance, hx_error* error) {
  try {
    auto json = nlohmann::json::parse(from_hx(settings_json));
    Settings settings(std::move(json));
    auto source = std::make_unique<SourceT>(Host(host), settings);
    settings.finish();
    *instance = source.release();
    return HX_OK;
  } catch (const SettingsError& e) {
    copy_into(error->key, sizeof error->key, e.key());
    copy_into(error->message, sizeof error->message, e.what());
  } catch (const std::exception& e) {
    copy_into(error->key, sizeof error->key, "");
    copy_into(error->message, sizeof error->message, e.what());
  } catch (...) {
    copy_into(error->key, sizeof error->key, "");
    copy_into(error->message, sizeof error->message, "unknown error");
  }
  return HX_ERROR;
}

template <class SourceT>
void collect(void* instance, const hx_str* hashtags, std::uint64_t count,
             const hx_collect_sink* sink) {
  Results results(sink);
  std::vector<std::string> tags;
  try {
    tags.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) tags.emplace_back(from_hx(hashtags[i]));
    static_cast<SourceT*>(instance)->collect(tags, results);
  } catch (const std::exception& e) {
    // The host marks every hashtag without a result as failed; say why once.
    for (const auto& tag : tags) results.failure(tag, HX_REASON_BAD_RESPONSE, e.what());
  } catch (...) {
    for (const auto& tag : tags) results.failure(tag, HX_REASON_BAD_RESPONSE, "unknown error");
  }
}

template <class SourceT>
void destroy(void* instance) {
  delete static_cast<SourceT*>(instance);
}

}  // namespace detail
}  // namespace hashtag_exporter::sdk

// Defines the two exported symbols of a plugin around a Source subclass.
#define HASHTAG_EXPORTER_PLUGIN(SourceClass, plugin_name, plugin_version)                     \
  extern "C" __attribute__((visibility("default")))                                           \
  const uint32_t hashtag_exporter_plugin_abi_version = HX_PLUGIN_ABI_VERSION;                 \
  extern "C" __attribute__((visibility("default"))) const hx_plugin* hashtag_exporter_plugin( \
      void) {                                                                                 \
    static const hx_plugin table{HX_PLUGIN_ABI_VERSION,                                       \
                                 0,                                                           \
                                 plugin_name,                                                 \
                                 plugin_version,                                              \
                                 &::hashtag_exporter::sdk::detail::create<SourceClass>,       \
                                 &::hashtag_exporter::sdk::detail::collect<SourceClass>,      \
                                 &::hashtag_exporter::sdk::detail::destroy<SourceClass>};     \
    return &table;                                                                            \
  }
