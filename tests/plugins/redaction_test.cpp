// The host redacts what a plugin hands it, whatever the plugin: here exec, which has no HTTP
// request to learn a credential from, so its configured command line and its environment must.
#include <hashtag_exporter/log_format.hpp>
#include <hashtag_exporter/setup.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "round_results.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

using testing::failure_of;
using ::testing::HasSubstr;
using ::testing::Not;

const std::filesystem::path kScript =
    std::filesystem::path(HX_TEST_SOURCE_DIR) / "tests/plugins/exec_scripts/echo_secrets.sh";

// Everything logged while it lives, instead of the default logger's output.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(text_));
    logger->set_formatter(log::make_formatter(log::Format::logfmt));
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(PluginRedaction, ExecSecretsFromItsCommandLineAndEnvironmentAreRedacted) {
  setenv("HX_TEST_API_TOKEN", "env-token-24681357", 1);
  testing::TempDir dir;
  testing::write_file(dir / "exec.yml",
                      "storage:\n  path: history.db\nsources:\n"
                      "  - name: script\n    plugin: exec\n    interval: 1h\n"
                      "    hashtags: [llm]\n    settings:\n"
                      "      command: [/bin/sh, " +
                          kScript.string() + ", '--token=arg-token-13572468']\n");
  CapturedLog log;
  const auto round = prepare(dir / "exec.yml", {HX_TEST_PLUGIN_DIR}).sources[0]->collect();
  unsetenv("HX_TEST_API_TOKEN");

  const auto* failure = failure_of(round, "llm");
  ASSERT_NE(failure, nullptr);
  EXPECT_THAT(failure->message, HasSubstr("refused --token=<redacted> / <redacted>"));
  EXPECT_THAT(log.text(), HasSubstr("called with --token=<redacted> and <redacted>"));
  EXPECT_THAT(log.text(), Not(HasSubstr("arg-token-13572468")));
  EXPECT_THAT(log.text(), Not(HasSubstr("env-token-24681357")));
}

TEST(PluginRedaction, ASettingsErrorQuotingASecretIsRedacted) {
  testing::TempDir dir;
  testing::write_file(dir / "exec.yml",
                      "storage:\n  path: history.db\nsources:\n"
                      "  - name: script\n    plugin: exec\n    interval: 1h\n"
                      "    hashtags: [llm]\n    settings:\n"
                      "      command: [/nonexistent/API_KEY=arg-key-97531864]\n");
  try {
    prepare(dir / "exec.yml", {HX_TEST_PLUGIN_DIR});
    FAIL() << "a command that does not exist was accepted";
  } catch (const std::exception& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/API_KEY=<redacted> is not an executable file"));
  }
}

}  // namespace
}  // namespace hashtag_exporter
