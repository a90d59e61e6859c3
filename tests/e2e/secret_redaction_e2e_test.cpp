// End to end: an API that quotes the request's Authorization header in its error answer. The key
// it echoes must reach no log line, report, endpoint or file of the exporter, whichever plugin
// passed the text on (tiktok quotes the JSON error message, http_json the start of any body).
// The key comes from a file that only the plugins read: the host knows it from the requests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "exporter_process.hpp"
#include "fake_scavio.hpp"
#include "http.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBinary = HX_TEST_EXPORTER_BINARY;
const std::string kKey = "sk-live-4f9c2e7a1b0d";

class SecretRedactionE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    fake.set_mode("aitools", R"({"mode": "echo_auth"})");
    fake.set_mode("llm", R"({"mode": "echo_auth", "status": 400, "json": false})");
    write_file(key_file(), kKey + "\n");
    write_file(config(),
               "storage:\n"
               "  path: history.db\n"
               "sources:\n"
               "  - name: tiktok\n"
               "    plugin: tiktok\n"
               "    interval: 1s\n"
               "    hashtags: [aitools]\n"
               "    settings:\n"
               "      api_url: " +
                   fake.url() +
                   "\n"
                   "      api_key_file: " +
                   key_file().string() +
                   "\n"
                   "      max_attempts: 1\n"
                   "  - name: by_hand\n"
                   "    plugin: http_json\n"
                   "    interval: 1s\n"
                   "    hashtags: [llm]\n"
                   "    settings:\n"
                   "      method: POST\n"
                   "      url: " +
                   fake.url() +
                   "/api/v1/tiktok/hashtag\n"
                   "      headers:\n"
                   "        Authorization: Bearer ${file:" +
                   key_file().string() +
                   "}\n"
                   "        Content-Type: application/json\n"
                   "      body: '{\"hashtag_name\": \"{hashtag}\"}'\n"
                   "      video_count_path: data.challengeInfo.stats.videoCount\n"
                   "      view_count_path: data.challengeInfo.stats.viewCount\n"
                   "      max_attempts: 1\n");
  }

  std::filesystem::path config() const { return dir / "hashtag_exporter.yml"; }
  std::filesystem::path key_file() const { return dir / "scavio_key"; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }

  CommandResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), kBinary);
    args.push_back("--config.file=" + config().string());
    return run_command(args);
  }

  // Scrapes until both sources counted a failure, or the time runs out.
  std::string scrape_until_both_failed(int timeout_ms = 10000) {
    std::string body;
    for (int waited = 0; waited < timeout_ms; waited += 100) {
      body = http_get(url("/metrics")).body;
      if (sample_value(body, R"(hashtag_collect_errors_total{source="tiktok",reason="auth"})") >=
              1 &&
          sample_value(body,
                       R"(hashtag_collect_errors_total{source="by_hand",reason="http_4xx"})") >= 1)
        return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return body;
  }

  static void expect_no_key(const std::string& text, const std::string& where) {
    EXPECT_THAT(text, Not(HasSubstr(kKey))) << where;
    EXPECT_THAT(text, Not(HasSubstr("Bearer " + kKey))) << where;
    EXPECT_THAT(text, Not(HasSubstr(kKey.substr(0, 12)))) << where << " (a part of the key)";
  }

  TempDir dir;
  FakeScavio fake{{"--api-key", kKey}};
  int port = 0;
};

TEST_F(SecretRedactionE2E, AKeyTheApiEchoesIsRedactedFromLogsReportsEndpointsAndFiles) {
  // The API did quote it: the exporter saw the key in upstream text and took it out.
  const auto once = cli({"collect", "--once", "--log.level=debug"});
  EXPECT_EQ(once.exit_code, 1) << once.errors;
  EXPECT_THAT(once.output, HasSubstr("invalid Authorization header: <redacted>"));
  EXPECT_THAT(once.errors, HasSubstr("invalid Authorization header: <redacted>"));
  expect_no_key(once.output, "collect --once report");
  expect_no_key(once.errors, "collect --once log");

  port = free_port();
  ExporterProcess exporter(
      kBinary,
      {"--config.file=" + config().string(),
       "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=debug"},
      dir / "exporter.log");
  ASSERT_TRUE(exporter.wait_until_ok(url("/-/ready"))) << exporter.log_text();
  const auto metrics = scrape_until_both_failed();
  const auto api = http_get(url("/api/v1/hashtags")).body;
  EXPECT_THAT(api, HasSubstr("invalid Authorization header: <redacted>"));
  expect_no_key(metrics, "/metrics");
  expect_no_key(api, "/api/v1/hashtags");
  expect_no_key(exporter.log_text(), "serve log");
  expect_no_key(cli({"report"}).output, "report");
  expect_no_key(read_file(dir / "history.db"), "history.db");
  expect_no_key(read_file(dir / "history.db-wal"), "history.db-wal");
}

}  // namespace
}  // namespace hashtag_exporter::testing
