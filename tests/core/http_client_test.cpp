#include <hashtag_exporter/http_client.hpp>

#include "fake_scavio.hpp"
#include "resetting_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;
using testing::FakeScavio;
using Clock = std::chrono::steady_clock;

// Small timeouts and backoffs: these tests check behaviour, not speed.
HttpClientOptions fast_options() {
  HttpClientOptions options;
  options.timeout = 2s;
  options.initial_backoff = 10ms;
  options.max_backoff = 100ms;
  return options;
}

HttpRequest hashtag_request(const std::string& base_url, const std::string& hashtag,
                            const std::string& key = "test-key") {
  return HttpRequest{"POST",
                     base_url + "/api/v1/tiktok/hashtag",
                     {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}},
                     nlohmann::json{{"hashtag_name", hashtag}}.dump()};
}

HttpResponse run_one(HttpClient& client, HttpRequest request) {
  HttpResponse result;
  int calls = 0;
  client.submit(std::move(request), [&](const HttpResponse& r) {
    result = r;
    ++calls;
  });
  client.wait();
  EXPECT_EQ(calls, 1);
  return result;
}

// A loopback port that nothing listens on (it was free a moment ago).
int unused_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

class HttpClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<FakeScavio>(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override { server_->reset(); }

  static FakeScavio& server() { return *server_; }
  nlohmann::json requests() { return nlohmann::json::parse(server().requests_json()); }

 private:
  static std::unique_ptr<FakeScavio> server_;
};

std::unique_ptr<FakeScavio> HttpClientTest::server_;

TEST_F(HttpClientTest, ReturnsTheResponseOfASuccessfulRequest) {
  HttpClient client(fast_options());
  const auto result = run_one(client, hashtag_request(server().url(), "llm"));
  EXPECT_EQ(result.transport, HX_TRANSPORT_OK);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.attempts, 1u);
  EXPECT_TRUE(result.error.empty());
  const auto body = nlohmann::json::parse(result.body);
  EXPECT_EQ(body["data"]["challengeInfo"]["challenge"]["title"], "llm");
}

TEST_F(HttpClientTest, RetriesAServerErrorUntilItSucceeds) {
  server().set_mode("flaky", R"({"mode": "status", "status": 500, "times": 1})");
  HttpClient client(fast_options());
  const auto result = run_one(client, hashtag_request(server().url(), "flaky"));
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.attempts, 2u);
  EXPECT_EQ(server().request_count("flaky"), 2);
}

TEST_F(HttpClientTest, GivesUpAfterMaxAttempts) {
  server().set_mode("down", R"({"mode": "status", "status": 503})");
  auto options = fast_options();
  options.max_attempts = 3;
  HttpClient client(options);
  const auto result = run_one(client, hashtag_request(server().url(), "down"));
  EXPECT_EQ(result.transport, HX_TRANSPORT_OK);
  EXPECT_EQ(result.status, 503);
  EXPECT_EQ(result.attempts, 3u);
  EXPECT_NE(result.body.find("internal_error"), std::string::npos);
  EXPECT_EQ(server().request_count("down"), 3);
}

TEST_F(HttpClientTest, HonoursRetryAfterSeconds) {
  server().set_mode("busy", R"({"mode": "status", "status": 429, "retry_after": "1", "times": 1})");
  auto options = fast_options();
  options.max_backoff = 10s;
  HttpClient client(options);
  const auto started = Clock::now();
  const auto result = run_one(client, hashtag_request(server().url(), "busy"));
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.attempts, 2u);
  EXPECT_GE(Clock::now() - started, 900ms);
}

TEST_F(HttpClientTest, CapsRetryAfterAtMaxBackoff) {
  server().set_mode("busy",
                    R"({"mode": "status", "status": 429, "retry_after": "3600", "times": 1})");
  HttpClient client(fast_options());
  const auto started = Clock::now();
  const auto result = run_one(client, hashtag_request(server().url(), "busy"));
  EXPECT_EQ(result.status, 200);
  EXPECT_LT(Clock::now() - started, 5s);
}

// With max_in_flight 1 the second request starts only once the first has been answered and its
// retry queued: a retry that is not due for centuries must come after it, not before.
void expect_retry_not_before_the_next_request(FakeScavio& server, const std::string& retry_after) {
  server.set_mode("busy", R"({"mode": "status", "status": 429, "retry_after": ")" + retry_after +
                              R"(", "times": 1})");
  auto options = fast_options();
  options.max_backoff =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::hours(24 * 365 * 1000));
  options.max_attempts = 2;
  HttpClient client(options);
  std::vector<std::string> finished;
  for (const auto* tag : {"busy", "llm"}) {
    client.submit(hashtag_request(server.url(), tag),
                  [&finished, tag](const HttpResponse&) { finished.emplace_back(tag); });
  }
  std::jthread waiting([&client] { client.wait(); });
  for (int i = 0; i < 200 && server.request_count("llm") == 0; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(server.request_count("llm"), 1);
  EXPECT_EQ(server.request_count("busy"), 1) << "Retry-After: " << retry_after;
  client.cancel();
  waiting.join();
  EXPECT_EQ(finished.size(), 2u);
}

TEST_F(HttpClientTest, AHugeRetryAfterUnderAHugeMaxBackoffIsNotRetriedAtOnce) {
  expect_retry_not_before_the_next_request(server(), "99999999999999999999999");
  server().reset();
  expect_retry_not_before_the_next_request(server(), "Fri, 31 Dec 99999 23:59:59 GMT");
}

TEST_F(HttpClientTest, ACancelledRequestCompletesAsCancelled) {
  server().set_mode("slow", R"({"mode": "timeout", "delay": 5})");
  HttpClient client(fast_options());
  client.cancel();
  const auto result = run_one(client, hashtag_request(server().url(), "slow"));
  EXPECT_EQ(result.transport, HX_TRANSPORT_CANCELLED);
  EXPECT_NE(result.error.find("cancelled"), std::string::npos);
}

TEST_F(HttpClientTest, DoesNotRetryClientErrors) {
  HttpClient client(fast_options());
  const auto unauthorised = run_one(client, hashtag_request(server().url(), "llm", "wrong-key"));
  EXPECT_EQ(unauthorised.status, 401);
  EXPECT_EQ(unauthorised.attempts, 1u);

  server().set_mode("gone", R"({"mode": "status", "status": 404})");
  const auto missing = run_one(client, hashtag_request(server().url(), "gone"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.attempts, 1u);
  EXPECT_EQ(requests().size(), 2u);
}

TEST_F(HttpClientTest, TimesOutEachAttempt) {
  server().set_mode("slow", R"({"mode": "timeout", "delay": 5})");
  auto options = fast_options();
  options.timeout = 300ms;
  options.max_attempts = 2;
  HttpClient client(options);
  const auto started = Clock::now();
  const auto result = run_one(client, hashtag_request(server().url(), "slow"));
  EXPECT_EQ(result.transport, HX_TRANSPORT_TIMEOUT);
  EXPECT_EQ(result.attempts, 2u);
  EXPECT_FALSE(result.error.empty());
  EXPECT_EQ(result.error.find("test-key"), std::string::npos);
  EXPECT_LT(Clock::now() - started, 4s);
}

TEST_F(HttpClientTest, AResetConnectionIsUnreachableNotATimeout) {
  testing::ResettingServer reset;
  HttpClient client(fast_options());
  const auto result = run_one(client, hashtag_request(reset.url(), "llm", "secret-key"));
  EXPECT_EQ(result.transport, HX_TRANSPORT_UNREACHABLE) << result.error;
  EXPECT_EQ(result.attempts, 3u);  // a reset is transient: retried
  EXPECT_EQ(result.error.find("secret-key"), std::string::npos);
}

TEST_F(HttpClientTest, AnUnresolvableNameIsUnreachable) {
  HttpClient client(fast_options());
  const auto result = run_one(client, hashtag_request("http://nonexistent.invalid", "llm"));
  EXPECT_EQ(result.transport, HX_TRANSPORT_UNREACHABLE) << result.error;
  EXPECT_NE(result.error.find("nonexistent.invalid"), std::string::npos);
}

TEST_F(HttpClientTest, ReportsARefusedConnection) {
  HttpClient client(fast_options());
  const auto url = "http://127.0.0.1:" + std::to_string(unused_port());
  const auto result = run_one(client, hashtag_request(url, "llm", "secret-key"));
  EXPECT_EQ(result.transport, HX_TRANSPORT_UNREACHABLE);
  EXPECT_EQ(result.attempts, 3u);
  EXPECT_FALSE(result.error.empty());
  EXPECT_EQ(result.error.find("secret-key"), std::string::npos);
}

TEST_F(HttpClientTest, AbortsAnAnnouncedOversizedBody) {
  server().set_mode("huge", R"({"mode": "huge", "mib": 4})");
  auto options = fast_options();
  options.max_body_bytes = 64 * 1024;
  HttpClient client(options);
  const auto result = run_one(client, hashtag_request(server().url(), "huge"));
  EXPECT_EQ(result.transport, HX_TRANSPORT_BODY_TOO_LARGE);
  EXPECT_EQ(result.attempts, 1u);
  EXPECT_TRUE(result.body.empty());
}

TEST_F(HttpClientTest, AbortsAChunkedOversizedBodyWhileItArrives) {
  server().set_mode("huge", R"({"mode": "huge", "mib": 4, "chunked": true})");
  auto options = fast_options();
  options.max_body_bytes = 64 * 1024;
  HttpClient client(options);
  const auto result = run_one(client, hashtag_request(server().url(), "huge"));
  EXPECT_EQ(result.transport, HX_TRANSPORT_BODY_TOO_LARGE);
  EXPECT_EQ(result.attempts, 1u);
}

TEST_F(HttpClientTest, ReusesTheConnection) {
  HttpClient client(fast_options());
  for (const char* tag : {"a", "b", "c"}) {
    client.submit(hashtag_request(server().url(), tag), [](const HttpResponse&) {});
  }
  client.wait();
  const auto received = requests();
  ASSERT_EQ(received.size(), 3u);
  for (const auto& request : received)
    EXPECT_EQ(request["client_port"], received[0]["client_port"]);
}

TEST_F(HttpClientTest, LetsOtherRequestsRunDuringABackoff) {
  server().set_mode("busy", R"({"mode": "status", "status": 429, "retry_after": "1", "times": 1})");
  auto options = fast_options();
  options.max_backoff = 10s;
  HttpClient client(options);
  std::vector<std::string> finished;
  client.submit(hashtag_request(server().url(), "busy"),
                [&](const HttpResponse&) { finished.push_back("busy"); });
  client.submit(hashtag_request(server().url(), "idle"),
                [&](const HttpResponse&) { finished.push_back("idle"); });
  client.wait();
  EXPECT_EQ(finished, (std::vector<std::string>{"idle", "busy"}));
}

TEST_F(HttpClientTest, RunsRequestsSubmittedFromACallback) {
  HttpClient client(fast_options());
  std::vector<std::int32_t> statuses;
  client.submit(hashtag_request(server().url(), "first"), [&](const HttpResponse& first) {
    statuses.push_back(first.status);
    client.submit(hashtag_request(server().url(), "second"),
                  [&](const HttpResponse& second) { statuses.push_back(second.status); });
  });
  client.wait();
  EXPECT_EQ(statuses, (std::vector<std::int32_t>{200, 200}));
}

TEST_F(HttpClientTest, KeepsAtMostMaxInFlightRequestsRunning) {
  auto options = fast_options();
  options.max_in_flight = 2;
  HttpClient client(options);
  int succeeded = 0;
  for (int i = 0; i < 6; ++i) {
    const auto tag = "tag" + std::to_string(i);
    server().set_mode(tag, R"({"mode": "ok", "latency_ms": 100})");
    client.submit(hashtag_request(server().url(), tag),
                  [&](const HttpResponse& result) { succeeded += result.status == 200; });
  }
  client.wait();
  EXPECT_EQ(succeeded, 6);
  int peak = 0;
  for (const auto& request : requests()) peak = std::max(peak, request["in_flight"].get<int>());
  EXPECT_EQ(peak, 2);
}

TEST_F(HttpClientTest, SpacesRequestStartsByRequestsPerMinute) {
  auto options = fast_options();
  options.max_in_flight = 4;
  options.requests_per_minute = 600;  // one start every 100 ms
  HttpClient client(options);
  for (int i = 0; i < 4; ++i) {
    client.submit(hashtag_request(server().url(), "tag" + std::to_string(i)),
                  [](const HttpResponse&) {});
  }
  const auto started = Clock::now();
  client.wait();
  EXPECT_GE(Clock::now() - started, 290ms);
  const auto received = requests();
  ASSERT_EQ(received.size(), 4u);
  for (std::size_t i = 1; i < received.size(); ++i) {
    EXPECT_GE(received[i]["time"].get<double>() - received[i - 1]["time"].get<double>(), 0.08);
  }
}

TEST(BackoffLimitTest, DoublesPerFailedAttemptUpToTheCap) {
  const HttpClientOptions options;  // 1s, at most 60s
  EXPECT_EQ(backoff_limit(options, 1), 1s);
  EXPECT_EQ(backoff_limit(options, 3), 4s);
  EXPECT_EQ(backoff_limit(options, 7), 60s);
  EXPECT_EQ(backoff_limit(options, std::numeric_limits<std::uint32_t>::max()), 60s);
}

TEST(BackoffLimitTest, NeverOverflowsPastACapNearTheLargestDuration) {
  HttpClientOptions options;
  options.initial_backoff = 1ms;
  options.max_backoff = std::chrono::milliseconds::max();
  EXPECT_EQ(backoff_limit(options, 63), std::chrono::milliseconds(std::int64_t{1} << 62));
  EXPECT_EQ(backoff_limit(options, 64), std::chrono::milliseconds::max());
  EXPECT_EQ(backoff_limit(options, std::numeric_limits<std::uint32_t>::max()),
            std::chrono::milliseconds::max());
}

TEST(BackoffLimitTest, AZeroBackoffStaysZero) {
  HttpClientOptions options;
  options.initial_backoff = 0ms;
  EXPECT_EQ(backoff_limit(options, std::numeric_limits<std::uint32_t>::max()), 0ms);
}

TEST(ParseRetryAfterTest, ReadsDeltaSeconds) {
  EXPECT_EQ(parse_retry_after("120", 0), 120s);
  EXPECT_EQ(parse_retry_after(" 5 ", 0), 5s);
  EXPECT_EQ(parse_retry_after("0", 0), 0s);
}

TEST(ParseRetryAfterTest, ReadsAnHttpDateRelativeToNow) {
  constexpr std::time_t kDate = 1445412480;  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", kDate - 30), 30s);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", kDate + 30), 0s);
}

TEST(ParseRetryAfterTest, RejectsWhatIsNeither) {
  EXPECT_EQ(parse_retry_after("", 0), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", 0), std::nullopt);
}

TEST(ParseRetryAfterTest, SaturatesHugeDelays) {
  const auto delay = parse_retry_after("99999999999999999999999", 0);
  ASSERT_TRUE(delay);
  EXPECT_GT(*delay, std::chrono::hours(24 * 365));
}

}  // namespace
}  // namespace hashtag_exporter
