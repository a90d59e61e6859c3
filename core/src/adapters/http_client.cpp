#include <hashtag_exporter/http_client.hpp>
#include <hashtag_exporter/plugin/trim.hpp>
#include <hashtag_exporter/time_arithmetic.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <climits>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>

namespace hashtag_exporter {
namespace {

using Clock = std::chrono::steady_clock;

void initialise_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("curl_global_init failed");
    }
  });
}

struct EasyCleanup {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiCleanup {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct SlistCleanup {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

HttpClientOptions normalised(HttpClientOptions options) {
  options.max_in_flight = std::max<std::uint32_t>(options.max_in_flight, 1);
  options.max_attempts = std::max<std::uint32_t>(options.max_attempts, 1);
  return options;
}

// What a finished transfer's code means to a plugin. A server that cannot be reached (no such
// name, connection refused or reset, closed without an answer, a failed TLS handshake) is not a
// timeout: only running out of time is.
hx_transport_result classify(CURLcode code, bool body_too_large) {
  if (body_too_large || code == CURLE_FILESIZE_EXCEEDED) return HX_TRANSPORT_BODY_TOO_LARGE;
  switch (code) {
    case CURLE_OK: return HX_TRANSPORT_OK;
    case CURLE_OPERATION_TIMEDOUT: return HX_TRANSPORT_TIMEOUT;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR: return HX_TRANSPORT_UNREACHABLE;
    default: return HX_TRANSPORT_OTHER;
  }
}

// Failures of the network that another attempt may not meet: every timed-out or unreachable
// transfer (classify's list) and a stream broken half-way. A malformed URL, a refused
// certificate or an oversized body will fail the same way again.
bool is_transient(CURLcode code) {
  switch (classify(code, false)) {
    case HX_TRANSPORT_TIMEOUT:
    case HX_TRANSPORT_UNREACHABLE: return true;
    default: break;
  }
  switch (code) {
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return true;
    default: return false;
  }
}

bool is_transient_status(std::int32_t status) {
  return status == 429 || (status >= 500 && status <= 599);
}

struct Job {
  HttpRequest request;
  HttpClient::Done done;
  std::uint32_t attempts = 0;
};

// One attempt of a job, owned by the client while libcurl runs it. Its address is handed to
// libcurl's callbacks, so it lives on the heap.
struct Transfer {
  std::unique_ptr<Job> job;
  std::unique_ptr<CURL, EasyCleanup> easy;
  std::unique_ptr<curl_slist, SlistCleanup> headers;
  std::size_t max_body_bytes = 0;
  std::string body;
  bool body_too_large = false;
  std::string retry_after;
  char error[CURL_ERROR_SIZE] = {};

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto& self = *static_cast<Transfer*>(user);
    const std::size_t bytes = size * count;
    if (self.body.size() + bytes > self.max_body_bytes) {
      self.body_too_large = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    self.body.append(data, bytes);
    return bytes;
  }

  // Each response (a redirect, a 100 Continue) starts with its status line; only the last
  // response's Retry-After counts.
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto& self = *static_cast<Transfer*>(user);
    const std::size_t bytes = size * count;
    const std::string_view line(data, bytes);
    constexpr std::string_view kRetryAfter = "retry-after:";
    if (line.starts_with("HTTP/")) {
      self.retry_after.clear();
    } else if (line.size() >= kRetryAfter.size() &&
               iequals(line.substr(0, kRetryAfter.size()), kRetryAfter)) {
      self.retry_after = sdk::trim(line.substr(kRetryAfter.size()));
    }
    return bytes;
  }
};

struct Completion {
  HttpClient::Done done;
  HttpResponse result;
};

}  // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::time_t now) {
  value = sdk::trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t seconds = 0;
    if (std::from_chars(value.data(), value.data() + value.size(), seconds).ec ==
        std::errc::result_out_of_range) {
      return std::chrono::seconds(std::numeric_limits<std::int64_t>::max());
    }
    return std::chrono::seconds(seconds);
  }
  const std::string text(value);
  const std::time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  return std::chrono::seconds(std::max<std::int64_t>(0, when - now));
}

std::chrono::milliseconds backoff_limit(const HttpClientOptions& options, std::uint32_t attempts) {
  const auto cap = std::max(options.max_backoff, std::chrono::milliseconds::zero());
  auto backoff = std::clamp(options.initial_backoff, std::chrono::milliseconds::zero(), cap);
  // Doubling stops at the cap (and at once for 0), so neither a cap near the largest duration
  // nor a large attempt count overflows or loops long.
  for (std::uint32_t retry = 1; retry < attempts && backoff > backoff.zero() && backoff < cap;
       ++retry) {
    backoff = backoff > cap / 2 ? cap : backoff * 2;
  }
  return backoff;
}

struct HttpClient::Impl {
  HttpClientOptions options;
  std::unique_ptr<CURLM, MultiCleanup> multi;
  // Jobs waiting for their first attempt or a retry, by the earliest time they may start.
  std::multimap<Clock::time_point, std::unique_ptr<Job>> queue;
  std::map<CURL*, std::unique_ptr<Transfer>> running;
  std::deque<Completion> completed;
  std::optional<Clock::time_point> last_start;
  std::mt19937_64 random{std::random_device{}()};
  std::atomic<bool> cancelled{false};

  ~Impl() {
    for (const auto& [easy, transfer] : running) curl_multi_remove_handle(multi.get(), easy);
  }

  Clock::time_point next_start_slot() const {
    if (options.requests_per_minute == 0 || !last_start) return Clock::time_point::min();
    return *last_start + std::chrono::duration_cast<Clock::duration>(std::chrono::minutes(1)) /
                             options.requests_per_minute;
  }

  bool has_room() const { return running.size() < options.max_in_flight; }

  void start_due_jobs() {
    while (has_room() && !queue.empty()) {
      const auto now = Clock::now();
      if (queue.begin()->first > now || next_start_slot() > now) return;
      auto job = std::move(queue.begin()->second);
      queue.erase(queue.begin());
      last_start = now;
      start(std::move(job));
    }
  }

  void start(std::unique_ptr<Job> job) {
    ++job->attempts;
    auto transfer = std::make_unique<Transfer>();
    transfer->job = std::move(job);
    transfer->max_body_bytes = options.max_body_bytes;
    transfer->easy.reset(curl_easy_init());
    if (!transfer->easy) {
      fail_without_transfer(*transfer, "cannot create a libcurl transfer");
      return;
    }
    CURL* easy = transfer->easy.get();
    const HttpRequest& request = transfer->job->request;
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      // "Name;" is how libcurl is told to send a header with an empty value.
      headers =
          curl_slist_append(headers, (value.empty() ? name + ";" : name + ": " + value).c_str());
    }
    // The APIs we call answer small bodies directly; waiting for 100 Continue only adds delay.
    headers = curl_slist_append(headers, "Expect:");
    transfer->headers.reset(headers);

    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    if (request.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      if (request.method != "POST") {
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      }
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers.get());
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "hashtag_exporter");
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.timeout.count()));
    // Refuses an announced oversized body before any of it arrives; on_body catches the rest.
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(std::min<std::size_t>(
                         options.max_body_bytes, std::numeric_limits<curl_off_t>::max())));
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());

    if (curl_multi_add_handle(multi.get(), easy) != CURLM_OK) {
      fail_without_transfer(*transfer, "cannot add a transfer to libcurl");
      return;
    }
    running.emplace(easy, std::move(transfer));
  }

  void fail_without_transfer(Transfer& transfer, std::string error) {
    fail(*transfer.job, HX_TRANSPORT_OTHER, std::move(error));
  }

  void fail(Job& job, hx_transport_result transport, std::string error) {
    HttpResponse result;
    result.transport = transport;
    result.error = std::move(error);
    result.attempts = job.attempts;
    completed.push_back({std::move(job.done), std::move(result)});
  }

  static constexpr const char* kCancelled = "cancelled: the exporter is shutting down or reloading";

  void abandon_everything() {
    for (auto& [easy, transfer] : running) {
      curl_multi_remove_handle(multi.get(), easy);
      fail(*transfer->job, HX_TRANSPORT_CANCELLED, kCancelled);
    }
    running.clear();
    for (auto& [due, job] : queue) fail(*job, HX_TRANSPORT_CANCELLED, kCancelled);
    queue.clear();
  }

  void collect_finished() {
    int remaining = 0;
    while (const CURLMsg* message = curl_multi_info_read(multi.get(), &remaining)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      const CURLcode code = message->data.result;
      curl_multi_remove_handle(multi.get(), easy);
      auto node = running.extract(easy);
      finish(*node.mapped(), code);
    }
  }

  void finish(Transfer& transfer, CURLcode code) {
    HttpResponse result;
    result.attempts = transfer.job->attempts;
    result.transport = classify(code, transfer.body_too_large);
    if (result.transport == HX_TRANSPORT_OK) {
      long status = 0;
      curl_easy_getinfo(transfer.easy.get(), CURLINFO_RESPONSE_CODE, &status);
      result.status = static_cast<std::int32_t>(status);  // libcurl's status codes are 3 digits
      result.body = std::move(transfer.body);
    } else if (result.transport == HX_TRANSPORT_BODY_TOO_LARGE) {
      result.error =
          "response body larger than " + std::to_string(options.max_body_bytes) + " bytes";
    } else {
      // libcurl's own words name the host and what failed; they never quote request headers.
      result.error = transfer.error[0] != '\0' ? transfer.error : curl_easy_strerror(code);
    }

    const bool transient = result.transport == HX_TRANSPORT_OK ? is_transient_status(result.status)
                                                               : is_transient(code);
    if (transient && transfer.job->attempts < options.max_attempts) {
      queue.emplace(retry_time(transfer), std::move(transfer.job));
      return;
    }
    completed.push_back({std::move(transfer.job->done), std::move(result)});
  }

  // When a transient failure may be tried again. Neither a Retry-After of centuries, nor a
  // large max_backoff, nor many attempts can overflow into a time that is already past (which
  // would retry at once, again and again): every step saturates.
  Clock::time_point retry_time(const Transfer& transfer) {
    const auto now = Clock::now();
    if (const auto asked = parse_retry_after(transfer.retry_after, std::time(nullptr))) {
      if (*asked >= std::chrono::ceil<std::chrono::seconds>(options.max_backoff)) {
        return saturating_add(now, options.max_backoff);
      }
      return saturating_add(now, *asked);
    }
    // Full jitter spreads clients that failed together so that they do not retry together.
    std::uniform_int_distribution<std::chrono::milliseconds::rep> jitter(
        0, backoff_limit(options, transfer.job->attempts).count());
    return saturating_add(now, std::chrono::milliseconds(jitter(random)));
  }

  // How long the event loop may sleep when libcurl has nothing to say: until the next queued job
  // may start, if there is room for it. libcurl shortens the wait for its own timers.
  int poll_timeout_ms() const {
    constexpr int kIdlePollMs = 1000;
    if (!has_room() || queue.empty()) return kIdlePollMs;
    const auto due = std::max(queue.begin()->first, next_start_slot());
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now());
    return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(wait.count(), 0, INT_MAX));
  }
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>()) {
  initialise_curl_once();
  impl_->options = normalised(options);
  impl_->multi.reset(curl_multi_init());
  if (!impl_->multi) throw std::runtime_error("curl_multi_init failed");
}

HttpClient::~HttpClient() = default;

void HttpClient::set_options(const HttpClientOptions& options) {
  impl_->options = normalised(options);
}

const HttpClientOptions& HttpClient::options() const { return impl_->options; }

void HttpClient::submit(HttpRequest request, Done done) {
  impl_->queue.emplace(Clock::now(),
                       std::make_unique<Job>(Job{std::move(request), std::move(done)}));
}

void HttpClient::wait() {
  Impl& self = *impl_;
  while (true) {
    // Callbacks run one at a time and may submit more; one that throws leaves the rest queued
    // for the next wait().
    while (!self.completed.empty()) {
      Completion completion = std::move(self.completed.front());
      self.completed.pop_front();
      completion.done(completion.result);
    }
    if (self.cancelled) {
      self.abandon_everything();
      if (!self.completed.empty()) continue;
    }
    if (self.queue.empty() && self.running.empty()) return;
    self.start_due_jobs();
    int still_running = 0;
    curl_multi_perform(self.multi.get(), &still_running);
    self.collect_finished();
    if (self.completed.empty()) {
      curl_multi_poll(self.multi.get(), nullptr, 0, self.poll_timeout_ms(), nullptr);
    }
  }
}

void HttpClient::cancel() {
  impl_->cancelled = true;
  curl_multi_wakeup(impl_->multi.get());
}

}  // namespace hashtag_exporter
