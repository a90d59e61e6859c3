// End to end: the real hashtag_exporter binary against the fake Scavio API.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <csignal>
#include <ctime>
#include <thread>

#include <hashtag_exporter/time_format.hpp>

#include "exporter_process.hpp"
#include "fake_scavio.hpp"
#include "http.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBinary = HX_TEST_EXPORTER_BINARY;

std::string series(const std::string& metric, const std::string& hashtag,
                   const std::string& extra = "") {
  return metric + "{source=\"tiktok\",hashtag=\"" + hashtag + "\"" + extra + "}";
}

class ExporterE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    fake.set_mode("aitools", R"({"mode": "ok", "video_count": 1120, "view_count": 560000})");
    fake.set_mode("llm", R"({"mode": "ok", "video_count": 2060, "view_count": 900000})");
    write_config("1s");
  }

  void write_config(const std::string& interval, const std::string& extra_hashtag = "") {
    write_file(config(),
               "storage:\n"
               "  path: history.db\n"
               "sources:\n"
               "  - name: tiktok\n"
               "    plugin: tiktok\n"
               "    interval: " +
                   interval +
                   "\n"
                   "    hashtags: ['#AITools', llm" +
                   extra_hashtag +
                   "]\n"
                   "    settings:\n"
                   "      api_url: " +
                   fake.url() +
                   "\n"
                   "      api_key_env: FAKE_SCAVIO_KEY\n"
                   "      timeout: 2s\n"
                   "      max_attempts: 1\n");
  }

  std::filesystem::path config() const { return dir / "hashtag_exporter.yml"; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }

  std::unique_ptr<ExporterProcess> start(const std::vector<std::string>& extra_args = {}) {
    port = free_port();
    std::vector<std::string> args{"--config.file=" + config().string(),
                                  "--web.listen-address=127.0.0.1:" + std::to_string(port)};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    auto process =
        std::make_unique<ExporterProcess>(kBinary, args, dir / "exporter.log", environment);
    EXPECT_TRUE(process->wait_until_ok(url("/-/ready"))) << process->log_text();
    return process;
  }

  CommandResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), kBinary);
    args.push_back("--config.file=" + config().string());
    return run_command(args, environment);
  }

  // Scrapes until `series` has `value` (a collection has landed) or the time runs out.
  std::string scrape_until(const std::string& wanted, double value, int timeout_ms = 10000) {
    std::string body;
    for (int waited = 0; waited < timeout_ms; waited += 100) {
      body = http_get(url("/metrics")).body;
      if (sample_value(body, wanted) == value) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return body;
  }

  TempDir dir;
  FakeScavio fake;
  std::map<std::string, std::string> environment{{"FAKE_SCAVIO_KEY", "test-key"}};
  int port = 0;
};

TEST_F(ExporterE2E, ServesTheFirstCollectionAndPassesPromtool) {
  auto exporter = start();
  const auto body = scrape_until(series("hashtag_videos", "aitools"), 1120);
  EXPECT_EQ(sample_value(body, series("hashtag_videos", "aitools")), 1120);
  EXPECT_EQ(sample_value(body, series("hashtag_views", "aitools")), 560000);
  EXPECT_EQ(sample_value(body, series("hashtag_videos", "llm")), 2060);
  EXPECT_EQ(sample_value(body, series("hashtag_up", "llm")), 1);
  EXPECT_THAT(body, HasSubstr("# HELP hashtag_videos "));
  EXPECT_THAT(body, HasSubstr("hashtag_exporter_build_info{"));
  // No reference a day old yet: no growth series at all.
  EXPECT_THAT(body, Not(HasSubstr("hashtag_videos_growth_percent{")));

  write_file(dir / "scrape.txt", body);
  const auto check =
      run_command({"/bin/sh", "-c", "promtool check metrics < " + (dir / "scrape.txt").string()});
  EXPECT_EQ(check.exit_code, 0) << check.output << check.errors;
  EXPECT_EQ(check.output + check.errors, "");
}

TEST_F(ExporterE2E, GrowthComesFromYesterdaysImportedSnapshot) {
  const auto yesterday = format_rfc3339(std::time(nullptr) - 86400 - 60);
  write_file(dir / "yesterday.csv", "timestamp,source,hashtag,video_count,view_count\n" +
                                        yesterday + ",tiktok,aitools,1000,500000\n" + yesterday +
                                        ",tiktok,llm,2000,900000\n");
  const auto imported = cli({"import", (dir / "yesterday.csv").string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.errors;

  auto exporter = start();
  const auto body = scrape_until(series("hashtag_videos", "aitools"), 1120);
  // Over exactly one day: the count a day ago is interpolated between the imported snapshot (a
  // day and a minute ago) and the collected one, so a hair under 12 % and 3 %.
  const auto growth = [&](const char* family, const char* hashtag) {
    return sample_value(body, series(family, hashtag, ",window=\"1d\"")).value_or(-1);
  };
  EXPECT_NEAR(growth("hashtag_videos_growth_percent", "aitools"), 12, 0.02);
  EXPECT_NEAR(growth("hashtag_views_growth_percent", "aitools"), 12, 0.02);
  EXPECT_NEAR(growth("hashtag_videos_growth_percent", "llm"), 3, 0.02);
  EXPECT_EQ(growth("hashtag_views_growth_percent", "llm"), 0);
  EXPECT_FALSE(
      sample_value(body, series("hashtag_videos_growth_percent", "llm", ",window=\"7d\"")));
}

TEST_F(ExporterE2E, FailingHashtagKeepsItsLastValueAndCountsTheError) {
  auto exporter = start();
  scrape_until(series("hashtag_videos", "llm"), 2060);
  fake.set_mode("llm", R"({"mode": "status", "status": 500})");
  const auto body = scrape_until(series("hashtag_up", "llm"), 0);
  EXPECT_EQ(sample_value(body, series("hashtag_up", "llm")), 0);
  EXPECT_EQ(sample_value(body, series("hashtag_videos", "llm")), 2060);
  EXPECT_EQ(sample_value(body, series("hashtag_up", "aitools")), 1);
  EXPECT_GE(
      sample_value(body, "hashtag_collect_errors_total{source=\"tiktok\",reason=\"http_5xx\"}")
          .value_or(0),
      1);
  EXPECT_EQ(sample_value(body, "hashtag_collect_errors_total{source=\"tiktok\",reason=\"auth\"}"),
            0);
}

// The key is in no log line (debug included), metric, API answer or history file, whether the
// API takes it or refuses it.
TEST_F(ExporterE2E, TheApiKeyIsNeverWrittenAnywhere) {
  {
    auto exporter = start({"--log.level=debug"});
    scrape_until(series("hashtag_videos", "aitools"), 1120);
    EXPECT_THAT(exporter->log_text(), Not(HasSubstr("test-key")));
  }
  environment["FAKE_SCAVIO_KEY"] = "wrong-secret-key";
  auto exporter = start({"--log.level=debug"});
  const std::string auth_errors = R"(hashtag_collect_errors_total{source="tiktok",reason="auth"})";
  const auto body = scrape_until(auth_errors, 2);
  EXPECT_EQ(sample_value(body, auth_errors), 2);
  EXPECT_THAT(exporter->log_text(), HasSubstr("reason=auth"));
  for (const auto& text : {exporter->log_text(), body, http_get(url("/api/v1/hashtags")).body,
                           read_file(dir / "history.db"), read_file(dir / "history.db-wal")}) {
    EXPECT_THAT(text, Not(HasSubstr("wrong-secret-key")));
    EXPECT_THAT(text, Not(HasSubstr("test-key")));
  }
}

TEST_F(ExporterE2E, RestartServesStoredValuesBeforeTheNextCollection) {
  {
    auto exporter = start();
    scrape_until(series("hashtag_videos", "aitools"), 1120);
    EXPECT_EQ(exporter->stop(SIGTERM), 0) << exporter->log_text();
  }
  // The next collection now hangs until the client gives up.
  fake.set_mode("aitools", R"({"mode": "timeout", "delay": 5})");
  fake.set_mode("llm", R"({"mode": "timeout", "delay": 5})");
  auto exporter = start();
  const auto body = http_get(url("/metrics")).body;
  EXPECT_EQ(sample_value(body, series("hashtag_videos", "aitools")), 1120);
  EXPECT_EQ(sample_value(body, series("hashtag_views", "llm")), 900000);
  EXPECT_EQ(sample_value(body, series("hashtag_up", "aitools")), 0);
}

TEST_F(ExporterE2E, ApiListsEveryHashtagWithoutSecrets) {
  auto exporter = start();
  scrape_until(series("hashtag_videos", "aitools"), 1120);
  const auto reply = http_get(url("/api/v1/hashtags"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(reply.body, HasSubstr("\"hashtag\":\"aitools\""));
  EXPECT_THAT(reply.body, HasSubstr("\"video_count\":1120"));
  EXPECT_THAT(reply.body, Not(HasSubstr("test-key")));
  EXPECT_THAT(http_get(url("/metrics")).body, Not(HasSubstr("test-key")));
  EXPECT_THAT(exporter->log_text(), Not(HasSubstr("test-key")));
}

TEST_F(ExporterE2E, ReloadAppliesAGoodConfigAndKeepsTheOldOneOnError) {
  auto exporter = start({"--web.enable-lifecycle"});
  scrape_until(series("hashtag_videos", "aitools"), 1120);

  write_file(config(), "sources: [oops\n");
  const auto rejected = http_request("POST", url("/-/reload"));
  EXPECT_EQ(rejected.status, 500);
  EXPECT_THAT(rejected.body, HasSubstr(config().string() + ":"));
  auto body = http_get(url("/metrics")).body;
  EXPECT_EQ(sample_value(body, "hashtag_exporter_config_last_reload_successful"), 0);
  EXPECT_EQ(sample_value(body, series("hashtag_videos", "aitools")), 1120);

  write_config("1s", ", claude");
  EXPECT_EQ(http_request("POST", url("/-/reload")).status, 200);
  fake.set_mode("claude", R"({"mode": "ok", "video_count": 5, "view_count": 50})");
  body = scrape_until(series("hashtag_videos", "claude"), 5);
  EXPECT_EQ(sample_value(body, series("hashtag_videos", "claude")), 5);
  EXPECT_EQ(sample_value(body, "hashtag_exporter_config_last_reload_successful"), 1);
}

// README, "Command line": /-/reload only with --web.enable-lifecycle, as in Prometheus; SIGHUP
// always.
TEST_F(ExporterE2E, HttpReloadNeedsTheLifecycleFlagAndSighupDoesNot) {
  const auto lists = [this](const std::string& hashtag) {
    return http_get(url("/api/v1/hashtags")).body.find("\"hashtag\":\"" + hashtag + "\"") !=
           std::string::npos;
  };
  {
    auto exporter = start();
    write_config("1s", ", claude");
    for (const char* method : {"POST", "PUT"}) {
      const auto refused = http_request(method, url("/-/reload"));
      EXPECT_EQ(refused.status, 403) << method;
      EXPECT_EQ(refused.body, "Lifecycle API is not enabled.") << method;
    }
    EXPECT_FALSE(lists("claude"));

    exporter->signal(SIGHUP);
    bool reloaded = false;
    for (int waited = 0; waited < 5000 && !reloaded; waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      reloaded = lists("claude");
    }
    EXPECT_TRUE(reloaded) << exporter->log_text();
  }
  auto exporter = start({"--web.enable-lifecycle"});
  write_config("1s", ", openai");
  EXPECT_EQ(http_request("PUT", url("/-/reload")).status, 200);
  EXPECT_TRUE(lists("openai"));
  EXPECT_FALSE(lists("claude"));
}

// Keep-alive: a scraper's next scrape goes over the connection of the one before.
TEST_F(ExporterE2E, AScraperKeepsItsConnection) {
  auto exporter = start();
  HttpSession scraper;
  HttpCall scrape;
  scrape.url = url("/metrics");
  ASSERT_EQ(scraper.request(scrape).status, 200);
  const auto port = scraper.last_local_port();
  EXPECT_EQ(scraper.request(scrape).status, 200);
  EXPECT_TRUE(scraper.last_reused_connection());
  EXPECT_EQ(scraper.last_local_port(), port);
}

TEST_F(ExporterE2E, SigtermStopsCleanly) {
  auto exporter = start();
  scrape_until(series("hashtag_videos", "aitools"), 1120);
  EXPECT_EQ(exporter->stop(SIGTERM), 0);
  EXPECT_THAT(exporter->log_text(), HasSubstr("shutting down"));
}

// A config whose first hashtag hangs for a minute, with a timeout that would wait for it.
void write_hanging_config(const std::filesystem::path& file, const std::string& api_url,
                          const std::string& hashtags) {
  write_file(file,
             "storage:\n  path: history.db\nsources:\n  - name: tiktok\n"
             "    plugin: tiktok\n    interval: 1h\n    hashtags: " +
                 hashtags + "\n    settings:\n      api_url: " + api_url +
                 "\n      api_key_env: FAKE_SCAVIO_KEY\n      timeout: 50s\n"
                 "      max_attempts: 1\n      max_in_flight: 2\n");
}

// README, "Reliability": shutdown completes within 5 s whatever the API does, and a reload never
// waits for a fetch in flight.
constexpr auto kPrompt = std::chrono::seconds(5);

TEST_F(ExporterE2E, SigtermAbandonsHangingFetchesInsteadOfWaitingForThem) {
  fake.set_mode("aitools", R"({"mode": "timeout", "delay": 60})");
  write_hanging_config(config(), fake.url(), "[aitools, llm]");
  auto exporter = start();
  for (int waited = 0; waited < 5000 && fake.request_count("aitools") == 0; waited += 50) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(fake.request_count("aitools"), 1);
  const auto stopping = std::chrono::steady_clock::now();
  EXPECT_EQ(exporter->stop(SIGTERM), 0) << exporter->log_text();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, kPrompt);
  // What the round did fetch was stored before the exit.
  const auto history = cli({"history", "--hashtag", "llm", "--format", "csv"});
  EXPECT_THAT(history.output, HasSubstr(",tiktok,llm,2060,900000\n"));
}

TEST_F(ExporterE2E, ReloadsDoNotWaitForAHangingFetch) {
  fake.set_mode("aitools", R"({"mode": "timeout", "delay": 60})");
  fake.set_mode("claude", R"({"mode": "ok", "video_count": 5, "view_count": 50})");
  fake.set_mode("openai", R"({"mode": "ok", "video_count": 7, "view_count": 70})");
  write_hanging_config(config(), fake.url(), "[aitools, llm]");
  auto exporter = start({"--web.enable-lifecycle"});
  for (int waited = 0; waited < 5000 && fake.request_count("aitools") == 0; waited += 50) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(fake.request_count("aitools"), 1);

  write_hanging_config(config(), fake.url(), "[aitools, llm, claude]");
  const auto reloading = std::chrono::steady_clock::now();
  EXPECT_EQ(http_request("POST", url("/-/reload")).status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - reloading, kPrompt);
  EXPECT_THAT(http_get(url("/api/v1/hashtags")).body, HasSubstr("\"hashtag\":\"claude\""));

  // SIGHUP takes the same path from the signal thread, which then still answers SIGTERM.
  write_hanging_config(config(), fake.url(), "[aitools, llm, claude, openai]");
  exporter->signal(SIGHUP);
  std::string hashtags;
  for (int waited = 0; waited < 5000; waited += 50) {
    hashtags = http_get(url("/api/v1/hashtags")).body;
    if (hashtags.find("\"hashtag\":\"openai\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_THAT(hashtags, HasSubstr("\"hashtag\":\"openai\""));

  const auto stopping = std::chrono::steady_clock::now();
  EXPECT_EQ(exporter->stop(SIGTERM), 0) << exporter->log_text();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, kPrompt);
  const auto history = cli({"history", "--hashtag", "llm", "--format", "csv"});
  EXPECT_THAT(history.output, HasSubstr(",tiktok,llm,2060,900000\n"));
}

TEST_F(ExporterE2E, CollectOncePrintsTheReportAndExitCodeReflectsFailures) {
  const auto yesterday = format_rfc3339(std::time(nullptr) - 86400 - 60);
  write_file(dir / "yesterday.csv", "timestamp,source,hashtag,video_count,view_count\n" +
                                        yesterday + ",tiktok,aitools,1000,500000\n");
  ASSERT_EQ(cli({"import", (dir / "yesterday.csv").string()}).exit_code, 0);

  auto ok = cli({"collect", "--once"});
  EXPECT_EQ(ok.exit_code, 0) << ok.errors;
  EXPECT_THAT(ok.output, HasSubstr("tiktok Hashtag Report — "));
  EXPECT_THAT(ok.output, HasSubstr("#aitools                     1,120 videos | growth: +12.0%"));
  EXPECT_THAT(ok.output,
              HasSubstr("#llm                         2,060 videos | growth: no prior data"));
  EXPECT_THAT(ok.output, HasSubstr("  #aitools (tiktok): +12.0% new videos"));

  fake.set_mode("llm", R"({"mode": "status", "status": 402})");
  auto failed = cli({"collect", "--once"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_THAT(failed.output, HasSubstr("#llm: error - credits: "));
  EXPECT_THAT(failed.output, HasSubstr("#aitools"));

  const auto history = cli({"history", "--hashtag", "#AITools", "--format", "csv"});
  EXPECT_EQ(history.exit_code, 0);
  EXPECT_THAT(history.output, HasSubstr(yesterday + ",tiktok,aitools,1000,500000\n"));
  EXPECT_THAT(history.output, HasSubstr(",tiktok,aitools,1120,560000\n"));
}

TEST_F(ExporterE2E, ImportsTheTutorialDatabaseOnce) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "hashtag_tracker.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE snapshots (date TEXT, hashtag TEXT, video_count INTEGER, "
                         "view_count INTEGER, PRIMARY KEY (date, hashtag));"
                         "INSERT INTO snapshots VALUES ('2026-05-21', 'aitools', 1209000, 1);"
                         "INSERT INTO snapshots VALUES ('2026-05-22', 'aitools', 1247832, 2);"
                         "INSERT INTO snapshots VALUES ('2026-05-22', 'cursor', 198441, 3);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  const auto first = cli({"import", (dir / "hashtag_tracker.db").string()});
  EXPECT_EQ(first.exit_code, 0) << first.errors;
  EXPECT_THAT(first.output, HasSubstr("imported 3 new snapshots"));
  const auto second = cli({"import", (dir / "hashtag_tracker.db").string()});
  EXPECT_THAT(second.output, HasSubstr("imported 0 new snapshots"));
  EXPECT_THAT(second.output, HasSubstr("(3 already stored)"));

  const auto history = cli({"history", "--hashtag", "aitools", "--format", "csv"});
  EXPECT_EQ(history.output,
            "timestamp,source,hashtag,video_count,view_count\n"
            "2026-05-21T00:00:00Z,tiktok,aitools,1209000,1\n"
            "2026-05-22T00:00:00Z,tiktok,aitools,1247832,2\n");
  const auto report = cli({"report", "--window", "1d"});
  EXPECT_THAT(report.output,
              HasSubstr("#aitools                 1,247,832 videos | growth: +3.2%"));
}

TEST_F(ExporterE2E, ConfigCheckNamesFileLineAndKey) {
  const auto ok = cli({"--config.check"});
  EXPECT_EQ(ok.exit_code, 0) << ok.errors;
  EXPECT_EQ(ok.output, "OK: " + config().string() + ": 1 sources, 2 hashtags\n");

  write_file(config(), "storage:\n  path: h.db\n  retention: forever\nsources: []\n");
  const auto bad = cli({"--config.check"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.errors, HasSubstr("FAILED: " + config().string() + ":3: storage.retention: "));
}

TEST_F(ExporterE2E, ConfigCheckAlsoChecksTheWebConfig) {
  write_file(dir / "web.yml", "basic_auth_users:\n  prometheus: not-a-bcrypt-hash\n");
  const auto bad = cli({"--config.check", "--web.config.file", (dir / "web.yml").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.errors, HasSubstr("FAILED: " + (dir / "web.yml").string() +
                                    ":2: basic_auth_users.prometheus: "));

  write_file(dir / "web.yml", "http_server_config:\n  headers:\n    X-Frame-Options: deny\n");
  const auto ok = cli({"--config.check", "--web.config.file", (dir / "web.yml").string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.errors;
  EXPECT_THAT(ok.output,
              HasSubstr("OK: " + (dir / "web.yml").string() + ": TLS off, 0 basic auth users\n"));
}

TEST_F(ExporterE2E, ConfigCheckRefusesFilesThatAreNotBoundedRegularFiles) {
  auto text = read_file(config());
  std::filesystem::create_directory(dir / "secrets");
  text.replace(text.find("api_key_env: FAKE_SCAVIO_KEY"), 28,
               "api_key_file: " + (dir / "secrets").string());
  write_file(config(), text);
  const auto folder = cli({"--config.check"});
  EXPECT_EQ(folder.exit_code, 1);
  EXPECT_THAT(folder.errors, HasSubstr("FAILED: " + config().string() +
                                       ":10: sources[0].settings.api_key_file: cannot read the "
                                       "API key file " +
                                       (dir / "secrets").string() + ": is a directory"));

  write_file(config(), text + "#" + std::string(8 << 20, ' ') + "\n");
  const auto oversized = cli({"--config.check"});
  EXPECT_EQ(oversized.exit_code, 1);
  EXPECT_THAT(oversized.errors, HasSubstr("FAILED: " + config().string() +
                                          ": cannot read: is larger than 8388608 bytes"));
}

TEST_F(ExporterE2E, MissingApiKeyIsAConfigErrorWithoutStarting) {
  environment.clear();
  const auto check = cli({"--config.check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.errors, HasSubstr(config().string() + ":"));
  EXPECT_THAT(check.errors, HasSubstr("FAKE_SCAVIO_KEY"));
}

}  // namespace
}  // namespace hashtag_exporter::testing
