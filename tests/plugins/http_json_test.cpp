// The http_json plugin: its JSON paths, the SDK helpers it uses, requests it builds (through the
// SDK's FakeHost), and the real plugin through the host against the fake Scavio API and a static
// file server, with the two example configs of examples/.
#include "../../plugins/http_json/json_path.hpp"

#include <hashtag_exporter/plugin/sdk_http.hpp>
#include <hashtag_exporter/plugin/sdk_testing.hpp>
#include <hashtag_exporter/setup.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "exporter_process.hpp"
#include "fake_scavio.hpp"
#include "fifo.hpp"
#include "http.hpp"
#include "resetting_server.hpp"
#include "round_results.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

using testing::failure_of;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::snapshot_of;
namespace fs = std::filesystem;

const fs::path kExamples = fs::path(HX_TEST_SOURCE_DIR) / "examples";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// --- JSON paths ---

TEST(HttpJsonPath, DotSyntaxAndPointerFindTheSameValue) {
  const auto json = nlohmann::json::parse(
      R"({"data": {"hashtag": {"view_count": 42, "a/b": 1, "m~n": 2}, "items": [{"n": 7}]}})");
  EXPECT_EQ(*http_json::JsonPath("data.hashtag.view_count").find(json), 42);
  EXPECT_EQ(*http_json::JsonPath("/data/hashtag/view_count").find(json), 42);
  EXPECT_EQ(*http_json::JsonPath("/data/hashtag/a~1b").find(json), 1);
  EXPECT_EQ(*http_json::JsonPath("/data/hashtag/m~0n").find(json), 2);
  EXPECT_EQ(*http_json::JsonPath("data.items.0.n").find(json), 7);
  EXPECT_EQ(*http_json::JsonPath("/data/items/0/n").find(json), 7);
}

TEST(HttpJsonPath, MissingSegmentIsNamed) {
  const auto json = nlohmann::json::parse(R"({"data": {"items": []}})");
  std::string missing;
  EXPECT_EQ(http_json::JsonPath("data.hashtag.view_count").find(json, &missing), nullptr);
  EXPECT_EQ(missing, "data.hashtag");
  EXPECT_EQ(http_json::JsonPath("data.items.3").find(json, &missing), nullptr);
  EXPECT_EQ(missing, "data.items.3");
}

TEST(HttpJsonPath, MalformedPathsAreRejected) {
  EXPECT_THROW(http_json::JsonPath(""), std::invalid_argument);
  EXPECT_THROW(http_json::JsonPath("data..count"), std::invalid_argument);
  EXPECT_THROW(http_json::JsonPath("data.count."), std::invalid_argument);
  EXPECT_ANY_THROW(http_json::JsonPath("/data/~2"));
}

// --- SDK helpers ---

TEST(SdkHttp, CountsAsNumbersOrDigitStrings) {
  EXPECT_EQ(sdk::parse_count(nlohmann::json(12)), 12);
  EXPECT_EQ(sdk::parse_count(nlohmann::json("12")), 12);
  EXPECT_EQ(sdk::parse_count(nlohmann::json(12.0)), 12);
  EXPECT_EQ(sdk::parse_count(nlohmann::json(-1)), std::nullopt);
  EXPECT_EQ(sdk::parse_count(nlohmann::json("1.5")), std::nullopt);
  EXPECT_EQ(sdk::parse_count(nlohmann::json("lots")), std::nullopt);
  EXPECT_EQ(sdk::parse_count(nlohmann::json("99999999999999999999")), std::nullopt);
  EXPECT_EQ(sdk::parse_count(nlohmann::json()), std::nullopt);
}

TEST(SdkHttp, StatusesMapToReasons) {
  EXPECT_EQ(sdk::reason_for_status(401), HX_REASON_AUTH);
  EXPECT_EQ(sdk::reason_for_status(403), HX_REASON_AUTH);
  EXPECT_EQ(sdk::reason_for_status(402), HX_REASON_CREDITS);
  EXPECT_EQ(sdk::reason_for_status(429), HX_REASON_RATE_LIMITED);
  EXPECT_EQ(sdk::reason_for_status(418), HX_REASON_HTTP_4XX);
  EXPECT_EQ(sdk::reason_for_status(503), HX_REASON_HTTP_5XX);
  EXPECT_EQ(sdk::reason_for_status(302), HX_REASON_BAD_RESPONSE);
}

// The SettingsError of expanding `${file:PATH}`, as "key: message".
std::string secret_file_error(const std::filesystem::path& file) {
  try {
    sdk::expand_secrets("${file:" + file.string() + "}", "headers");
  } catch (const sdk::SettingsError& e) {
    return e.key() + ": " + e.what();
  }
  return "expanded";
}

TEST(SdkHttp, SecretFilesAreRegularFilesOfBoundedSize) {
  testing::TempDir dir;
  EXPECT_EQ(secret_file_error(dir.path()),
            "headers: cannot read the secret file " + dir.path().string() + ": is a directory");
  EXPECT_EQ(secret_file_error("/dev/zero"),
            "headers: cannot read the secret file /dev/zero: is a character device, not a "
            "regular file");
  testing::write_file(dir / "big", std::string(sdk::kMaxSecretFileBytes + 1, 'x'));
  EXPECT_EQ(secret_file_error(dir / "big"),
            "headers: cannot read the secret file " + (dir / "big").string() + ": is larger than " +
                std::to_string(sdk::kMaxSecretFileBytes) + " bytes");
  const testing::Fifo fifo(dir / "token");
  std::string error;
  EXPECT_TRUE(fifo.returns_in_time([&] { error = secret_file_error(fifo.path()); }));
  EXPECT_EQ(error, "headers: cannot read the secret file " + fifo.path().string() +
                       ": is a FIFO, not a regular file");
}

TEST(SdkHttp, SecretsComeFromEnvironmentAndFilesAndAreNeverInMessages) {
  testing::TempDir dir;
  testing::write_file(dir / "token", "  file-secret\n");
  setenv("HX_HTTP_JSON_TEST_SECRET", "env-secret", 1);
  EXPECT_EQ(sdk::expand_secrets("Bearer ${env:HX_HTTP_JSON_TEST_SECRET}", "headers"),
            "Bearer env-secret");
  EXPECT_EQ(sdk::expand_secrets("Token ${file:" + (dir / "token").string() + "}", "headers"),
            "Token file-secret");
  EXPECT_EQ(sdk::expand_secrets("costs $$5 or $5", "headers"), "costs $5 or $5");
  try {
    sdk::expand_secrets("${env:HX_HTTP_JSON_TEST_UNSET}", "headers");
    FAIL();
  } catch (const sdk::SettingsError& e) {
    EXPECT_EQ(e.key(), "headers");
    EXPECT_STREQ(e.what(), "environment variable HX_HTTP_JSON_TEST_UNSET is not set");
  }
  EXPECT_THROW(sdk::expand_secrets("${file:/nonexistent/token}", "headers"), sdk::SettingsError);
  EXPECT_THROW(sdk::expand_secrets("${vault:x}", "headers"), sdk::SettingsError);
  setenv("HX_HTTP_JSON_TEST_SECRET", "evil\r\nX-Injected: 1", 1);
  try {
    sdk::expand_secrets("${env:HX_HTTP_JSON_TEST_SECRET}", "headers");
    FAIL();
  } catch (const sdk::SettingsError& e) {
    EXPECT_THAT(e.what(), Not(HasSubstr("evil")));
  }
}

TEST(SdkHttp, TemplatesEscapeTheHashtag) {
  EXPECT_EQ(sdk::substitute_hashtag("https://x/{hashtag}?q={hashtag}", "a b/é", sdk::url_encode),
            "https://x/a%20b%2F%C3%A9?q=a%20b%2F%C3%A9");
  EXPECT_EQ(sdk::substitute_hashtag(R"({"tag": "{hashtag}"})", "a\"b\\c", sdk::json_escape),
            R"({"tag": "a\"b\\c"})");
}

// --- the plugin on the SDK's fake host ---

const hx_plugin* http_json_plugin() {
  static const hx_plugin* plugin =
      sdk::testing::open_plugin((fs::path(HX_TEST_PLUGIN_DIR) / "http_json.so").string());
  return plugin;
}

TEST(HttpJsonOnFakeHost, BuildsRequestsFromTemplatesAndReadsBothShapes) {
  setenv("HX_HTTP_JSON_TEST_TOKEN", "t0ken", 1);
  sdk::testing::FakeHost host;
  host.http = [](const sdk::HttpRequest& request) {
    if (request.url.ends_with("/gone"))
      return sdk::HttpResponse{HX_TRANSPORT_OK, 410, "gone", "", 1};
    return sdk::HttpResponse{HX_TRANSPORT_OK, 200,
                             R"({"data": {"hashtag": {"video_count": "12", "view_count": 3400}}})",
                             "", 1};
  };
  sdk::testing::Instance instance(http_json_plugin(), host, R"({
      "method": "post", "url": "https://api.example.com/t/{hashtag}",
      "headers": {"Authorization": "Bearer ${env:HX_HTTP_JSON_TEST_TOKEN}", "X-Tries": 2},
      "body": "{\"tag\": \"{hashtag}\"}",
      "video_count_path": "/data/hashtag/video_count",
      "view_count_path": "data.hashtag.view_count",
      "not_found_statuses": [404, "410"], "timeout": "2s", "max_attempts": 2})");
  ASSERT_TRUE(host.http_options);
  EXPECT_EQ(host.http_options->timeout_ms, 2000u);
  EXPECT_EQ(host.http_options->max_attempts, 2u);

  const auto got = instance.collect({"ai tools", "gone"});
  ASSERT_EQ(host.requests.size(), 2u);
  EXPECT_EQ(host.requests[0].method, "POST");
  EXPECT_EQ(host.requests[0].url, "https://api.example.com/t/ai%20tools");
  EXPECT_EQ(host.requests[0].body, R"({"tag": "ai tools"})");
  EXPECT_THAT(host.requests[0].headers, ::testing::Contains(std::pair<std::string, std::string>(
                                            "Authorization", "Bearer t0ken")));
  EXPECT_THAT(host.requests[0].headers,
              ::testing::Contains(std::pair<std::string, std::string>("X-Tries", "2")));
  ASSERT_NE(got.sample("ai tools"), nullptr);
  EXPECT_EQ(got.sample("ai tools")->video_count, 12);
  EXPECT_EQ(got.sample("ai tools")->view_count, 3400);
  ASSERT_NE(got.failure("gone"), nullptr);
  EXPECT_EQ(got.failure("gone")->reason, HX_REASON_NOT_FOUND);
  EXPECT_THAT(host.log_text(), Not(HasSubstr("t0ken")));
}

TEST(HttpJsonOnFakeHost, SettingsErrorsNameTheKey) {
  sdk::testing::FakeHost host;
  const auto error = [&](const std::string& settings) -> std::string {
    try {
      sdk::testing::Instance instance(http_json_plugin(), host, settings);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  };
  const std::string paths = R"("video_count_path": "a", "view_count_path": "b")";
  EXPECT_THAT(error("{" + paths + "}"), HasSubstr("url: required"));
  EXPECT_THAT(error(R"({"url": "ftp://x", )" + paths + "}"), HasSubstr("url: expected an http://"));
  EXPECT_THAT(error(R"({"url": "https://exa mple.com/{hashtag}", )" + paths + "}"),
              HasSubstr("url: the host name holds \" \""));
  EXPECT_THAT(error(R"({"url": "https://example.com:70000/{hashtag}", )" + paths + "}"),
              HasSubstr("url: expected a port of 1 to 65535 after ':'"));
  EXPECT_THAT(error(R"({"url": "https://example.com/t/{hashtag}#x", )" + paths + "}"),
              HasSubstr("url: the URL has a fragment"));
  EXPECT_THAT(error(R"({"url": "http://x/{hashtag}", "view_count_path": "b"})"),
              HasSubstr("video_count_path: required"));
  EXPECT_THAT(error(R"({"url": "http://x", "method": "PUT", )" + paths + "}"),
              HasSubstr("method: expected GET or POST"));
  EXPECT_THAT(error(R"({"url": "http://x", "body": "{}", )" + paths + "}"),
              HasSubstr("body: a body needs method: POST"));
  EXPECT_THAT(error(R"({"url": "http://x", "not_found_statuses": [4040], )" + paths + "}"),
              HasSubstr("not_found_statuses:"));
  EXPECT_THAT(error(R"({"url": "http://x", "headers": {"A": "${env:HX_NOT_SET_ANYWHERE}"}, )" +
                    paths + "}"),
              HasSubstr("headers: environment variable HX_NOT_SET_ANYWHERE is not set"));
  EXPECT_THAT(error(R"({"url": "http://x", "video_count_path": "a..b", "view_count_path": "b"})"),
              HasSubstr("video_count_path: empty segment"));
  EXPECT_THAT(error(R"({"url": "http://x", "colour": 1, )" + paths + "}"),
              HasSubstr("colour: unknown setting"));
}

// --- the real plugin through the host, against the fake Scavio API ---

// examples/http_json-tiktok-shape.yml pointed at the fake, with `extra` settings lines added.
fs::path tiktok_shape_config(const testing::TempDir& dir, const testing::FakeScavio& fake,
                             const std::string& hashtags, const std::string& replace_from = {},
                             const std::string& replace_to = {}) {
  auto text = testing::read_file(kExamples / "http_json-tiktok-shape.yml");
  text = replace_all(text, "https://api.scavio.dev", fake.url());
  text = replace_all(text, "hashtags: [aitools, llm]", "hashtags: [" + hashtags + "]");
  text = replace_all(text, "timeout: 15s", "timeout: 1s");
  text = replace_all(text, "max_attempts: 3", "max_attempts: 1");
  text = replace_all(text, "requests_per_minute: 60", "requests_per_minute: 0");
  if (!replace_from.empty()) text = replace_all(text, replace_from, replace_to);
  testing::write_file(dir / "http_json.yml", text);
  return dir / "http_json.yml";
}

TEST(HttpJsonPlugin, TiktokShapeExampleAgainstTheFakeApiWithFailures) {
  setenv("SCAVIO_API_KEY", "test-key", 1);
  testing::FakeScavio fake;
  testing::TempDir dir;
  fake.set_mode("healthy",
                R"({"mode": "ok", "shape": "stats", "video_count": 1234, "view_count": 98765})");
  fake.set_mode("unauthorized", R"({"mode": "status", "status": 401})");
  fake.set_mode("broken", R"({"mode": "status", "status": 500})");
  fake.set_mode("html", R"({"mode": "non_json"})");
  fake.set_mode("nochallenge", R"({"mode": "no_challenge_info"})");
  fake.set_mode("toplevel", R"({"mode": "ok", "shape": "toplevel"})");
  fake.set_mode("unknown", R"({"mode": "status", "status": 404})");
  fake.set_mode("slow", R"({"mode": "timeout", "delay": 3})");
  const auto setup = prepare(
      tiktok_shape_config(
          dir, fake, "healthy, unauthorized, broken, html, nochallenge, toplevel, unknown, slow"),
      {HX_TEST_PLUGIN_DIR});
  const auto round = setup.sources[0]->collect();

  ASSERT_NE(snapshot_of(round, "healthy"), nullptr);
  EXPECT_EQ(snapshot_of(round, "healthy")->video_count, 1234);
  EXPECT_EQ(snapshot_of(round, "healthy")->view_count, 98765);
  const std::map<std::string, std::string> expected{
      {"unauthorized", "auth"},     {"broken", "http_5xx"},
      {"html", "bad_response"},     {"nochallenge", "bad_response"},
      {"toplevel", "bad_response"}, {"unknown", "not_found"},
      {"slow", "timeout"}};
  for (const auto& [tag, reason] : expected) {
    const auto* failure = failure_of(round, tag);
    ASSERT_NE(failure, nullptr) << tag;
    EXPECT_EQ(failure->reason, reason) << tag << ": " << failure->message;
    EXPECT_THAT(failure->message, Not(HasSubstr("test-key")));
  }
  EXPECT_THAT(failure_of(round, "nochallenge")->message,
              HasSubstr("nothing at data.challengeInfo.stats.videoCount (no data.challengeInfo)"));
  EXPECT_THAT(failure_of(round, "html")->message, HasSubstr("not valid JSON"));
  EXPECT_EQ(round.failures.size(), expected.size());
}

// A server that cannot be reached is `unreachable` (README, "Metrics"), not `timeout`: a name that
// does not resolve and a connection reset by the peer, through the host's HTTP client.
TEST(HttpJsonPlugin, UnresolvableNameAndResetConnectionAreUnreachable) {
  testing::ResettingServer reset;
  for (const auto& base : {std::string("http://nonexistent.invalid"), reset.url()}) {
    testing::TempDir dir;
    testing::write_file(dir / "api.yml",
                        "storage:\n  path: history.db\nsources:\n  - name: api\n"
                        "    plugin: http_json\n    interval: 1h\n    hashtags: [aitools]\n"
                        "    settings:\n      url: " +
                            base +
                            "/t/{hashtag}\n      video_count_path: a\n"
                            "      view_count_path: b\n      max_attempts: 1\n");
    const auto setup = prepare(dir / "api.yml", {HX_TEST_PLUGIN_DIR});
    const auto round = setup.sources[0]->collect();
    const auto* failure = failure_of(round, "aitools");
    ASSERT_NE(failure, nullptr) << base;
    EXPECT_EQ(failure->reason, "unreachable") << base << ": " << failure->message;
    EXPECT_THAT(failure->message, HasSubstr("cannot reach the API")) << base;
  }
}

TEST(HttpJsonPlugin, WrongKeyIsAuthAndStringCountsAreAccepted) {
  setenv("SCAVIO_API_KEY", "wrong-key", 1);
  testing::FakeScavio fake;
  testing::TempDir dir;
  {
    const auto setup = prepare(tiktok_shape_config(dir, fake, "aitools"), {HX_TEST_PLUGIN_DIR});
    const auto round = setup.sources[0]->collect();
    ASSERT_EQ(round.failures.size(), 1u);
    EXPECT_EQ(round.failures[0].reason, "auth");
    EXPECT_THAT(round.failures[0].message, Not(HasSubstr("wrong-key")));
  }
  setenv("SCAVIO_API_KEY", "test-key", 1);
  // statsV2 holds the counts as strings: "1111".
  fake.set_mode("llm",
                R"({"mode": "ok", "shape": "statsV2", "video_count": 1111, "view_count": 166650})");
  const auto setup = prepare(tiktok_shape_config(dir, fake, "llm", "challengeInfo.stats.videoCount",
                                                 "challengeInfo.statsV2.videoCount"),
                             {HX_TEST_PLUGIN_DIR});
  const auto round = setup.sources[0]->collect();
  ASSERT_EQ(round.failures.size(), 0u) << round.failures[0].message;
  ASSERT_EQ(round.snapshots.size(), 1u);
  EXPECT_EQ(round.snapshots[0].video_count, 1111);
  EXPECT_EQ(round.snapshots[0].view_count, 166650);
  // The toplevel shape, by JSON Pointer.
  fake.set_mode("llm", R"({"mode": "ok", "shape": "toplevel", "video_count": 5, "view_count": 6})");
  tiktok_shape_config(dir, fake, "llm", "data.challengeInfo.stats.videoCount", "/video_count");
  auto text = testing::read_file(dir / "http_json.yml");
  text = replace_all(text, "/data/challengeInfo/stats/viewCount", "view_count");
  testing::write_file(dir / "http_json.yml", text);
  const auto toplevel = prepare(dir / "http_json.yml", {HX_TEST_PLUGIN_DIR});
  const auto top_round = toplevel.sources[0]->collect();
  ASSERT_EQ(top_round.snapshots.size(), 1u);
  EXPECT_EQ(top_round.snapshots[0].video_count, 5);
  EXPECT_EQ(top_round.snapshots[0].view_count, 6);
}

// --- the view-count example against a static file server (python3 -m http.server) ---

class StaticServer {
 public:
  explicit StaticServer(const fs::path& root) : port_(testing::free_port()) {
    pid_ = fork();
    if (pid_ == 0) {
      const auto port = std::to_string(port_);
      const auto dir = root.string();
      execl(HX_TEST_PYTHON, HX_TEST_PYTHON, "-m", "http.server", "--bind", "127.0.0.1",
            "--directory", dir.c_str(), port.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      if (testing::http_get(url() + "/", 500).status != 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("the static file server did not start");
  }
  ~StaticServer() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  pid_t pid_ = -1;
};

TEST(HttpJsonPlugin, ViewCountShapeExampleOverGet) {
  testing::TempDir dir;
  testing::write_file(
      dir / "www/v1/hashtags/aitools",
      R"({"data": {"hashtag": {"name": "aitools", "video_count": "4835424", "view_count": 2117422354}}})");
  testing::write_file(dir / "www/v1/hashtags/chatgpt",
                      R"({"data": {"hashtag": {"name": "chatgpt", "video_count": 13}}})");
  testing::write_file(dir / "token", "file-token\n");
  StaticServer server(dir / "www");
  auto text = testing::read_file(kExamples / "http_json-view-count-shape.yml");
  text = replace_all(text, "https://hashtags.example.com", server.url());
  text = replace_all(text, "/run/secrets/hashtag_api_token", (dir / "token").string());
  testing::write_file(dir / "view.yml", text);
  const auto setup = prepare(dir / "view.yml", {HX_TEST_PLUGIN_DIR});
  const auto round = setup.sources[0]->collect();

  const auto* aitools = snapshot_of(round, "aitools");
  ASSERT_NE(aitools, nullptr);
  EXPECT_EQ(aitools->video_count, 4835424);
  EXPECT_EQ(aitools->view_count, 2117422354);
  ASSERT_NE(failure_of(round, "llm"), nullptr);  // no such file: 404, a not-found status
  EXPECT_EQ(failure_of(round, "llm")->reason, "not_found");
  ASSERT_NE(failure_of(round, "chatgpt"), nullptr);  // view_count missing
  EXPECT_EQ(failure_of(round, "chatgpt")->reason, "bad_response");
  EXPECT_THAT(failure_of(round, "chatgpt")->message,
              HasSubstr("nothing at data.hashtag.view_count (no data.hashtag.view_count)"));
}

}  // namespace
}  // namespace hashtag_exporter
