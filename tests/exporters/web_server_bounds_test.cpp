// What a few clients can make the web server hold: workers, by trickling a request body, by
// keeping connections open and idle, or by asking for reloads at once.
#include <hashtag_exporter/prometheus/web_server.hpp>

#include "http.hpp"
#include "raw_connection.hpp"
#include "tls_test_files.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hashtag_exporter::prometheus_exporter {
namespace {

using ::testing::HasSubstr;
using testing::http_request;
using testing::HttpCall;
using testing::HttpReply;
using testing::RawConnection;
using testing::Trickled;

// A scrape that gets no answer within this is starved: an idle server answers in milliseconds.
constexpr std::chrono::milliseconds kPromptly{3000};
// How long a slow client keeps trickling before the test gives up on the server closing it.
constexpr std::chrono::seconds kGiveUp{30};
// "alice:secret", the test user of tls_test_files.hpp.
constexpr const char* kAliceAuthorization = "Authorization: Basic YWxpY2U6c2VjcmV0\r\n";

// A request head that announces a body, and the body a byte at a time.
struct SlowBody {
  std::string head;
  std::string drip;
};

std::vector<SlowBody> slow_bodies(const std::string& authorization) {
  const std::string length = "Content-Length: 1000000\r\n";
  return {
      {"GET /metrics HTTP/1.1\r\nHost: x\r\n" + authorization + length + "\r\n", "a"},
      {"POST /-/reload HTTP/1.1\r\nHost: x\r\n" + authorization + length + "\r\n", "a"},
      {"POST /-/reload HTTP/1.1\r\nHost: x\r\n" + authorization +
           "Transfer-Encoding: chunked\r\n\r\n",
       "1\r\na\r\n"},
      {"PUT /nope HTTP/1.1\r\nHost: x\r\n" + authorization + length + "\r\n", "a"},
  };
}

class CountingServer {
 public:
  explicit CountingServer(WebConfig config = {}) {
    WebOptions options;
    options.listen_addresses = {"127.0.0.1:0"};
    options.web_config = std::move(config);
    options.enable_lifecycle = true;
    server_ = std::make_unique<WebServer>(options, state_,
                                          WebHooks{[] { return true; },
                                                   [this]() -> std::optional<std::string> {
                                                     ++reloads_;
                                                     return std::nullopt;
                                                   }});
  }

  int port() const { return server_->ports().at(0); }
  int reloads() const { return reloads_; }

 private:
  StateStore state_;
  std::atomic<int> reloads_ = 0;
  std::unique_ptr<WebServer> server_;
};

// Twice as many clients as there are workers send a head announcing a body and then trickle
// it: a scrape is still answered at once, and each of them is refused and closed without the
// server waiting for its body.
void expect_trickled_bodies_hold_no_worker(const WebConfig& config,
                                           const std::string& scraper_authorization) {
  const CountingServer server(config);
  std::vector<std::unique_ptr<RawConnection>> connections;
  std::vector<std::future<Trickled>> clients;
  for (const auto& authorization : {std::string(), std::string(kAliceAuthorization)}) {
    for (const auto& slow : slow_bodies(authorization)) {
      for (int i = 0; i < kWorkerThreads / 2; ++i) {
        connections.push_back(std::make_unique<RawConnection>(server.port()));
        ASSERT_TRUE(connections.back()->send_all(slow.head));
        clients.push_back(
            std::async(std::launch::async, [&connection = *connections.back(), drip = slow.drip] {
              return testing::trickle(connection, drip, kGiveUp);
            }));
      }
    }
  }
  ASSERT_GT(clients.size(), static_cast<std::size_t>(kWorkerThreads));

  HttpCall scrape;
  scrape.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/metrics";
  scrape.timeout_ms = kPromptly.count();
  if (!scraper_authorization.empty()) scrape.headers["Authorization"] = scraper_authorization;
  const auto reply = http_request(scrape);
  EXPECT_EQ(reply.status, 200) << reply.error;

  for (auto& client : clients) {
    const auto trickled = client.get();
    EXPECT_TRUE(trickled.closed);
    EXPECT_LT(trickled.lasted, kRequestTimeout);
    EXPECT_THAT(trickled.answer, HasSubstr(" 413 ")) << trickled.answer;
    EXPECT_THAT(trickled.answer, HasSubstr("\r\nConnection: close\r\n")) << trickled.answer;
  }
  EXPECT_EQ(server.reloads(), 0);
}

TEST(WebServerBoundsTest, TrickledBodiesHoldNoWorker) {
  expect_trickled_bodies_hold_no_worker({}, "");
}

TEST(WebServerBoundsTest, TrickledBodiesHoldNoWorkerWithBasicAuth) {
  WebConfig config;
  config.basic_auth_users = {{"alice", testing::kAliceHash}};
  expect_trickled_bodies_hold_no_worker(config, "Basic YWxpY2U6c2VjcmV0");
}

TEST(WebServerBoundsTest, AnEmptyBodyIsNoBody) {
  const CountingServer server;
  // Closed after the answer rather than kept alive, so that raw_exchange sees its end.
  const std::string request =
      "POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  EXPECT_THAT(testing::raw_exchange(server.port(), request), HasSubstr(" 200 "));
  EXPECT_EQ(server.reloads(), 1);
}

// As many clients as there are workers each make a request and keep their connection open and
// idle: each holds a worker, but only until the keep-alive timeout, so a scrape that arrives
// behind them is answered once it has passed.
TEST(WebServerBoundsTest, IdleKeptAliveConnectionsHoldWorkersOnlyUntilTheKeepAliveTimeout) {
  const CountingServer server;
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < kWorkerThreads; ++i) {
    idle.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(idle.back()->send_all("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto answer = testing::receive_answer(*idle.back(), kPromptly);
    ASSERT_THAT(answer, ::testing::StartsWith("HTTP/1.1 200 "));
    ASSERT_THAT(answer, ::testing::Not(HasSubstr("\r\nConnection: close\r\n")));
  }

  HttpCall scrape;
  scrape.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/metrics";
  scrape.timeout_ms = std::chrono::milliseconds(kKeepAliveTimeout + kPromptly).count();
  const auto reply = http_request(scrape);
  EXPECT_EQ(reply.status, 200) << reply.error;
  for (const auto& connection : idle) {
    EXPECT_TRUE(testing::time_until_closed(*connection, kPromptly).has_value());
  }
}

// A reload hook that blocks until released, as one waiting on a slow round would.
class BlockingReload {
 public:
  std::optional<std::string> run() {
    std::unique_lock lock(mutex_);
    ++started_;
    changed_.notify_all();
    changed_.wait_for(lock, kGiveUp, [this] { return released_; });
    return std::nullopt;
  }
  bool wait_until_started(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return started_ > 0; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  int started() {
    std::lock_guard lock(mutex_);
    return started_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int started_ = 0;
  bool released_ = false;
};

TEST(WebServerBoundsTest, OneReloadAtATimeAndTheOthersAreAnsweredAtOnce) {
  StateStore state;
  BlockingReload hook;
  WebOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.enable_lifecycle = true;
  const WebServer server(options, state, {[] { return true; }, [&hook] { return hook.run(); }});
  const auto url = "http://127.0.0.1:" + std::to_string(server.ports().at(0));

  std::vector<std::future<HttpReply>> reloads;
  for (int i = 0; i < 2 * kWorkerThreads; ++i) {
    reloads.push_back(std::async(std::launch::async, [&url] {
      return http_request("POST", url + "/-/reload", {}, {},
                          std::chrono::milliseconds(kGiveUp).count());
    }));
  }
  EXPECT_TRUE(hook.wait_until_started(kPromptly));

  // While the first runs, every other one is answered, and so is a scrape.
  const auto deadline = std::chrono::steady_clock::now() + kPromptly;
  int refused = 0;
  for (auto& reload : reloads) {
    if (reload.wait_until(deadline) != std::future_status::ready) continue;
    const auto reply = reload.get();
    EXPECT_EQ(reply.status, 503) << reply.error;
    EXPECT_EQ(reply.body, "A reload is already in progress.");
    ++refused;
  }
  EXPECT_EQ(refused, 2 * kWorkerThreads - 1);
  EXPECT_EQ(testing::http_get(url + "/metrics", kPromptly.count()).status, 200);

  hook.release();
  for (auto& reload : reloads) {
    if (reload.valid()) {
      EXPECT_EQ(reload.get().status, 200);
    }
  }
  EXPECT_EQ(hook.started(), 1);
  // Once it is done, the next one runs.
  EXPECT_EQ(http_request("POST", url + "/-/reload").status, 200);
  EXPECT_EQ(hook.started(), 2);
}

}  // namespace
}  // namespace hashtag_exporter::prometheus_exporter
