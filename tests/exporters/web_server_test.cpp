#include <hashtag_exporter/prometheus/web_server.hpp>

#include "gunzip.hpp"
#include "http.hpp"
#include "raw_connection.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hashtag_exporter::prometheus_exporter {
namespace {

using ::testing::HasSubstr;
using testing::http_get;
using testing::http_request;
using ::testing::Not;
using testing::raw_exchange;

constexpr const char* kExpositionFormat = "text/plain; version=0.0.4; charset=utf-8";

WebHooks always_ready() {
  return {[] { return true; }, [] { return std::optional<std::string>(); }};
}

// One server for every request test: stopping civetweb after it has served takes seconds.
class WebServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    state_ = new StateStore;
    state_->update([](ExporterState& state) {
      SourceConfig tiktok;
      tiktok.name = "tiktok";
      tiktok.plugin = "tiktok";
      state.sources = {
          SourceState(std::make_shared<const SourceConfig>(tiktok), {{}, "tiktok", "1.0.0", 1})};

      HashtagState fetched;
      fetched.source = "tiktok";
      fetched.hashtag = "aitools";
      fetched.latest = Snapshot{1700000000, "tiktok", "aitools", 12345, 9876543210};
      fetched.videos_growth_baseline = {{"1d", {.median_percent = 1.5, .mad_percent = 0.25}}};
      fetched.breakout_score = {{"1d", 4.75}};
      fetched.poll_interval_seconds = 900;
      fetched.next_poll = 1700000900;
      fetched.videos_growth_percent = {{"1d", 5}, {"7d", 12.5}};
      fetched.views_growth_percent = {{"1d", -2.25}};
      fetched.up = true;

      HashtagState never_fetched;
      never_fetched.source = "tiktok";
      never_fetched.hashtag = "newtag";
      never_fetched.last_error = "auth: API key rejected";

      state.hashtags = {fetched, never_fetched};
    });
    WebOptions options;
    options.listen_addresses = {"127.0.0.1:0"};
    options.build_info = {"1.2.3", "abc123"};
    options.enable_lifecycle = true;
    WebHooks hooks{[] { return ready_.load(); },
                   []() -> std::optional<std::string> {
                     std::lock_guard lock(reload_mutex_);
                     ++reloads_;
                     return reload_error_;
                   }};
    server_ = new WebServer(options, *state_, hooks);
    base_url_ = "http://127.0.0.1:" + std::to_string(server_->ports().at(0));
  }

  static void TearDownTestSuite() {
    delete server_;
    delete state_;
  }

  void SetUp() override {
    ready_ = true;
    std::lock_guard lock(reload_mutex_);
    reload_error_.reset();
  }

  static std::string url(const std::string& path) { return base_url_ + path; }

  static void fail_reloads_with(std::string error) {
    std::lock_guard lock(reload_mutex_);
    reload_error_ = std::move(error);
  }

  static int reloads() {
    std::lock_guard lock(reload_mutex_);
    return reloads_;
  }

  static inline StateStore* state_ = nullptr;
  static inline WebServer* server_ = nullptr;
  static inline std::string base_url_;
  static inline std::atomic<bool> ready_ = true;
  static inline std::mutex reload_mutex_;
  static inline std::optional<std::string> reload_error_;
  static inline int reloads_ = 0;
};

TEST_F(WebServerTest, LandingPageLinksEveryEndpoint) {
  const auto reply = http_get(url("/"));

  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_THAT(reply.body, HasSubstr("hashtag_exporter"));
  EXPECT_THAT(reply.body, HasSubstr("1.2.3"));
  for (const char* path : {"/metrics", "/-/healthy", "/-/ready", "/api/v1/hashtags"}) {
    EXPECT_THAT(reply.body, HasSubstr("href=\"" + std::string(path) + "\""));
  }
}

TEST_F(WebServerTest, ServesTheExposition) {
  const auto reply = http_get(url("/metrics"));

  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.headers.at("content-type"), kExpositionFormat);
  EXPECT_EQ(reply.headers.count("content-encoding"), 0U);
  EXPECT_EQ(reply.headers.at("content-length"), std::to_string(reply.body.size()));
  EXPECT_THAT(reply.body,
              HasSubstr("\nhashtag_videos{source=\"tiktok\",hashtag=\"aitools\"} 12345\n"));
  EXPECT_THAT(reply.body, HasSubstr("\nhashtag_up{source=\"tiktok\",hashtag=\"newtag\"} 0\n"));
  EXPECT_THAT(
      reply.body,
      HasSubstr("\nhashtag_exporter_build_info{revision=\"abc123\",version=\"1.2.3\"} 1\n"));
  // Read at the scrape, after the rendered state, and counted in the Content-Length.
  EXPECT_THAT(reply.body,
              HasSubstr("\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds "));
}

TEST_F(WebServerTest, IgnoresTheQueryString) {
  EXPECT_EQ(http_get(url("/metrics?debug=1")).status, 200);
}

TEST_F(WebServerTest, GzipsTheExpositionWhenAccepted) {
  const auto plain = http_get(url("/metrics"));
  const auto compressed = http_request("GET", url("/metrics"), {}, {{"Accept-Encoding", "gzip"}});

  EXPECT_EQ(compressed.status, 200);
  EXPECT_EQ(compressed.headers.at("content-encoding"), "gzip");
  EXPECT_EQ(compressed.headers.at("content-type"), kExpositionFormat);
  EXPECT_EQ(compressed.headers.at("vary"), "Accept-Encoding");
  // The process metrics are read at each scrape: CPU time and memory may differ between the two.
  const auto before_process = [](const std::string& body) {
    const auto start = body.find("# HELP process_");
    EXPECT_NE(start, std::string::npos) << body;
    return body.substr(0, start);
  };
  const auto decompressed = testing::gunzip(compressed.body);
  EXPECT_EQ(before_process(decompressed), before_process(plain.body));
  EXPECT_THAT(decompressed,
              HasSubstr("\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds "));
}

TEST_F(WebServerTest, NegotiatesGzipLikeRfc9110) {
  const auto encoding_for = [](const std::string& accept_encoding) {
    const auto reply =
        http_request("GET", url("/metrics"), {}, {{"Accept-Encoding", accept_encoding}});
    const auto found = reply.headers.find("content-encoding");
    return found == reply.headers.end() ? std::string("identity") : found->second;
  };
  EXPECT_EQ(encoding_for("br;q=1.0, GZIP;q=0.5"), "gzip");
  EXPECT_EQ(encoding_for("*"), "gzip");
  EXPECT_EQ(encoding_for("gzip;q=0"), "identity");
  EXPECT_EQ(encoding_for("gzip; q=0.000, *"), "identity");
  EXPECT_EQ(encoding_for("deflate, identity"), "identity");
}

TEST_F(WebServerTest, HeadAnswersWithoutABody) {
  const auto reply = http_request("HEAD", url("/metrics"));

  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.headers.at("content-type"), kExpositionFormat);
  EXPECT_NE(reply.headers.at("content-length"), "0");
  EXPECT_EQ(reply.body, "");
}

TEST_F(WebServerTest, IsHealthy) {
  const auto reply = http_get(url("/-/healthy"));

  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "Healthy.");
  EXPECT_EQ(reply.headers.at("content-type"), "text/plain; charset=utf-8");
}

TEST_F(WebServerTest, ReadinessFollowsTheHook) {
  ready_ = false;
  const auto not_ready = http_get(url("/-/ready"));
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "Not ready.");

  ready_ = true;
  const auto ready = http_get(url("/-/ready"));
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "Ready.");
}

TEST_F(WebServerTest, ReloadCallsTheHook) {
  const int before = reloads();
  const auto reply = http_request("POST", url("/-/reload"));

  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reloads(), before + 1);
}

TEST_F(WebServerTest, FailedReloadAnswers500WithTheError) {
  fail_reloads_with("hashtag_exporter.yml:3: sources: expected a sequence");
  const auto reply = http_request("POST", url("/-/reload"));

  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.body, "hashtag_exporter.yml:3: sources: expected a sequence");
}

// As Prometheus: POST and PUT.
TEST_F(WebServerTest, ReloadTakesPostAndPutOnly) {
  int before = reloads();
  for (const char* method : {"POST", "PUT"}) {
    const auto reply = http_request(method, url("/-/reload"));
    EXPECT_EQ(reply.status, 200) << method;
    EXPECT_EQ(reply.body, "Reloaded.") << method;
    EXPECT_EQ(reloads(), ++before) << method;
  }
  for (const char* method : {"GET", "HEAD", "DELETE", "PATCH"}) {
    const auto reply = http_request(method, url("/-/reload"));
    EXPECT_EQ(reply.status, 405) << method;
    EXPECT_EQ(reply.headers.at("allow"), "POST, PUT") << method;
  }
  EXPECT_EQ(reloads(), before);
}

TEST_F(WebServerTest, ReadEndpointsRefuseOtherMethods) {
  for (const char* path : {"/", "/metrics", "/-/healthy", "/-/ready", "/api/v1/hashtags"}) {
    const auto reply = http_request("POST", url(path));
    EXPECT_EQ(reply.status, 405) << path;
    EXPECT_EQ(reply.headers.at("allow"), "GET, HEAD") << path;
  }
  EXPECT_EQ(http_request("DELETE", url("/api/v1/hashtags")).status, 405);
}

TEST_F(WebServerTest, UnknownPathsAreNotFound) {
  for (const char* path : {"/nope", "/metrics/", "/api/v1", "/-/"}) {
    EXPECT_EQ(http_get(url(path)).status, 404) << path;
  }
  EXPECT_EQ(http_request("POST", url("/nope")).status, 404);
}

TEST_F(WebServerTest, ListsHashtagsAsJson) {
  const auto reply = http_get(url("/api/v1/hashtags"));
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.headers.at("content-type"), "application/json");

  const auto json = nlohmann::json::parse(reply.body);
  ASSERT_EQ(json.at("hashtags").size(), 2U);
  const auto& fetched = json["hashtags"][0];
  EXPECT_EQ(fetched.at("source"), "tiktok");
  EXPECT_EQ(fetched.at("hashtag"), "aitools");
  EXPECT_EQ(fetched.at("video_count"), 12345);
  EXPECT_EQ(fetched.at("view_count"), 9876543210);
  EXPECT_EQ(fetched.at("snapshot_timestamp"), 1700000000);
  EXPECT_EQ(fetched.at("up"), true);
  EXPECT_EQ(fetched.at("last_success_timestamp"), 1700000000);
  EXPECT_EQ(fetched.at("videos_growth_percent"), (nlohmann::json{{"1d", 5.0}, {"7d", 12.5}}));
  EXPECT_EQ(fetched.at("views_growth_percent"), (nlohmann::json{{"1d", -2.25}}));
  EXPECT_EQ(fetched.at("videos_growth_baseline_percent"), (nlohmann::json{{"1d", 1.5}}));
  EXPECT_EQ(fetched.at("breakout_score"), (nlohmann::json{{"1d", 4.75}}));
  EXPECT_EQ(fetched.at("poll_interval_seconds"), 900);
  EXPECT_EQ(fetched.at("next_poll"), 1700000900);
  EXPECT_TRUE(fetched.at("last_error").is_null());

  const auto& never_fetched = json["hashtags"][1];
  EXPECT_EQ(never_fetched.at("hashtag"), "newtag");
  EXPECT_TRUE(never_fetched.at("video_count").is_null());
  EXPECT_TRUE(never_fetched.at("view_count").is_null());
  EXPECT_TRUE(never_fetched.at("snapshot_timestamp").is_null());
  EXPECT_EQ(never_fetched.at("up"), false);
  EXPECT_TRUE(never_fetched.at("last_success_timestamp").is_null());
  EXPECT_EQ(never_fetched.at("videos_growth_percent"), nlohmann::json::object());
  EXPECT_EQ(never_fetched.at("breakout_score"), nlohmann::json::object());
  EXPECT_TRUE(never_fetched.at("poll_interval_seconds").is_null());
  EXPECT_TRUE(never_fetched.at("next_poll").is_null());
  EXPECT_EQ(never_fetched.at("last_error"), "auth: API key rejected");
}

TEST_F(WebServerTest, ScrapesSeeStateUpdates) {
  state_->update([](ExporterState& state) { state.config_last_reload_successful = false; });
  EXPECT_THAT(http_get(url("/metrics")).body,
              HasSubstr("\nhashtag_exporter_config_last_reload_successful 0\n"));
  state_->update([](ExporterState& state) { state.config_last_reload_successful = true; });
  EXPECT_THAT(http_get(url("/metrics")).body,
              Not(HasSubstr("\nhashtag_exporter_config_last_reload_successful 0\n")));
}

TEST_F(WebServerTest, OversizedRequestsAreRefusedAndTheServerLivesOn) {
  const std::string big(20000, 'a');
  const auto huge_header = http_request("GET", url("/metrics"), {}, {{"X-Big", big}});
  EXPECT_THAT(huge_header.status, ::testing::AnyOf(400, 431));
  const auto huge_uri = http_get(url("/metrics?" + big));
  EXPECT_THAT(huge_uri.status, ::testing::AnyOf(400, 414));
  // Headers within the 16 KiB bound are fine.
  EXPECT_EQ(http_request("GET", url("/metrics"), {}, {{"X-Big", std::string(12000, 'a')}}).status,
            200);

  const int port = server_->ports().at(0);
  // A megabyte of header: refused after the first 16 KiB, without reading the rest.
  EXPECT_THAT(raw_exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                     std::string(1 << 20, 'a') + "\r\n\r\n"),
              HasSubstr(" 400 "));
  EXPECT_THAT(raw_exchange(port, "NONSENSE\r\n\r\n"), HasSubstr(" 400 "));
  EXPECT_THAT(raw_exchange(port, std::string("GET / HTTP/1.1\r\nHost: \0\x01\xff\r\n\r\n", 29)),
              ::testing::StartsWith("HTTP/1."));

  EXPECT_EQ(http_get(url("/-/healthy")).status, 200);
}

TEST_F(WebServerTest, ManyClientsAtOnceAreAllServed) {
  std::vector<std::thread> clients;
  std::atomic<int> ok = 0;
  for (int i = 0; i < 32; ++i) {
    clients.emplace_back([&] {
      for (int j = 0; j < 5; ++j) ok += http_get(url("/metrics"), 10000).status == 200 ? 1 : 0;
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(ok, 32 * 5);
}

TEST_F(WebServerTest, ClientsThatStallOrTrickleTheHeadAreDroppedAtTheRequestTimeout) {
  // The timeout bounds the whole head, not each read: a byte a second does not extend it.
  // civetweb notices it once a read returns, up to a second (a drip) later.
  const auto bound = kRequestTimeout + std::chrono::seconds(5);
  const std::chrono::seconds give_up{30};
  const int port = server_->ports().at(0);
  const testing::RawConnection slow_head(port);
  ASSERT_TRUE(slow_head.send_all("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  auto trickled =
      std::async(std::launch::async, [&] { return testing::trickle(slow_head, "a", give_up); });
  const auto start = std::chrono::steady_clock::now();
  const auto answer = raw_exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n", give_up);
  const auto waited = std::chrono::steady_clock::now() - start;

  EXPECT_LT(waited, bound);
  EXPECT_THAT(answer, ::testing::Not(HasSubstr(" 200 ")));
  const auto slow = trickled.get();
  EXPECT_TRUE(slow.closed);
  EXPECT_LT(slow.lasted, bound);
  EXPECT_THAT(slow.answer, ::testing::Not(HasSubstr(" 200 ")));
  EXPECT_EQ(http_get(url("/-/healthy")).status, 200);
}

// Keep-alive: whatever the answer, the next request goes over the same connection.
TEST_F(WebServerTest, AnswersAClientsRequestsOnOneConnection) {
  testing::HttpSession client;
  std::optional<long> port;
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/metrics"},
                                                        {"HEAD", "/metrics"},
                                                        {"POST", "/-/reload"},
                                                        {"GET", "/nope"},
                                                        {"POST", "/metrics"},
                                                        {"GET", "/metrics"}}) {
    testing::HttpCall call;
    call.method = method;
    call.url = url(path);
    const auto reply = client.request(call);
    const auto what = method + " " + path;
    EXPECT_NE(reply.status, 0) << what << ": " << reply.error;
    if (!port) {
      port = client.last_local_port();
      continue;
    }
    EXPECT_TRUE(client.last_reused_connection()) << what;
    EXPECT_EQ(client.last_local_port(), *port) << what;
  }
}

// A reply is written in parts; with Nagle's algorithm on, the last part of every scrape on a kept
// connection waited for the client's delayed ACK (40 ms on Linux). Scrapes take well under a
// millisecond here, so a median of 20 ms is far from both.
TEST_F(WebServerTest, ScrapesOnAKeptConnectionDoNotWaitForTheClientsDelayedAck) {
  testing::HttpSession client;
  std::vector<double> milliseconds;
  for (int scrape = 0; scrape < 21; ++scrape) {
    testing::HttpCall call;
    call.url = url("/metrics");
    call.headers = {{"Accept-Encoding", "gzip"}};
    const auto started = std::chrono::steady_clock::now();
    const auto reply = client.request(call);
    milliseconds.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
    ASSERT_EQ(reply.status, 200) << reply.error;
  }
  std::nth_element(milliseconds.begin(), milliseconds.begin() + 10, milliseconds.end());
  EXPECT_LT(milliseconds[10], 20.0);
}

// The connection outlives a pause shorter than the keep-alive timeout (civetweb's own default
// would close it after half a second), and is closed once idle for the timeout.
TEST_F(WebServerTest, KeepsAnIdleConnectionForTheKeepAliveTimeoutThenClosesIt) {
  const testing::RawConnection connection(server_->ports().at(0));
  const std::string request = "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(connection.send_all(request));
  EXPECT_THAT(testing::receive_answer(connection, std::chrono::seconds(5)),
              ::testing::StartsWith("HTTP/1.1 200 "));

  std::string unexpected;
  EXPECT_EQ(connection.receive(unexpected, kKeepAliveTimeout / 2),
            testing::RawConnection::Received::nothing)
      << unexpected;
  ASSERT_TRUE(connection.send_all(request));
  EXPECT_THAT(testing::receive_answer(connection, std::chrono::seconds(5)),
              ::testing::StartsWith("HTTP/1.1 200 "));

  // civetweb notices the timeout within a poll interval (2 s) of it.
  const auto closed_after = testing::time_until_closed(connection, 2 * kKeepAliveTimeout);
  ASSERT_TRUE(closed_after.has_value());
  EXPECT_LT(*closed_after, kKeepAliveTimeout + std::chrono::seconds(3));
}

// Without --web.enable-lifecycle, as Prometheus: 403 with its reason, and no reload.
TEST(WebServerLifecycleTest, ReloadIsForbiddenUnlessTheLifecycleApiIsEnabled) {
  StateStore state;
  std::atomic<int> reloads = 0;
  WebOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  const WebServer server(options, state,
                         {[] { return true; },
                          [&reloads]() -> std::optional<std::string> {
                            ++reloads;
                            return std::nullopt;
                          }});
  const auto reload = "http://127.0.0.1:" + std::to_string(server.ports().at(0)) + "/-/reload";

  for (const char* method : {"POST", "PUT"}) {
    const auto reply = http_request(method, reload);
    EXPECT_EQ(reply.status, 403) << method;
    EXPECT_EQ(reply.body, "Lifecycle API is not enabled.") << method;
    EXPECT_EQ(reply.headers.at("content-type"), "text/plain; charset=utf-8") << method;
  }
  EXPECT_EQ(http_request("GET", reload).status, 405);
  EXPECT_EQ(reloads, 0);
}

// Servers below never serve a request, so they stop at once.

TEST(WebServerStartTest, ReportsThePortsBoundInTheOrderOfTheAddresses) {
  StateStore state;
  WebOptions options;
  options.listen_addresses = {"127.0.0.1:0", "localhost:0"};
  const WebServer server(options, state, always_ready());

  const auto ports = server.ports();
  ASSERT_EQ(ports.size(), 2U);
  EXPECT_NE(ports[0], 0);
  EXPECT_NE(ports[1], 0);
  EXPECT_NE(ports[0], ports[1]);
}

TEST(WebServerStartTest, EmptyHostListensOnEveryInterface) {
  StateStore state;
  WebOptions options;
  options.listen_addresses = {":0"};
  const WebServer server(options, state, always_ready());

  ASSERT_EQ(server.ports().size(), 1U);
  EXPECT_NE(server.ports()[0], 0);
}

TEST(WebServerStartTest, BindFailureNamesTheAddress) {
  StateStore state;
  WebOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  const WebServer first(options, state, always_ready());
  const auto taken = "127.0.0.1:" + std::to_string(first.ports().at(0));

  options.listen_addresses = {taken};
  try {
    WebServer second(options, state, always_ready());
    FAIL() << "bound a port that is taken";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("\"" + taken + "\""));
    EXPECT_THAT(e.what(), HasSubstr("Address already in use"));
  }
}

TEST(WebServerStartTest, MalformedAddressesAreRejected) {
  StateStore state;
  for (const char* address : {"19929", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:80s", "a,b:80",
                              "[::1:9000", "[nonsense]:9000"}) {
    WebOptions options;
    options.listen_addresses = {address};
    try {
      WebServer server(options, state, always_ready());
      ADD_FAILURE() << "accepted " << address;
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr(std::string("\"") + address + "\"")) << address;
    }
  }
}

TEST(WebServerStartTest, Ipv6AddressesBindOrSayIpv6IsMissing) {
  StateStore state;
  WebOptions options;
  options.listen_addresses = {"[::1]:0"};
  try {
    const WebServer server(options, state, always_ready());
    EXPECT_NE(server.ports().at(0), 0);
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("\"[::1]:0\""));
    EXPECT_THAT(e.what(), HasSubstr("IPv6"));
  }
}

TEST(WebServerStartTest, TelemetryPathMustBeAFreePathARequestCanReach) {
  StateStore state;
  for (const char* path :
       {"metrics", "", "/-/healthy", "/", "/metrics?format=text", "/a//metrics", "/metrics/."}) {
    WebOptions options;
    options.listen_addresses = {"127.0.0.1:0"};
    options.telemetry_path = path;
    try {
      WebServer server(options, state, always_ready());
      ADD_FAILURE() << "accepted " << path;
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr(std::string("telemetry path \"") + path + "\"")) << path;
    }
  }
}

TEST(WebServerStartTest, AnUnusualTelemetryPathIsServedAsWritten) {
  StateStore state;
  WebOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.telemetry_path = "/.well-known/100%/metrics~/";
  const WebServer server(options, state, always_ready());
  const auto url = "http://127.0.0.1:" + std::to_string(server.ports().at(0));

  // A client escapes the '%'; civetweb decodes it before routing.
  EXPECT_EQ(http_get(url + "/.well-known/100%25/metrics~/").status, 200);
  EXPECT_EQ(http_get(url + "/.well-known/100%25/metrics~").status, 404);
}

TEST(WebServerStartTest, TheLongestTelemetryPathAcceptedIsReachable) {
  const std::string request_around_path = "GET  HTTP/1.0\r\n\r\n";
  const auto longest =
      "/" + std::string(kMaxRequestHeadBytes - request_around_path.size() - 1, 'a');
  StateStore state;
  WebOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.telemetry_path = longest;
  const WebServer server(options, state, always_ready());

  EXPECT_THAT(raw_exchange(server.ports().at(0), "GET " + longest + " HTTP/1.0\r\n\r\n"),
              ::testing::StartsWith("HTTP/1.0 200 "));
  options.telemetry_path = longest + "a";
  EXPECT_THROW(WebServer(options, state, always_ready()), std::invalid_argument);
}

TEST(WebServerStartTest, BothHooksAreRequired) {
  StateStore state;
  WebOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  EXPECT_THROW(WebServer(options, state, WebHooks{}), std::invalid_argument);
}

}  // namespace
}  // namespace hashtag_exporter::prometheus_exporter
