#include <hashtag_exporter/prometheus/web_server.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace hashtag_exporter::prometheus_exporter {
namespace {

using ::testing::HasSubstr;

TEST(TelemetryPathTest, PathsARequestCanReachAreAccepted) {
  for (const std::string& path : std::vector<std::string>{
           "/metrics", "/metrics/", "/", "/prometheus/metrics", "/.well-known/metrics",
           "/metrics.txt", "/a-b_c~d!$&'()*+,;=:@", "/100%", "/%zz", "/100%2", "/m\xc3\xa9triques",
           "/" + std::string(kMaxRequestHeadBytes - 18, 'a')}) {
    EXPECT_EQ(telemetry_path_problem(path), std::nullopt) << path;
  }
}

TEST(TelemetryPathTest, PathsNoRequestCanReachAreRejectedSayingWhy) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "must start with /"},
      {"metrics", "must start with /"},
      {"/metrics?format=text", "'?' starts the query string"},
      {"/metrics#top", "'#' starts the fragment"},
      {"/a\\metrics", "'\\' into '/'"},
      {"/my metrics", "space or a control character"},
      {"/metrics\n", "space or a control character"},
      {"/metrics\t", "space or a control character"},
      {std::string("/met\0rics", 9), "space or a control character"},
      {"/metrics\x7f", "space or a control character"},
      {"/my%20metrics", "\"%20\" is a percent escape"},
      {"/%6Detrics", "\"%6D\" is a percent escape"},
      {"/metric%73", "\"%73\" is a percent escape"},
      {"//metrics", "empty segment"},
      {"/a//metrics", "empty segment"},
      {"/metrics//", "empty segment"},
      {"/./metrics", "segment \".\" ends in '.'"},
      {"/a/../metrics", "segment \"..\" ends in '.'"},
      {"/metrics/..", "segment \"..\" ends in '.'"},
      {"/metrics.", "segment \"metrics.\" ends in '.'"},
      {"/v1./metrics", "segment \"v1.\" ends in '.'"},
      {"/" + std::string(kMaxRequestHeadBytes - 17, 'a'), "does not fit in the 16384 bytes"},
  };
  for (const auto& [path, problem] : cases) {
    const auto found = telemetry_path_problem(path);
    ASSERT_TRUE(found.has_value()) << path;
    EXPECT_THAT(*found, HasSubstr(problem)) << path;
  }
}

}  // namespace
}  // namespace hashtag_exporter::prometheus_exporter
