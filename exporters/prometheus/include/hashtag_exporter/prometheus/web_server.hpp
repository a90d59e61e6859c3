#pragma once

#include <hashtag_exporter/prometheus/exposition.hpp>
#include <hashtag_exporter/prometheus/web_config.hpp>
#include <hashtag_exporter/state.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashtag_exporter::prometheus_exporter {

// Bounds on what clients can make the server hold.
// Requests served at once (civetweb's worker threads; more wait in its queue). A few scrapers,
// a browser and a reload need far fewer; every one is a thread with its own stack.
inline constexpr int kWorkerThreads = 8;
// How long a client has to send its request head, in total: civetweb's request_timeout_ms,
// which counts from the start of the request, not from the last byte. A scraper sends its head
// in one packet; a client that sends nothing, or a byte at a time, holds a worker until then.
// Bodies are never waited for: no endpoint takes one.
inline constexpr std::chrono::milliseconds kRequestTimeout{10000};
// How long a connection may sit idle between two requests before it is closed (civetweb's
// keep_alive_timeout_ms). Keeping it open spares a scraper a new connection, and with TLS a new
// handshake, for its next request. But an idle connection holds a worker, and civetweb also takes
// this as the deadline for every later request head on it: equal to kRequestTimeout, a kept
// connection holds a worker no longer than a new one that sends nothing already can, and every
// head still has 10 s. Scrapes up to 10 s apart keep their connection; slower ones reconnect.
inline constexpr std::chrono::milliseconds kKeepAliveTimeout = kRequestTimeout;
// The size of a request head: one that does not fit is refused (400) without reaching a
// handler. Far above what a scraper or a browser sends, far below what a worker can hold.
inline constexpr std::size_t kMaxRequestHeadBytes = 16384;

// Why a request for `path` as written can never reach it as the telemetry path, as a phrase
// ("'?' starts the query string, ..."); nothing when it can. Requests are routed by their path
// as civetweb hands it over: without the query, %XX escapes decoded, '\\' turned into '/', and
// empty, '.' and '..' segments and the dots that end a segment removed.
std::optional<std::string> telemetry_path_problem(std::string_view path);

struct WebOptions {
  std::vector<std::string> listen_addresses{":19929"};
  std::string telemetry_path = "/metrics";
  BuildInfo build_info;
  // Whether POST and PUT /-/reload reload the configuration (--web.enable-lifecycle, as in
  // Prometheus); without it they get 403 and nothing is reloaded.
  bool enable_lifecycle = false;
  // TLS, basic auth, response headers and rate limit (--web.config.file); by default none.
  WebConfig web_config;
  // With TLS: the folder of the OpenSSL 3 shims (tls_shim/); empty: found through the run path
  // of the executable, as hashtag_exporter is linked. Tests point it at the build tree.
  std::filesystem::path tls_library_dir;
};

// Hooks into the application the server needs but does not own; both are required. They are
// called on the server's worker threads.
struct WebHooks {
  // Whether config, plugins and history are loaded (/-/ready).
  std::function<bool()> ready;
  // Reloads the configuration; returns an error text, or nothing on success (POST /-/reload
  // with the lifecycle API enabled).
  std::function<std::optional<std::string>()> reload;
};

// Serves /, the telemetry path, /-/healthy, /-/ready, /-/reload and /api/v1/hashtags (civetweb).
// With a web config: every listen address speaks TLS only, every path needs basic auth when
// users are configured (401 otherwise), the configured headers go on every response, and
// requests over the rate limit get 429 (only those that pass basic auth count against it).
// Connections are kept alive between requests for up to kKeepAliveTimeout.
class WebServer {
 public:
  // Starts listening. Throws std::invalid_argument for a malformed listen address, a telemetry
  // path no request can reach or that another endpoint has, or a missing hook, and
  // std::runtime_error naming the addresses when it cannot bind, or saying why when TLS cannot be
  // set up (never falls back to plain HTTP).
  WebServer(WebOptions options, const StateStore& state, WebHooks hooks);
  // Stops listening and waits for requests in flight; civetweb notices the stop within its poll
  // interval, so this takes up to 2 s.
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // The ports actually bound, in the order of the listen addresses (useful with port 0).
  std::vector<int> ports() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hashtag_exporter::prometheus_exporter
