// --config.check with the real binary on configs past the input bounds (README, "Input bounds"):
// each is a FAILED line naming the file, line and key, and exit status 1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "exporter_process.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

using ::testing::HasSubstr;

class ConfigBoundsE2E : public ::testing::Test {
 protected:
  CommandResult check(const std::string& yaml) {
    write_file(config(), yaml);
    return run_command(
        {HX_TEST_EXPORTER_BINARY, "--config.file=" + config().string(), "--config.check"});
  }
  std::filesystem::path config() const { return dir / "hashtag_exporter.yml"; }

  TempDir dir;
};

TEST_F(ConfigBoundsE2E, AnIntervalOfCenturiesFailsTheCheck) {
  const auto result = check(
      "sources:\n"
      "  - name: demo\n"
      "    plugin: demo\n"
      "    interval: 500y\n"
      "    hashtags: [ai]\n");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.errors,
              HasSubstr("FAILED: " + config().string() +
                        ":4: sources[0].interval: expected at most 7d, got \"500y\""));
}

TEST_F(ConfigBoundsE2E, AnAliasBombFailsTheCheckWithoutExhaustingMemory) {
  std::string yaml =
      "sources:\n  - name: demo\n    plugin: demo\n    hashtags: [ai]\n    settings:\n"
      "      l0: &l0 [lol, lol]\n";
  for (int level = 1; level < 40; ++level) {
    const auto previous = "*l" + std::to_string(level - 1);
    yaml += "      l" + std::to_string(level) + ": &l" + std::to_string(level) + " [" + previous +
            ", " + previous + "]\n";
  }
  const auto result = check(yaml);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.errors, HasSubstr("FAILED: " + config().string() +
                                       ":23: sources[0].settings.l17[1]: YAML aliases expand"));
}

}  // namespace
}  // namespace hashtag_exporter::testing
