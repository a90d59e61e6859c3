// End to end: the exporter loads only the plugins its sources name, so a broken library elsewhere
// on the plugin path cannot take it down (here one that aborts any process that loads it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "exporter_process.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

using ::testing::HasSubstr;

const std::string kBinary = HX_TEST_EXPORTER_BINARY;
const std::filesystem::path kPlugins = HX_TEST_PLUGIN_DIR;
const std::filesystem::path kBrokenPlugins = HX_TEST_TEST_PLUGIN_DIR;

class PluginLoading : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir / "plugins");
    std::filesystem::copy_file(kPlugins / "demo.so", dir / "plugins" / "demo.so");
    std::filesystem::copy_file(kBrokenPlugins / "aborts_when_loaded.so",
                               dir / "plugins" / "aborts_when_loaded.so");
    write_config("demo");
  }

  void write_config(const std::string& plugin) {
    write_file(config(),
               "plugin_path: [plugins]\n"
               "storage:\n"
               "  path: history.db\n"
               "sources:\n"
               "  - name: demo\n"
               "    plugin: " +
                   plugin +
                   "\n"
                   "    interval: 1m\n"
                   "    hashtags: [aitools]\n");
  }

  std::filesystem::path config() const { return dir / "hashtag_exporter.yml"; }

  CommandResult cli(std::vector<std::string> args) const {
    args.insert(args.begin(), kBinary);
    args.push_back("--config.file=" + config().string());
    return run_command(args);
  }

  TempDir dir;
};

TEST_F(PluginLoading, ServesWithABrokenUnusedLibraryOnThePluginPath) {
  const int port = free_port();
  ExporterProcess exporter(kBinary,
                           {"--config.file=" + config().string(),
                            "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                           dir / "exporter.log");
  EXPECT_TRUE(exporter.wait_until_ok("http://127.0.0.1:" + std::to_string(port) + "/-/ready"))
      << exporter.log_text();
  EXPECT_EQ(exporter.stop(), 0) << exporter.log_text();
}

TEST_F(PluginLoading, ConfigCheckAndCollectIgnoreTheUnusedLibrary) {
  const auto check = cli({"--config.check"});
  EXPECT_EQ(check.exit_code, 0) << check.errors;
  const auto collect = cli({"collect", "--once"});
  EXPECT_EQ(collect.exit_code, 0) << collect.errors;
}

TEST_F(PluginLoading, AMissingPluginNamesTheConfigLineAndWhatIsOnThePath) {
  write_config("instagram");
  const auto check = cli({"--config.check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.errors, HasSubstr(config().string() + ":5: sources[0].plugin: no plugin "
                                                          "named \"instagram\""));
  EXPECT_THAT(check.errors, HasSubstr("found: aborts_when_loaded, demo"));
}

}  // namespace
}  // namespace hashtag_exporter::testing
