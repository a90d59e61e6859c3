// End to end: --log.format chooses how the binary writes the same records on standard error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "exporter_process.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

const std::string kBinary = HX_TEST_EXPORTER_BINARY;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A config that cannot be read makes `serve` log its start and why it cannot start, then exit.
CommandResult serve_without_config(const std::string& format) {
  TempDir dir;
  return run_command({kBinary, "--config.file=" + (dir / "missing dir" / "x.yml").string(),
                      "--log.format=" + format});
}

TEST(LogFormatE2E, LogfmtLinesStartWithTimeLevelAndMessage) {
  const auto result = serve_without_config("logfmt");
  EXPECT_EQ(result.exit_code, 1);
  const auto logged = lines(result.errors);
  ASSERT_EQ(logged.size(), 2u) << result.errors;
  EXPECT_THAT(logged[0], MatchesRegex("ts=[0-9-]+T[0-9:]+\\.[0-9]{3}Z level=info "
                                      "msg=\"starting hashtag_exporter\" version=.*"));
  EXPECT_THAT(logged[1], MatchesRegex("ts=[^ ]+ level=error msg=\"cannot start\" err=\".*\""));
  EXPECT_THAT(logged[1], HasSubstr("missing dir"));
}

TEST(LogFormatE2E, JsonLinesAreObjectsWithTheSameFields) {
  const auto result = serve_without_config("json");
  EXPECT_EQ(result.exit_code, 1);
  const auto logged = lines(result.errors);
  ASSERT_EQ(logged.size(), 2u) << result.errors;
  const auto error = nlohmann::ordered_json::parse(logged[1]);
  std::vector<std::string> keys;
  for (const auto& [key, value] : error.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"ts", "level", "msg", "err"}));
  EXPECT_EQ(error["level"], "error");
  EXPECT_EQ(error["msg"], "cannot start");
  EXPECT_THAT(error["err"].get<std::string>(), HasSubstr("missing dir"));
}

}  // namespace
}  // namespace hashtag_exporter::testing
