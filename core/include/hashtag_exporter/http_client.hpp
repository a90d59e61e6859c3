#pragma once

#include <hashtag_exporter/plugin/sdk.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hashtag_exporter {

struct HttpClientOptions {
  std::chrono::milliseconds timeout{15'000};
  std::uint32_t max_in_flight = 1;
  std::uint32_t requests_per_minute = 0;  // 0: no limit
  std::uint32_t max_attempts = 3;
  std::chrono::milliseconds initial_backoff{1'000};
  std::chrono::milliseconds max_backoff{60'000};
  std::size_t max_body_bytes = 4 * 1024 * 1024;
};

// The host's HTTP client speaks the plugin SDK's types, so that a plugin's request reaches libcurl
// and its response comes back through one translation (sdk::copy_request, sdk::raw_response).
using HttpRequest = sdk::HttpRequest;
using HttpResponse = sdk::HttpResponse;

// The HTTP client the core lends to plugins (libcurl). Requests are queued by submit() and run by
// wait() within the limits of the options; 429, 5xx and network errors are retried with
// exponential backoff and full jitter, honouring Retry-After (seconds or HTTP date).
// One thread uses a client at a time.
class HttpClient {
 public:
  using Done = std::function<void(const HttpResponse&)>;

  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void set_options(const HttpClientOptions& options);
  const HttpClientOptions& options() const;

  void submit(HttpRequest request, Done done);
  // Runs every queued request to completion; `done` callbacks run on this thread.
  void wait();
  // Gives up on every running and queued request, now and later: they complete at once as
  // HX_TRANSPORT_CANCELLED. Safe to call from any thread, e.g. on shutdown.
  void cancel();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The longest wait before the attempt after `attempts` failed ones when the server said nothing
// (the wait is a random part of it): initial_backoff * 2^(attempts - 1), at most max_backoff.
std::chrono::milliseconds backoff_limit(const HttpClientOptions& options, std::uint32_t attempts);

// How long a Retry-After header value asks to wait from `now`: delta seconds or an HTTP date (a
// date in the past means no wait). nullopt when the value is neither.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::time_t now);

}  // namespace hashtag_exporter
