// End to end: the real hashtag_exporter binary's web flags.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "exporter_process.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

using ::testing::HasSubstr;

const std::string kBinary = HX_TEST_EXPORTER_BINARY;

TEST(WebServerE2E, ATelemetryPathNoRequestCanReachStopsTheExporterNamingTheFlag) {
  const TempDir dir;
  write_file(dir / "hashtag_exporter.yml",
             "storage:\n"
             "  path: history.db\n"
             "plugin_path: [" HX_TEST_PLUGIN_DIR
             "]\n"
             "sources:\n"
             "  - name: demo\n"
             "    plugin: demo\n"
             "    hashtags: [aitools]\n");
  const int port = free_port();
  ExporterProcess exporter(kBinary,
                           {"--config.file=" + (dir / "hashtag_exporter.yml").string(),
                            "--web.listen-address=127.0.0.1:" + std::to_string(port),
                            "--web.telemetry-path=/metrics?format=text"},
                           dir / "exporter.log");
  // Bounded, so that an exporter that starts serving fails the test instead of hanging it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (exporter.running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(exporter.running()) << exporter.log_text();

  EXPECT_EQ(exporter.stop(), 1);
  const auto log = exporter.log_text();
  EXPECT_THAT(log, HasSubstr("msg=\"cannot start\""));
  EXPECT_THAT(log, HasSubstr("--web.telemetry-path"));
  EXPECT_THAT(log, HasSubstr("/metrics?format=text"));
  EXPECT_THAT(log, HasSubstr("query string"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("msg=listening")));
}

}  // namespace
}  // namespace hashtag_exporter::testing
