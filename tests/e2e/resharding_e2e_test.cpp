// Changing --shard.count moves hashtags between shards: each new shard imports the old shards'
// histories and keeps what it owns, so every hashtag keeps its whole history and its growth.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "exporter_process.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

constexpr int kHashtags = 12;
constexpr int kDays = 8;

class Resharding : public ::testing::Test {
 protected:
  std::filesystem::path config(const std::string& name) {
    const auto file = dir / (name + ".yml");
    write_file(file, "storage:\n  path: " + name +
                         ".db\n"
                         "sources:\n"
                         "  - {name: tiktok, plugin: demo, hashtags: [unused]}\n");
    return file;
  }

  CommandResult cli(const std::filesystem::path& config_file, std::vector<std::string> args) {
    args.insert(args.begin(), HX_TEST_EXPORTER_BINARY);
    args.push_back("--config.file=" + config_file.string());
    return run_command(args);
  }

  void import(const std::filesystem::path& config_file, const std::filesystem::path& file,
              std::vector<std::string> shard_flags) {
    std::vector<std::string> args{"import", file.string()};
    args.insert(args.end(), shard_flags.begin(), shard_flags.end());
    const auto result = cli(config_file, args);
    ASSERT_EQ(result.exit_code, 0) << result.output << result.errors;
  }

  // hashtag -> its line of `report --window 1d` (counts and day-over-day growth).
  std::map<std::string, std::string> report(const std::filesystem::path& config_file) {
    const auto result = cli(config_file, {"report", "--window", "1d"});
    EXPECT_EQ(result.exit_code, 0) << result.errors;
    std::map<std::string, std::string> lines;
    std::istringstream text(result.output);
    for (std::string line; std::getline(text, line);) {
      if (line.starts_with("#")) lines[line.substr(1, line.find(' ') - 1)] = line;
    }
    return lines;
  }

  std::string history(const std::filesystem::path& config_file, const std::string& hashtag) {
    return cli(config_file, {"history", "--hashtag", hashtag, "--format", "csv"}).output;
  }

  TempDir dir;
};

TEST_F(Resharding, FromTwoShardsToThreeEveryHashtagKeepsItsHistoryAndGrowth) {
  // A daily history from 2026-05-22 in which every hashtag grows at its own pace.
  std::string csv = "timestamp,source,hashtag,video_count,view_count\n";
  for (int tag = 0; tag < kHashtags; ++tag) {
    for (int day = 0; day < kDays; ++day) {
      const auto videos = static_cast<long long>(1000 * std::pow(1.0 + 0.01 * (tag + 1), day));
      csv += "2026-05-" + std::to_string(22 + day) + ",tiktok,tag" + std::to_string(tag) + "," +
             std::to_string(videos) + "," + std::to_string(videos * 150) + "\n";
    }
  }
  write_file(dir / "history.csv", csv);

  const auto whole = config("whole");
  import(whole, dir / "history.csv", {});
  const auto expected = report(whole);
  ASSERT_EQ(expected.size(), static_cast<std::size_t>(kHashtags));
  ASSERT_THAT(expected.at("tag3"), ::testing::HasSubstr("growth: +4.0%"));

  // Two shards, each with its own history.
  for (int index = 0; index < 2; ++index) {
    import(config("old-" + std::to_string(index)), dir / "history.csv",
           {"--shard.count=2", "--shard.index=" + std::to_string(index)});
  }
  // Three shards, each taking over what it owns from both old histories.
  std::map<std::string, std::string> resharded;
  for (int index = 0; index < 3; ++index) {
    const auto shard = config("new-" + std::to_string(index));
    for (int old = 0; old < 2; ++old) {
      import(shard, dir / ("old-" + std::to_string(old) + ".db"),
             {"--shard.count=3", "--shard.index=" + std::to_string(index)});
    }
    for (const auto& [hashtag, line] : report(shard)) {
      EXPECT_TRUE(resharded.emplace(hashtag, line).second) << hashtag << " is on two shards";
      EXPECT_EQ(history(shard, hashtag), history(whole, hashtag)) << hashtag;
    }
  }
  EXPECT_EQ(resharded, expected);
}

TEST_F(Resharding, ImportSaysWhatItLeavesToTheOtherShards) {
  write_file(dir / "rows.csv",
             "timestamp,source,hashtag,video_count,view_count\n"
             "2026-05-22,tiktok,aitools,1,2\n2026-05-22,tiktok,llm,3,4\n"
             "2026-05-22,tiktok,chatgpt,5,6\n2026-05-22,tiktok,claude,7,8\n");
  std::size_t kept = 0;
  for (int index = 0; index < 2; ++index) {
    const auto result = cli(config("shard-" + std::to_string(index)),
                            {"import", (dir / "rows.csv").string(), "--shard.count=2",
                             "--shard.index=" + std::to_string(index)});
    ASSERT_EQ(result.exit_code, 0) << result.errors;
    int added = 0;
    int others = 0;
    ASSERT_EQ(std::sscanf(result.output.c_str(), "imported %d new snapshots", &added), 1)
        << result.output;
    const auto left = result.output.find(" left to the other shards");
    if (left != std::string::npos) {
      others = std::stoi(result.output.substr(result.output.rfind(", ", left) + 2));
      EXPECT_THAT(result.output,
                  ::testing::HasSubstr("this is shard " + std::to_string(index) + " of 2"));
    }
    EXPECT_EQ(added + others, 4);
    kept += static_cast<std::size_t>(added);
  }
  EXPECT_EQ(kept, 4U);
}

}  // namespace
}  // namespace hashtag_exporter::testing
