// Loads the built tiktok.so with dlopen and drives it through a minimal host whose HTTP client is
// the core's, against the fake Scavio API.
#include <hashtag_exporter/plugin/abi.h>
#include <hashtag_exporter/http_client.hpp>
#include <hashtag_exporter/plugin/sdk.hpp>

#include "fake_scavio.hpp"
#include "fifo.hpp"
#include "temp_dir.hpp"

#include <dlfcn.h>
#include <stdlib.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;
using testing::FakeScavio;

constexpr const char* kKeyVariable = "HX_TEST_TIKTOK_API_KEY";

std::string_view view(hx_str s) { return {s.data, s.size}; }

// The plugin library, mapped for the whole test program.
const hx_plugin& tiktok_plugin() {
  static const hx_plugin* table = [] {
    void* library = dlopen(HX_TEST_PLUGIN_DIR "/tiktok.so", RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) throw std::runtime_error(dlerror());
    const auto* abi =
        static_cast<const std::uint32_t*>(dlsym(library, HX_PLUGIN_ABI_VERSION_SYMBOL));
    if (abi == nullptr || *abi != HX_PLUGIN_ABI_VERSION) throw std::runtime_error("ABI mismatch");
    const auto entry = reinterpret_cast<hx_plugin_entry_fn>(dlsym(library, HX_PLUGIN_ENTRY_SYMBOL));
    if (entry == nullptr) throw std::runtime_error("no entry symbol");
    return entry();
  }();
  return *table;
}

// What the host lends the plugin, with the core's HTTP client and quick backoffs.
class TestHost {
 public:
  TestHost() {
    HttpClientOptions options;
    options.initial_backoff = 10ms;
    options.max_backoff = 50ms;
    http_.set_options(options);
  }

  const hx_host* table() const { return &table_; }
  const HttpClientOptions& http_options() const { return http_.options(); }
  const std::vector<std::string>& logs() const { return logs_; }

 private:
  static TestHost& self(void* ctx) { return *static_cast<TestHost*>(ctx); }

  static void log(void* ctx, std::uint32_t, hx_str message) {
    self(ctx).logs_.emplace_back(view(message));
  }
  static std::int64_t now(void*) { return 1'700'000'000; }
  static hx_status configure(void* ctx, const hx_http_options* raw) {
    auto options = self(ctx).http_.options();
    if (raw->timeout_ms) options.timeout = std::chrono::milliseconds(raw->timeout_ms);
    if (raw->max_in_flight) options.max_in_flight = raw->max_in_flight;
    if (raw->requests_per_minute) options.requests_per_minute = raw->requests_per_minute;
    if (raw->max_attempts) options.max_attempts = raw->max_attempts;
    if (raw->max_body_bytes) options.max_body_bytes = raw->max_body_bytes;
    self(ctx).http_.set_options(options);
    return HX_OK;
  }
  static hx_status submit(void* ctx, const hx_http_request* raw, hx_http_done_fn done, void* user) {
    self(ctx).http_.submit(sdk::copy_request(*raw), [done, user](const HttpResponse& response) {
      const auto raw_response = sdk::raw_response(response);
      done(user, &raw_response);
    });
    return HX_OK;
  }
  static void wait(void* ctx) { self(ctx).http_.wait(); }
  static std::int32_t cancelled(void*) { return 0; }

  HttpClient http_;
  std::vector<std::string> logs_;
  hx_host table_{this, &log, &now, &configure, &submit, &wait, &cancelled};
};

struct Failure {
  hx_reason reason;
  std::string message;
};

struct Collected {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> samples;
  std::map<std::string, Failure> failures;
  std::optional<double> credits;
};

class Instance {
 public:
  Instance(TestHost& host, const std::string& settings_json) {
    const auto& plugin = tiktok_plugin();
    if (plugin.create(host.table(), {settings_json.data(), settings_json.size()}, &instance_,
                      &error_) != HX_OK) {
      instance_ = nullptr;
    }
  }
  ~Instance() {
    if (instance_ != nullptr) tiktok_plugin().destroy(instance_);
  }
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  bool created() const { return instance_ != nullptr; }
  const hx_error& error() const { return error_; }

  Collected collect(const std::vector<std::string>& hashtags) {
    std::vector<hx_str> raw;
    for (const auto& tag : hashtags) raw.push_back({tag.data(), tag.size()});
    Collected collected;
    const hx_collect_sink sink{&collected, &on_sample, &on_failure, &on_credits};
    tiktok_plugin().collect(instance_, raw.data(), raw.size(), &sink);
    return collected;
  }

 private:
  static Collected& out(void* ctx) { return *static_cast<Collected*>(ctx); }
  static void on_sample(void* ctx, hx_str tag, std::int64_t videos, std::int64_t views) {
    out(ctx).samples[std::string(view(tag))] = {videos, views};
  }
  static void on_failure(void* ctx, hx_str tag, std::uint32_t reason, hx_str message) {
    out(ctx).failures[std::string(view(tag))] = {static_cast<hx_reason>(reason),
                                                 std::string(view(message))};
  }
  static void on_credits(void* ctx, double credits) { out(ctx).credits = credits; }

  void* instance_ = nullptr;
  hx_error error_{};
};

// The fake's default counts for a hashtag it has no mode for.
std::pair<std::int64_t, std::int64_t> default_counts(const std::string& tag) {
  const std::int64_t videos = 1000 + 37 * static_cast<std::int64_t>(tag.size());
  return {videos, videos * 150};
}

std::string settings_json(const std::string& api_url, const nlohmann::json& extra) {
  nlohmann::json settings{{"api_url", api_url + "/"},
                          {"api_key_env", kKeyVariable},
                          {"timeout", "500ms"},
                          {"max_in_flight", 4},
                          {"max_attempts", 2}};
  settings.update(extra);
  return settings.dump();
}

// Settings checks: nothing is called, so no server is needed.
class TiktokSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv(kKeyVariable, "test-key", 1); }

  static std::string settings(const nlohmann::json& extra = nlohmann::json::object()) {
    return settings_json("http://127.0.0.1:9", extra);
  }

  TestHost host_;
};

class TiktokPluginTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<FakeScavio>(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    server_->reset();
    setenv(kKeyVariable, "test-key", 1);
  }

  static FakeScavio& server() { return *server_; }

  static std::string settings(const nlohmann::json& extra = nlohmann::json::object()) {
    return settings_json(server().url(), extra);
  }

  TestHost host_;

 private:
  static std::unique_ptr<FakeScavio> server_;
};

std::unique_ptr<FakeScavio> TiktokPluginTest::server_;

TEST_F(TiktokPluginTest, CollectsEveryResponseShape) {
  server().set_mode("shape_stats", R"({"shape": "stats"})");
  server().set_mode("shape_toplevel",
                    R"({"shape": "toplevel", "video_count": 12, "view_count": 34})");
  Instance instance(host_, settings());
  ASSERT_TRUE(instance.created()) << instance.error().message;

  const auto collected = instance.collect({"llm", "shape_stats", "shape_toplevel"});
  EXPECT_TRUE(collected.failures.empty());
  EXPECT_EQ(collected.samples.at("llm"), default_counts("llm"));
  EXPECT_EQ(collected.samples.at("shape_stats"), default_counts("shape_stats"));
  EXPECT_EQ(collected.samples.at("shape_toplevel"),
            std::make_pair(std::int64_t{12}, std::int64_t{34}));
  // Three charged calls from 5000 credits; the lowest balance is the latest.
  EXPECT_EQ(collected.credits, 4997);
}

TEST_F(TiktokPluginTest, SendsTheDocumentedRequest) {
  Instance instance(host_, settings());
  ASSERT_TRUE(instance.created()) << instance.error().message;
  instance.collect({"aitools"});
  const auto requests = nlohmann::json::parse(server().requests_json());
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["hashtag"], "aitools");
  EXPECT_EQ(requests[0]["auth_ok"], true);
}

TEST_F(TiktokPluginTest, ReportsEveryFailureWithItsReason) {
  const std::map<std::string, std::pair<std::string, hx_reason>> cases = {
      {"unauthorised", {R"({"mode": "status", "status": 401})", HX_REASON_AUTH}},
      {"no_credits", {R"({"mode": "status", "status": 402})", HX_REASON_CREDITS}},
      {"limited", {R"({"mode": "status", "status": 429})", HX_REASON_RATE_LIMITED}},
      {"broken", {R"({"mode": "status", "status": 500})", HX_REASON_HTTP_5XX}},
      {"teapot", {R"({"mode": "status", "status": 418})", HX_REASON_HTTP_4XX}},
      {"unknown", {R"({"mode": "status", "status": 404})", HX_REASON_NOT_FOUND}},
      {"slow", {R"({"mode": "timeout", "delay": 5})", HX_REASON_TIMEOUT}},
      {"html", {R"({"mode": "non_json"})", HX_REASON_BAD_RESPONSE}},
      {"cut", {R"({"mode": "truncated"})", HX_REASON_BAD_RESPONSE}},
      {"missing", {R"({"mode": "no_challenge_info"})", HX_REASON_NOT_FOUND}},
      {"words", {R"({"mode": "strings"})", HX_REASON_BAD_RESPONSE}},
      {"below_zero", {R"({"mode": "negative"})", HX_REASON_BAD_RESPONSE}},
      {"enormous", {R"({"mode": "huge", "mib": 2})", HX_REASON_BAD_RESPONSE}},
  };
  std::vector<std::string> hashtags;
  for (const auto& [tag, mode_and_reason] : cases) {
    server().set_mode(tag, mode_and_reason.first);
    hashtags.push_back(tag);
  }
  Instance instance(host_, settings({{"max_in_flight", 8}}));
  ASSERT_TRUE(instance.created()) << instance.error().message;

  const auto collected = instance.collect(hashtags);
  EXPECT_TRUE(collected.samples.empty());
  for (const auto& [tag, mode_and_reason] : cases) {
    ASSERT_TRUE(collected.failures.contains(tag)) << tag;
    EXPECT_EQ(collected.failures.at(tag).reason, mode_and_reason.second)
        << tag << ": " << collected.failures.at(tag).message;
  }
  EXPECT_EQ(collected.failures.at("no_credits").message,
            "HTTP 402: insufficient_credits: fake scavio answered 402");
  // 429 and 5xx are retried, a 401 is not.
  EXPECT_EQ(server().request_count("limited"), 2);
  EXPECT_EQ(server().request_count("broken"), 2);
  EXPECT_EQ(server().request_count("unauthorised"), 1);
}

TEST_F(TiktokPluginTest, RecoversFromATransientServerError) {
  server().set_mode("flaky", R"({"mode": "status", "status": 503, "times": 1})");
  Instance instance(host_, settings());
  ASSERT_TRUE(instance.created()) << instance.error().message;
  const auto collected = instance.collect({"flaky"});
  EXPECT_EQ(collected.samples.at("flaky"), default_counts("flaky"));
}

// The host logs failure messages, so they must never carry the key; the plugin logs nothing.
TEST_F(TiktokPluginTest, FailureMessagesNeverHoldTheKey) {
  server().set_mode("broken", R"({"mode": "status", "status": 500})");
  Instance instance(host_, settings());
  ASSERT_TRUE(instance.created()) << instance.error().message;
  const auto collected = instance.collect({"broken"});
  EXPECT_TRUE(collected.failures.at("broken").message.starts_with("HTTP 500"))
      << collected.failures.at("broken").message;
  EXPECT_EQ(collected.failures.at("broken").message.find("test-key"), std::string::npos);
  EXPECT_TRUE(host_.logs().empty());
}

TEST_F(TiktokPluginTest, AWrongApiKeyIsAnAuthFailure) {
  setenv(kKeyVariable, "wrong-key", 1);
  Instance instance(host_, settings());
  ASSERT_TRUE(instance.created()) << instance.error().message;
  const auto collected = instance.collect({"llm", "claude"});
  EXPECT_TRUE(collected.samples.empty());
  EXPECT_EQ(collected.failures.at("llm").reason, HX_REASON_AUTH);
  EXPECT_EQ(collected.failures.at("claude").reason, HX_REASON_AUTH);
  for (const auto& line : host_.logs()) EXPECT_EQ(line.find("wrong-key"), std::string::npos);
}

TEST_F(TiktokPluginTest, ReadsTheKeyFromAFile) {
  testing::TempDir dir;
  testing::write_file(dir / "key", "test-key\n");
  Instance instance(host_,
                    settings({{"api_key_env", nullptr}, {"api_key_file", (dir / "key").string()}}));
  ASSERT_TRUE(instance.created()) << instance.error().message;
  EXPECT_EQ(instance.collect({"llm"}).samples.size(), 1u);
}

TEST_F(TiktokPluginTest, WarnsAboutAKeyFileEveryUserCanRead) {
  testing::TempDir dir;
  testing::write_file(dir / "key", "test-key\n");
  std::filesystem::permissions(
      dir / "key", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  Instance private_key(
      host_, settings({{"api_key_env", nullptr}, {"api_key_file", (dir / "key").string()}}));
  ASSERT_TRUE(private_key.created());
  EXPECT_TRUE(host_.logs().empty());

  std::filesystem::permissions(dir / "key", std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  Instance readable_key(
      host_, settings({{"api_key_env", nullptr}, {"api_key_file", (dir / "key").string()}}));
  ASSERT_TRUE(readable_key.created());
  ASSERT_EQ(host_.logs().size(), 1u);
  EXPECT_EQ(host_.logs()[0], "the API key file " + (dir / "key").string() +
                                 " is readable by every user of this machine; chmod 600 it");
  EXPECT_EQ(host_.logs()[0].find("test-key"), std::string::npos);
}

TEST_F(TiktokSettingsTest, PassesItsLimitsToTheHost) {
  Instance instance(host_, settings({{"timeout", "2s"},
                                     {"max_in_flight", 3},
                                     {"requests_per_minute", 30},
                                     {"max_attempts", 5},
                                     {"max_response_bytes", 4096}}));
  ASSERT_TRUE(instance.created()) << instance.error().message;
  EXPECT_EQ(host_.http_options().timeout, 2s);
  EXPECT_EQ(host_.http_options().max_in_flight, 3u);
  EXPECT_EQ(host_.http_options().requests_per_minute, 30u);
  EXPECT_EQ(host_.http_options().max_attempts, 5u);
  EXPECT_EQ(host_.http_options().max_body_bytes, 4096u);
}

TEST_F(TiktokSettingsTest, RejectsAMissingKey) {
  unsetenv(kKeyVariable);
  Instance unset(host_, settings());
  EXPECT_FALSE(unset.created());
  EXPECT_STREQ(unset.error().key, "api_key_env");

  setenv(kKeyVariable, "  \n", 1);
  Instance empty(host_, settings());
  EXPECT_FALSE(empty.created());
  EXPECT_STREQ(empty.error().key, "api_key_env");
}

TEST_F(TiktokSettingsTest, RejectsAnEmptyOrMissingKeyFile) {
  testing::TempDir dir;
  testing::write_file(dir / "empty", "\n");
  Instance empty(host_,
                 settings({{"api_key_env", nullptr}, {"api_key_file", (dir / "empty").string()}}));
  EXPECT_FALSE(empty.created());
  EXPECT_STREQ(empty.error().key, "api_key_file");

  Instance missing(host_,
                   settings({{"api_key_env", nullptr}, {"api_key_file", (dir / "nope").string()}}));
  EXPECT_FALSE(missing.created());
  EXPECT_STREQ(missing.error().key, "api_key_file");
}

// The error of creating an instance whose api_key_file is `file`.
std::string key_file_error(TestHost& host, const std::filesystem::path& file) {
  Instance instance(host, settings_json("http://127.0.0.1:9", {{"api_key_env", nullptr},
                                                               {"api_key_file", file.string()}}));
  if (instance.created()) return "created";
  return std::string(instance.error().key) + ": " + instance.error().message;
}

TEST_F(TiktokSettingsTest, RefusesAKeyFileThatIsNotARegularFile) {
  testing::TempDir dir;
  EXPECT_EQ(key_file_error(host_, dir.path()), "api_key_file: cannot read the API key file " +
                                                   dir.path().string() + ": is a directory");
  EXPECT_EQ(key_file_error(host_, "/dev/zero"),
            "api_key_file: cannot read the API key file /dev/zero: is a character device, not a "
            "regular file");
  const testing::Fifo fifo(dir / "key");
  std::string error;
  EXPECT_TRUE(fifo.returns_in_time([&] { error = key_file_error(host_, fifo.path()); }));
  EXPECT_EQ(error, "api_key_file: cannot read the API key file " + fifo.path().string() +
                       ": is a FIFO, not a regular file");
}

TEST_F(TiktokSettingsTest, RefusesAKeyFileLargerThanTheBound) {
  testing::TempDir dir;
  testing::write_file(dir / "key", "test-key" + std::string(sdk::kMaxSecretFileBytes - 8, '\n'));
  EXPECT_EQ(key_file_error(host_, dir / "key"), "created");
  testing::write_file(dir / "key", "test-key" + std::string(sdk::kMaxSecretFileBytes - 7, '\n'));
  EXPECT_EQ(key_file_error(host_, dir / "key"),
            "api_key_file: cannot read the API key file " + (dir / "key").string() +
                ": is larger than " + std::to_string(sdk::kMaxSecretFileBytes) + " bytes");
}

TEST_F(TiktokSettingsTest, RejectsTwoKeySources) {
  Instance both(host_, settings({{"api_key_file", "/run/secrets/scavio"}}));
  EXPECT_FALSE(both.created());
  EXPECT_STREQ(both.error().key, "api_key_file");
}

TEST_F(TiktokSettingsTest, NeverPutsTheKeyInSettingsErrors) {
  setenv(kKeyVariable, "secret\x01key", 1);
  Instance instance(host_, settings());
  EXPECT_FALSE(instance.created());
  EXPECT_EQ(std::string(instance.error().message).find("secret"), std::string::npos);
}

TEST_F(TiktokSettingsTest, NamesWhatIsWrongWithTheApiUrl) {
  Instance empty_host(host_, settings({{"api_url", "https:///"}}));
  EXPECT_STREQ(empty_host.error().message, "expected a host name after //, got \"https:///\"");
  Instance query(host_, settings({{"api_url", "https://api.scavio.dev/?x=1"}}));
  EXPECT_STREQ(query.error().message,
               "expected a base URL without a query (?...), got \"https://api.scavio.dev/?x=1\"");
}

TEST_F(TiktokSettingsTest, RejectsBadSettings) {
  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {{{"api_url", "ftp://example.com"}}, "api_url"},
      // Not URLs that a request can go to: each used to pass and then fail every fetch.
      {{{"api_url", "https://"}}, "api_url"},
      {{{"api_url", "https://api.scavio.dev:99999"}}, "api_url"},
      {{{"api_url", "https://api scavio.dev"}}, "api_url"},
      {{{"api_url", "https://api.scavio.dev?key=1"}}, "api_url"},
      {{{"timeout", "999999999999y"}}, "timeout"},
      {{{"timeout", "soon"}}, "timeout"},
      {{{"max_in_flight", 0}}, "max_in_flight"},
      {{{"requests_per_minute", -1}}, "requests_per_minute"},
      {{{"max_attempts", "3"}}, "max_attempts"},
      {{{"max_response_bytes", 10}}, "max_response_bytes"},
      {{{"api_token", "x"}}, "api_token"},
  };
  for (const auto& [extra, key] : cases) {
    Instance instance(host_, settings(extra));
    EXPECT_FALSE(instance.created()) << key;
    EXPECT_EQ(instance.error().key, key);
  }
}

}  // namespace
}  // namespace hashtag_exporter
